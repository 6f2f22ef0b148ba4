// Bundles the action (dist/index.js) and the CLI (dist/cli.js) into single ESM files.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// CommonJS dependencies call require(); ESM output has none unless we make one.
const banner = "import { createRequire as __rhgCreateRequire } from 'node:module'; const require = __rhgCreateRequire(import.meta.url);";

const common = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  legalComments: 'linked',
  banner: { js: banner },
  define: { __VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
};

await build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js' });
await build({ ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: `#!/usr/bin/env node\n${banner}` } });
