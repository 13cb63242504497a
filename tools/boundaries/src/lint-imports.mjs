// Lints import statements as if they were files at given paths of the workspace, with the real
// eslint.config.mjs, and prints each file's module-boundary errors as JSON.
// stdin: [{ "filePath": "apps/shopify-sim/src/x.ts", "code": "import …" }, …]
// stdout: [{ "filePath": …, "boundaryErrors": ["…"], "fatal": ["…"] }, …]
// A child process of the spec because ESLint loads its (ES module) config with a dynamic import,
// which Jest's module sandbox cannot run. The files are linted from memory; none is written.
// Only the boundary rule runs, without type information: it needs none, and building a
// TypeScript program for each project would take minutes on a busy machine.
import { ESLint } from 'eslint';
import { createProjectGraphAsync } from 'nx/src/devkit-exports.js';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const files = JSON.parse(readFileSync(0, 'utf8'));
// The boundary rule reads the project graph Nx last cached; computing it now makes a project or
// tag added since the last Nx command count.
process.chdir(root);
await createProjectGraphAsync({ exitOnError: true });
const eslint = new ESLint({
  cwd: root,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === '@nx/enforce-module-boundaries',
});
const results = [];
for (const { filePath, code } of files) {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  results.push({
    filePath,
    boundaryErrors: result.messages
      .filter((m) => m.ruleId === '@nx/enforce-module-boundaries')
      .map((m) => m.message),
    // a file that does not parse was never checked: the spec fails on it rather than pass
    fatal: result.messages.filter((m) => m.fatal || !m.ruleId).map((m) => m.message),
  });
}
process.stdout.write(JSON.stringify(results));
