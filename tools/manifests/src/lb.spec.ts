import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './render';

// scripts/lb.sh: the local nginx load balancer in front of several gateways (docs/scaling.md).
// Needs the nginx binary; where it is not installed (and the script cannot install it) the
// suite is skipped rather than failed — `scripts/lb.sh install` brings it on Debian.
const SCRIPT = join(REPO_ROOT, 'scripts/lb.sh');
const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const describeWithNginx = nginx ? describe : describe.skip;

function lb(command: string, env: Record<string, string>) {
  return spawnSync('bash', [SCRIPT, command], {
    env: { ...process.env, LB_NGINX: nginx ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

/** A stand-in gateway that answers with its own name, so the test sees who served each request. */
function upstream(name: string): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(name));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function post(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/webhooks/shopify' },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

describeWithNginx('scripts/lb.sh (nginx load balancer)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shopwire-lb-'));
  });
  afterEach(() => {
    lb('down', { LB_DIR: dir });
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders a config nginx accepts: every gateway upstream, keepalive, HTTP/1.1 to upstreams', () => {
    const result = lb('render', {
      LB_DIR: dir,
      LB_PORT: '18999',
      LB_UPSTREAMS: '127.0.0.1:3000,127.0.0.1:3010',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const conf = readFileSync(join(dir, 'nginx.conf'), 'utf8');
    expect(conf).toContain('server 127.0.0.1:3000 ');
    expect(conf).toContain('server 127.0.0.1:3010 ');
    expect(conf).toMatch(/keepalive \d+;/);
    expect(conf).toContain('proxy_http_version 1.1;');
    expect(conf).toContain('proxy_set_header Connection "";');
    // Round-robin: no hashing or least-conn directive replaces nginx's default.
    expect(conf).not.toMatch(/\b(ip_hash|hash|least_conn)\b/);
    // Never the machine's config: everything lives under LB_DIR.
    expect(conf).toContain(`pid ${dir}/nginx.pid;`);
    expect(conf).not.toContain('/etc/nginx');
  });

  it('refuses an upstream that is not host:port', () => {
    const result = lb('render', { LB_DIR: dir, LB_UPSTREAMS: '127.0.0.1:3000,evil;include /x' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('bad upstream');
  });

  it('balances requests round-robin over the gateways and skips one that is down', async () => {
    const servers = await Promise.all([upstream('a'), upstream('b')]);
    const probe = await upstream('probe');
    const lbPort = portOf(probe); // a port that was free a moment ago
    await new Promise((r) => probe.close(r));
    try {
      const up = lb('up', {
        LB_DIR: dir,
        LB_PORT: String(lbPort),
        LB_UPSTREAMS: servers.map((s) => `127.0.0.1:${portOf(s)}`).join(','),
      });
      expect(up.status).toBe(0);
      const served: string[] = [];
      for (let i = 0; i < 6; i++) served.push(await post(lbPort));
      expect(served.filter((s) => s === 'a')).toHaveLength(3);
      expect(served.filter((s) => s === 'b')).toHaveLength(3);

      // A gateway that went away: its requests go to the other one, none fails.
      const closed = new Promise((r) => servers[1].close(r));
      servers[1].closeAllConnections(); // nginx's idle keepalive connections too
      await closed;
      const after: string[] = [];
      for (let i = 0; i < 4; i++) after.push(await post(lbPort));
      expect(after).toEqual(['a', 'a', 'a', 'a']);
    } finally {
      for (const s of servers) {
        s.closeAllConnections();
        s.close();
      }
    }
  });
});
