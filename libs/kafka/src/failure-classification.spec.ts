import {
  isInfrastructureError,
  isPermanentError,
  PermanentError,
  PoisonMessageError,
} from './failure-classification';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isInfrastructureError', () => {
  it.each([
    ['refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['reset connection', withCode('read ECONNRESET', 'ECONNRESET')],
    ['pg admin shutdown', withCode('terminating connection due to administrator command', '57P01')],
    ['pg crash shutdown', withCode('terminating connection', '57P02')],
    ['pg cannot connect now', withCode('the database system is starting up', '57P03')],
    ['pg connection exception class 08', withCode('connection failure', '08006')],
    ['pg too many connections', withCode('sorry, too many clients already', '53300')],
    ['pg-pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['node-postgres lost socket', new Error('Connection terminated unexpectedly')],
    [
      'kafkajs connection error',
      Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' }),
    ],
    [
      'our producer timing out',
      Object.assign(new Error('not acknowledged'), { name: 'ProducerUnavailableError' }),
    ],
    ['an open opossum breaker', withCode('Breaker is open', 'EOPENBREAKER')],
    ['SMTP unreachable (nodemailer)', withCode('Connection closed unexpectedly', 'ECONNECTION')],
    ['HTTP connect timeout (undici)', withCode('Connect Timeout Error', 'UND_ERR_CONNECT_TIMEOUT')],
  ])('%s → infrastructure', (_what, error) => {
    expect(isInfrastructureError(error)).toBe(true);
  });

  it('looks into TypeORM driverError, cause chains and AggregateError', () => {
    const typeorm = Object.assign(new Error('Query failed'), {
      name: 'QueryFailedError',
      driverError: withCode('terminating connection', '57P01'),
    });
    expect(isInfrastructureError(typeorm)).toBe(true);
    expect(
      isInfrastructureError(new Error('apply failed', { cause: withCode('x', 'ECONNRESET') })),
    ).toBe(true);
    expect(
      isInfrastructureError(
        new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''),
      ),
    ).toBe(true);
  });

  it.each([
    ['unique violation', withCode('duplicate key value violates unique constraint', '23505')],
    ['data exception', withCode('numeric field overflow', '22003')],
    ['missing table', withCode('relation "x" does not exist', '42P01')],
    ['deadlock (transient, bounded)', withCode('deadlock detected', '40P01')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a poison message', new PoisonMessageError('payload is not valid JSON')],
    ['a non-error', 'boom'],
    ['null', null],
  ])('%s → not infrastructure', (_what, error) => {
    expect(isInfrastructureError(error)).toBe(false);
  });

  it('survives a cyclic cause chain', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(isInfrastructureError(a)).toBe(false);
  });
});

describe('isPermanentError', () => {
  it('recognises PermanentError, PoisonMessageError and wrapped ones', () => {
    expect(isPermanentError(new PermanentError('never'))).toBe(true);
    expect(isPermanentError(new PoisonMessageError('never'))).toBe(true);
    expect(isPermanentError(new Error('wrapped', { cause: new PoisonMessageError('x') }))).toBe(
      true,
    );
    expect(isPermanentError(new Error('maybe later'))).toBe(false);
  });

  it('names survive for the error-type header', () => {
    expect(new PoisonMessageError('x').name).toBe('PoisonMessageError');
    expect(new PermanentError('x').name).toBe('PermanentError');
  });
});
