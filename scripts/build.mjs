// Bundles the action (dist/index.js, with the chunks it imports on demand under dist/chunks/) and the CLI (dist/cli.js) into ESM files.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// CommonJS dependencies call require(); ESM output has none unless we make one.
const banner = "import { createRequire as __rhgCreateRequire } from 'node:module'; const require = __rhgCreateRequire(import.meta.url);";

// @actions/core imports these two for getIDToken() and `platform`, which the
// action never uses; without the flag esbuild keeps them for possible side
// effects, and with them @actions/http-client and all of undici load at start-up.
const unusedCoreModules = {
  name: 'unused-core-modules',
  setup(b) {
    b.onResolve({ filter: /^\.\/(oidc-utils|platform)\.js$/ }, async (args) => {
      if (args.pluginData === 'resolving' || !/[\\/]@actions[\\/]core[\\/]/.test(args.importer)) return undefined;
      const resolved = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'resolving' });
      return { ...resolved, sideEffects: false };
    });
  },
};

// undici's Client requires its HTTP/2 half, and with it node:http2 and node:tls,
// when it loads; only a TLS connection that negotiates h2 calls it. Requiring it
// on that first call keeps both out of plain-HTTP runs (about 2 MiB of peak memory).
const lazyHttp2Client = {
  name: 'lazy-http2-client',
  setup(b) {
    b.onLoad({ filter: /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/ }, (args) => {
      const eager = "const connectH2 = require('./client-h2.js')";
      const source = readFileSync(args.path, 'utf8');
      // Fail the build, rather than ship the eager require, if undici changes the line.
      if (source.split(eager).length !== 2) throw new Error(`${args.path}: expected one "${eager}"`);
      return { contents: source.replace(eager, "const connectH2 = (...args) => require('./client-h2.js')(...args)"), loader: 'js' };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  legalComments: 'linked',
  banner: { js: banner },
  define: { __VERSION__: JSON.stringify(pkg.version) },
  plugins: [unusedCoreModules, lazyHttp2Client],
  logLevel: 'warning',
};

rmSync('dist/chunks', { recursive: true, force: true });
// Split so that code behind a dynamic import() (Octokit, for commits, rollbacks and
// deployments) is not parsed on every run: V8 holds a parse zone proportional to
// the script it compiles, which is a good part of the action's peak memory.
await build({ ...common, entryPoints: { index: 'src/index.ts' }, outdir: 'dist', splitting: true, chunkNames: 'chunks/[name]-[hash]' });
await build({ ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: `#!/usr/bin/env node\n${banner}` } });
