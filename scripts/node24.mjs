// Runs a script on Node 24, the action's runtime. When the node that started
// npm is older (Node 20 is still common), it installs the registry's node@24
// package into .tools/ once and runs the script with that binary instead, so
// `npm run demo` and `npm test` work on a fresh machine either way.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const tools = join(root, '.tools');
const local = join(tools, 'node_modules', '.bin', process.platform === 'win32' ? 'node.cmd' : 'node');

function node24() {
  if (Number(process.versions.node.split('.')[0]) >= 24) return process.execPath;
  if (!existsSync(local)) {
    console.error(`node ${process.version} is older than the action's runtime: installing node@24 into .tools/ (once)`);
    mkdirSync(tools, { recursive: true });
    if (!existsSync(join(tools, 'package.json'))) writeFileSync(join(tools, 'package.json'), '{"private":true}\n');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const res = spawnSync(npm, ['install', '--prefix', tools, '--no-save', '--no-audit', '--no-fund', 'node@24'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (res.status !== 0 || !existsSync(local)) {
      console.error('could not install node@24; install Node 24 and run again');
      process.exit(1);
    }
  }
  return local;
}

const child = spawn(node24(), process.argv.slice(2), { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
