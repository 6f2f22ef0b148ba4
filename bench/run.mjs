// `npm run bench`: bundles bench/bench.ts into .build/ (never dist/, which holds the shipped action) and runs it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
// CommonJS dependencies call require(); ESM output has none unless we make one.
const banner = "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);";

// `npm run bench -- ingest` runs the local tracker's ingest benchmark instead (bench/ingest.ts),
// `npm run bench -- prior-study` the study behind the e-value priors (bench/prior-study.ts),
// and `npm run bench -- rate-ratio` the Poisson rate-ratio test's (bench/rate-ratio.ts).
const other = ['ingest', 'prior-study', 'rate-ratio'].includes(process.argv[2]) ? process.argv[2] : undefined;
const ingest = other === 'ingest';
const args = process.argv.slice(other ? 3 : 2);
const outfile = `${root}.build/${other === 'rate-ratio' ? 'rate-ratio' : other ? `${other}-bench` : 'bench'}.mjs`;
await build({
  entryPoints: [`${root}bench/${other ?? 'bench'}.ts`],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  banner: { js: banner },
  define: { __VERSION__: '"bench"' },
  logLevel: 'warning',
});
const { status, signal } = spawnSync(process.execPath, [...(ingest ? ['--expose-gc'] : []), outfile, ...args], { stdio: 'inherit', cwd: root });
process.exitCode = status ?? (signal ? 1 : 0);
