import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { parseDockerfile, stageInputs, type Stage } from './dockerfile';
import { REPO_ROOT, renderKustomization } from './render';

/**
 * hadolint and a Docker engine are not available here, so the image build is checked by its
 * structure: which stages exist, what each copies from where, and how the runtime stages run.
 */
const text = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const { stages } = parseDockerfile(text);
const stage = (name: string): Stage => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
const args = (s: Stage, keyword: string) =>
  s.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const RUNTIME = ['jobs', 'app'];

/** Every stage a runtime stage inherits from, through FROM chains. */
function lineage(name: string): Stage[] {
  const chain: Stage[] = [];
  for (let s: Stage | undefined = stage(name); s; s = stages.find((x) => x.name === s!.from))
    chain.push(s);
  return chain;
}

describe('Dockerfile', () => {
  it('builds and runs every stage on the Node line package.json requires (Node 24 LTS)', () => {
    const { preamble } = parseDockerfile(text);
    const image = preamble
      .filter((i) => i.keyword === 'ARG')
      .map((i) => /^NODE_IMAGE=(\S+)$/.exec(i.args)?.[1])
      .find(Boolean);
    expect(image).toMatch(/^node:24(\.\d+)*-slim$/);
    for (const s of stages.filter((x) => !stages.some((y) => y.name === x.from)))
      expect(s.from).toBe('${NODE_IMAGE}');
    const engines = (
      JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
        engines: { node: string };
      }
    ).engines.node;
    expect(engines).toMatch(/^>=24(\.\d+)*$/);
  });

  it('has separate dependency, build and runtime stages, the app last (the default target)', () => {
    expect(stages.map((s) => s.name)).toEqual([
      'prod-deps',
      'build',
      'runtime-base',
      'jobs',
      'app',
    ]);
  });

  it('installs production dependencies only in their own stage', () => {
    expect(args(stage('prod-deps'), 'RUN').join('\n')).toMatch(/npm ci --omit=dev/);
    expect(args(stage('build'), 'RUN').join('\n')).toMatch(/npm ci(?! --omit)/);
  });

  it('copies node_modules into runtime images from prod-deps only, and nothing else from build but dist', () => {
    for (const name of RUNTIME)
      for (const s of lineage(name)) {
        expect(s.from).not.toBe('build');
        for (const copy of args(s, 'COPY')) {
          if (copy.includes('node_modules')) expect(copy).toMatch(/--from=prod-deps /);
          if (copy.includes('--from=build')) expect(copy).toMatch(/--from=build \/app\/dist\//);
        }
      }
  });

  it('never runs npm install or a dev build in the runtime stages', () => {
    for (const name of ['runtime-base', ...RUNTIME])
      expect(args(stage(name), 'RUN').join('\n')).not.toMatch(/npm (ci|install|run)/);
  });

  it('runs each runtime image as a numeric non-root user with exec-form CMD and SIGTERM', () => {
    for (const name of RUNTIME) {
      const users = lineage(name).flatMap((s) => args(s, 'USER'));
      expect(users[0]).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
      const cmd = args(stage(name), 'CMD');
      expect(cmd).toHaveLength(1);
      expect(() => JSON.parse(cmd[0]!)).not.toThrow();
      expect(JSON.parse(cmd[0]!)[0]).toBe('node');
    }
    expect(args(stage('runtime-base'), 'STOPSIGNAL')).toEqual(['SIGTERM']);
  });

  it('gives the app image a HEALTHCHECK and requires the APP build argument', () => {
    const app = stage('app');
    expect(args(app, 'HEALTHCHECK')[0]).toMatch(/CMD \["node", "\/app\/healthcheck\.js"\]/);
    expect(args(app, 'ARG')).toContain('APP');
    expect(args(app, 'RUN')[0]).toMatch(/test -n "\$\{APP\}"/);
  });

  it('ships the migrate and provision entry points in the jobs image', () => {
    const copies = args(stage('jobs'), 'COPY').join('\n');
    expect(copies).toMatch(/dist\/apps/);
    expect(copies).toMatch(/dist\/scripts/);
    expect(copies).toMatch(/scripts\/migrate\.mjs/);
    // The commands the Kubernetes Jobs run exist in that image.
    const jobs = renderKustomization('k8s/overlays/prod').filter((o) => o.kind === 'Job');
    const commands = jobs.map(
      (job) =>
        (job.spec as { template: { spec: { containers: { command: string[] }[] } } }).template.spec
          .containers[0]!.command,
    );
    expect(commands).toEqual(
      expect.arrayContaining([
        ['node', 'dist/scripts/provision.js'],
        ['node', 'scripts/migrate.mjs'],
      ]),
    );
  });

  it('every stage it copies from exists', () => {
    const names = new Set(stages.map((s) => s.name));
    for (const s of stages)
      for (const input of stageInputs(s).slice(1)) expect(names.has(input)).toBe(true);
  });
});

describe('.dockerignore', () => {
  it('keeps host dependencies, build output, local env files and git out of the context', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const entry of ['node_modules', '**/node_modules', 'dist', '.env', '.env.*', '.git'])
      expect(ignored).toContain(entry);
    // The image's healthcheck script is copied from deploy/docker: it must stay in the context.
    expect(ignored).not.toContain('deploy');
  });
});

describe('image healthcheck', () => {
  it('knows the same default port as each app container in Kubernetes', () => {
    const source = readFileSync(join(REPO_ROOT, 'deploy/docker/healthcheck.js'), 'utf8');
    const defaults = Object.fromEntries(
      [...source.matchAll(/^\s+'?([a-z-]+)'?: (\d+),$/gm)].map((m) => [m[1], Number(m[2])]),
    );
    const deployments = renderKustomization('k8s/overlays/prod').filter(
      (o) => o.kind === 'Deployment',
    );
    expect(deployments.length).toBeGreaterThan(0);
    for (const deployment of deployments) {
      const container = (
        deployment.spec as {
          template: { spec: { containers: { ports: { containerPort: number }[] }[] } };
        }
      ).template.spec.containers[0]!;
      expect([deployment.metadata.name, container.ports[0]!.containerPort]).toEqual([
        deployment.metadata.name,
        defaults[deployment.metadata.name],
      ]);
    }
  });
});

describe('runtime dependencies', () => {
  /** Source files that end up in dist/ (scripts/build.mjs skips tests and test folders). */
  function* shipped(dir: string): Generator<string> {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'test' && entry.name !== 'node_modules') yield* shipped(path);
      } else if (/(?<!\.d|\.spec|-spec)\.ts$/.test(entry.name)) yield path;
    }
  }

  it('every package the shipped code imports is a production dependency (images omit dev ones)', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const allowed = new Set([...Object.keys(pkg.dependencies), ...builtinModules]);
    const missing: string[] = [];
    for (const top of ['apps', 'libs', 'scripts'])
      for (const file of shipped(join(REPO_ROOT, top))) {
        const source = readFileSync(file, 'utf8');
        // Type-only imports are erased by the compiler; they need nothing at run time.
        for (const match of source.matchAll(
          /(?:^import (?!type )[^;]*?from |^export [^;]*?from |require\(|import\()\s*'([^'.][^']*)'/gm,
        )) {
          const specifier = match[1]!;
          if (specifier.startsWith('node:') || specifier.startsWith('@shopwire/')) continue;
          const parts = specifier.split('/');
          const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
          if (!allowed.has(name)) missing.push(`${file.slice(REPO_ROOT.length + 1)}: ${name}`);
        }
      }
    expect(missing).toEqual([]);
  });
});
