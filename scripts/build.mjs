// Compiles the TypeScript tree (apps, libs, scripts, benchmarks) to CommonJS under dist/ with SWC.
// One pass over the whole workspace is a couple of seconds on two cores, so every project's
// build target shares it. `@shopwire/*` imports are rewritten to relative paths, so the output
// runs with plain `node dist/apps/<app>/src/main.js` and needs no path-mapping at run time.
// Type checking is a separate target (`npm run typecheck`): SWC only strips types.
// dist/ is never wiped: each file is written beside its target and renamed over it (atomic on one
// file system), and only outputs whose source is gone are deleted afterwards. So a test or a
// service running from dist/ while another build runs never finds a half-written or missing file.
import { transformFile } from '@swc/core';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist');
const sourceRoots = ['apps', 'libs', 'scripts', 'benchmarks'];
const swcrc = JSON.parse(await readFile(join(root, '.swcrc'), 'utf8'));
const tsconfig = JSON.parse(await readFile(join(root, 'tsconfig.base.json'), 'utf8'));

// Files an app reads at run time from beside its code (the console's templates and stylesheet),
// copied as they are.
const isAsset = (name) => name.endsWith('.eta') || name.endsWith('.css');

const isSource = (name) =>
  name.endsWith('.ts') &&
  !name.endsWith('.d.ts') &&
  !name.endsWith('.spec.ts') &&
  !name.endsWith('-spec.ts');

async function writeAtomically(target, content) {
  const temporary = `${target}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, target);
}

async function* walkOutputs(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walkOutputs(path);
    // another build's temporary file is that build's to rename
    else if ((path.endsWith('.js') || path.endsWith('.js.map')) && !path.endsWith('.tmp'))
      yield path;
  }
}

async function* walk(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name === 'test') continue;
      yield* walk(path);
    } else if (isSource(entry.name) || isAsset(entry.name)) {
      yield path;
    }
  }
}

const started = Date.now();
const files = [];
for (const sourceRoot of sourceRoots)
  for await (const f of walk(join(root, sourceRoot))) files.push(f);

await Promise.all(
  files.map(async (file) => {
    if (isAsset(file)) {
      const target = join(outDir, relative(root, file));
      await mkdir(dirname(target), { recursive: true });
      await writeAtomically(target, await readFile(file));
      return;
    }
    const target = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
    const output = await transformFile(file, {
      ...swcrc,
      swcrc: false,
      jsc: { ...swcrc.jsc, baseUrl: root, paths: tsconfig.compilerOptions.paths },
      sourceFileName: relative(dirname(target), file),
    });
    await mkdir(dirname(target), { recursive: true });
    await writeAtomically(
      target,
      `${output.code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`,
    );
    if (output.map) await writeAtomically(`${target}.map`, output.map);
  }),
);

// Outputs of sources that were deleted or renamed since the last build.
const expected = new Set(
  files.flatMap((file) => {
    const target = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
    return [target, `${target}.map`];
  }),
);
for (const sourceRoot of sourceRoots) {
  for await (const output of walkOutputs(join(outDir, sourceRoot))) {
    if (!expected.has(output)) await rm(output, { force: true });
  }
}
console.log(`built ${files.length} files into dist/ in ${Date.now() - started} ms`);
