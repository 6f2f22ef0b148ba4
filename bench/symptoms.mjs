// Bundles bench/symptoms.ts into .build/ (never dist/) and runs it; see that file.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const banner = "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);";
const outfile = `${root}.build/symptoms-bench.mjs`;
await build({
  entryPoints: [`${root}bench/symptoms.ts`],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  banner: { js: banner },
  define: { __VERSION__: '"bench"' },
  logLevel: 'warning',
});
const { status, signal } = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exitCode = status ?? (signal ? 1 : 0);
