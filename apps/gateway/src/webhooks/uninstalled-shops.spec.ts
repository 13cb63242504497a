import { createLogger } from '@shopwire/observability';
import { createServer, type Server, type Socket } from 'node:net';
import { passesForUninstalledShop, UninstalledShops } from './uninstalled-shops';

describe('passesForUninstalledShop', () => {
  it.each([
    'customers/data_request',
    'customers/redact',
    'shop/redact',
    'app/uninstalled',
    'app/scopes_update',
  ])('lets %s through', (topic) => expect(passesForUninstalledShop(topic)).toBe(true));

  it.each(['orders/create', 'products/update', 'shop/update', 'app_subscriptions/update'])(
    'drops %s',
    (topic) => expect(passesForUninstalledShop(topic)).toBe(false),
  );
});

describe('UninstalledShops failing open', () => {
  let hung: Server;
  const sockets: Socket[] = [];
  let port: number;

  beforeAll(async () => {
    // accepts connections and never answers: a hung Redis
    hung = createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    port = (hung.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => hung.close(r));
  });

  it('answers "installed" within its timeout when Redis does not answer, then skips Redis', async () => {
    const shops = new UninstalledShops({
      redisUrl: `redis://127.0.0.1:${port}`,
      cacheMs: 60_000,
      timeoutMs: 50,
      logger: createLogger('test', 'silent'),
    });
    let started = performance.now();
    await shops.start();
    expect(performance.now() - started).toBeLessThan(3000);
    started = performance.now();
    expect(await shops.isUninstalled('a.myshopify.com')).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
    started = performance.now();
    for (let i = 0; i < 100; i++)
      expect(await shops.isUninstalled(`s${i}.myshopify.com`)).toBe(false);
    // Left alone after the failure: asking Redis would cost each call its 50 ms timeout, 5 s for
    // the hundred. Half of that leaves room for a loaded CI machine without hiding a retry.
    expect(performance.now() - started).toBeLessThan(2500);
    await shops.close();
  });
});
