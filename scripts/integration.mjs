// npm run test:integration: tests that drive software from Debian's packages
// (sentry-python, python3-sentry-sdk; Alertmanager, prometheus-alertmanager;
// Prometheus, prometheus). Installs what is missing with
// apt-get when it can (root), and fails loudly when it cannot: these tests
// never skip themselves.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
// Debian's python: the package installs into it, not into another python on PATH.
const PYTHON = '/usr/bin/python3';
const NEEDS = [
  { pkg: 'python3-sentry-sdk', present: () => ok(PYTHON, ['-c', 'import sentry_sdk']) },
  { pkg: 'prometheus-alertmanager', present: () => ok('/usr/bin/prometheus-alertmanager', ['--version']) },
  { pkg: 'prometheus', present: () => ok('/usr/bin/prometheus', ['--version']) },
];

function ok(cmd, args) {
  return spawnSync(cmd, args, { stdio: 'ignore', timeout: 30_000 }).status === 0;
}

function run(cmd, args) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  return res.status ?? 1;
}

const missing = NEEDS.filter((n) => !n.present());
if (missing.length) {
  const pkgs = missing.map((n) => n.pkg);
  const root_ = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root_ || !ok('apt-get', ['--version'])) {
    console.error(`test:integration needs the Debian packages ${pkgs.join(', ')}: install them (apt-get install ${pkgs.join(' ')}) and run again.`);
    process.exit(1);
  }
  console.error(`installing ${pkgs.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env }).status;
  if (apt(['update']) !== 0 || apt(['install', '-y', '--no-install-recommends', ...pkgs]) !== 0 || missing.some((n) => !n.present())) {
    console.error(`test:integration: could not install ${pkgs.join(', ')} with apt-get`);
    process.exit(1);
  }
}

process.exit(run(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.integration.config.ts']));
