import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A free TCP port on 127.0.0.1 (bound and released; fine for tests on one machine). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface SimulatorProcess {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  smtpPort: number;
  token: string;
  /** A bearer-authenticated JSON call to the simulator's API. */
  call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }>;
  stop(): Promise<void>;
}

/** The workspace root (the folder with nx.json), whether this runs from source or from dist/. */
function workspaceRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const SIM_TOKEN = 'sim-test-token-0123456789';

/**
 * Starts the built simulator (`dist/apps/shopify-sim/src/main.js`, `npm run build` first) as a
 * child process on free ports — its SMTP sink and ERP stand-in included — and waits until it is
 * ready. A separate process, as in production: a service's tests never import another app.
 */
export async function startSimulatorProcess(
  env: Record<string, string> = {},
): Promise<SimulatorProcess> {
  const [port, smtpPort] = [await freePort(), await freePort()];
  const child: ChildProcess = spawn(
    process.execPath,
    [join(workspaceRoot(), 'dist/apps/shopify-sim/src/main.js')],
    {
      env: {
        ...process.env,
        PORT: String(port),
        SIM_SMTP_PORT: String(smtpPort),
        API_TOKENS: `tests:${SIM_TOKEN}`,
        SHOPIFY_WEBHOOK_SECRET: 'sim-test-secret-0123',
        LOG_LEVEL: 'warn',
        OTEL_SDK_DISABLED: 'true',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const call = async <T>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${SIM_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: (text ? JSON.parse(text) : null) as T };
  };
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`simulator exited with ${child.exitCode}`);
    try {
      const ready = await call<{ info?: { 'smtp-sink'?: { listening?: boolean } } }>(
        'GET',
        '/health/ready',
      );
      if (ready.status === 200 && ready.json.info?.['smtp-sink']?.listening)
        return { baseUrl, smtpPort, token: SIM_TOKEN, call, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error('simulator did not become ready within 90 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
