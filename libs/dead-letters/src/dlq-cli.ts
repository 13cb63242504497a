import type { Kafka } from 'kafkajs';
import { parseArgs } from 'node:util';
import type { DeadLetter } from './dead-letter';
import { DeadLetterStore } from './dead-letter-store';

export const DLQ_USAGE = `usage:
  ops dlq list   [--group g] [--topic source-topic] [--status pending|replayed|all] [--json]
  ops dlq show   <id> [--payload]
  ops dlq replay <id…> [--force]
  ops dlq replay --all [--group g] [--topic source-topic] [--force]
ids are <dlq topic>:<partition>:<offset>, as "list" prints them.`;

export interface CliIo {
  kafka: Kafka;
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * `npm run ops -- dlq …`: dead letters of every group, straight from Kafka (every `*.dlq` topic),
 * the same store the services' REST APIs use. Returns the exit status.
 */
export async function runDlqCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(rest);
  } catch (error) {
    io.err(`${(error as Error).message}\n${DLQ_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const store = new DeadLetterStore({ kafka: io.kafka });
  try {
    switch (command) {
      case 'list': {
        const letters = await store.list({
          group: values.group,
          sourceTopic: values.topic,
          status: (values.status as 'pending' | 'replayed' | 'all' | undefined) ?? 'all',
        });
        if (values.json) io.out(JSON.stringify(letters, null, 2));
        else io.out(table(letters));
        return 0;
      }
      case 'show': {
        if (positionals.length !== 1) break;
        const letter = await store.get(positionals[0], { payload: values.payload });
        if (!letter) {
          io.err(`no dead letter ${positionals[0]}`);
          return 1;
        }
        io.out(JSON.stringify(letter, null, 2));
        return 0;
      }
      case 'replay': {
        const all = values.all === true;
        if (all === positionals.length > 0) break; // exactly one of: ids, --all
        const result = await store.replay(
          all
            ? { filter: { group: values.group, sourceTopic: values.topic }, force: values.force }
            : { ids: positionals, force: values.force },
        );
        if (values.json) io.out(JSON.stringify(result, null, 2));
        else {
          for (const id of result.replayed) io.out(`replayed ${id}`);
          for (const skip of result.skipped) io.out(`skipped  ${skip.id} (${skip.reason})`);
          io.out(`${result.replayed.length} replayed, ${result.skipped.length} skipped`);
        }
        return result.skipped.some((s) => s.reason === 'not found') ? 1 : 0;
      }
      default:
        break;
    }
    io.err(DLQ_USAGE);
    return 2;
  } finally {
    await store.close();
  }
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      group: { type: 'string' },
      topic: { type: 'string' },
      status: { type: 'string' },
      json: { type: 'boolean' },
      payload: { type: 'boolean' },
      all: { type: 'boolean' },
      force: { type: 'boolean' },
    },
  });
}

function table(letters: DeadLetter[]): string {
  if (letters.length === 0) return 'no dead letters';
  const rows = letters.map((l) => [
    l.id,
    l.group,
    l.sourceTopic,
    String(l.attempts),
    `${l.error.type}: ${l.error.message}`.slice(0, 60),
    l.deadLetteredAt,
    l.replayedAt ? `replayed ${l.replayedAt}` : 'pending',
  ]);
  const header = ['ID', 'GROUP', 'SOURCE', 'ATTEMPTS', 'ERROR', 'DEAD-LETTERED', 'STATUS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line), `${letters.length} dead letters`].join('\n');
}
