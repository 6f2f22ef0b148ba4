import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = join(ROOT, 'scripts/render-summary.mjs');
const PICTURE = join(ROOT, 'docs/summary.png');

/** A folder with only node on PATH (no browser), a summary to render, and optionally a fake browser. */
function sandbox(browser?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'rhg-render-test-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(dir, 'summary.md'), '## Release health gate: FAIL\n\n| check | value |\n| --- | --- |\n| crash-free users | 95.3% |\n');
  if (browser) {
    writeFileSync(join(bin, 'chromium'), `#!/bin/sh\n${browser}\n`);
    chmodSync(join(bin, 'chromium'), 0o755);
  }
  const run = (args: string[]) =>
    spawnSync(process.execPath, [SCRIPT, ...args], { cwd: dir, env: { PATH: `${bin}:${dirname(process.execPath)}`, HOME: dir }, encoding: 'utf8' });
  return { dir, run };
}

// Writes a PNG signature to the --screenshot=PATH argument, as Chromium would write the picture.
const FAKE_OK = 'for a in "$@"; do case "$a" in --screenshot=*) printf "\\211PNG fake" > "${a#--screenshot=}";; esac; done';

describe('scripts/render-summary.mjs', () => {
  it('without Chromium: one line saying what to install, no stack, exit 1, and no picture touched', () => {
    const before = readFileSync(PICTURE);
    const { dir, run } = sandbox();
    const r = run(['summary.md']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^render-summary: no Chromium found \(looked for chromium, .*\)\. Install one .* or set CHROMIUM=/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, '.build/summary.png'))).toBe(false);
    expect(readFileSync(PICTURE).equals(before)).toBe(true);
  });

  it('writes .build/summary.png by default, never the committed docs/summary.png', () => {
    const before = readFileSync(PICTURE);
    const { dir, run } = sandbox(FAKE_OK);
    const r = run(['summary.md']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('wrote .build/summary.png\n');
    expect(readFileSync(join(dir, '.build/summary.png'), 'latin1')).toBe('\x89PNG fake');
    expect(readFileSync(PICTURE).equals(before)).toBe(true);
  });

  it('a failing browser leaves the existing picture alone and says why in one line', () => {
    const { dir, run } = sandbox('echo "[0101/000000.000:ERROR:zygote] cannot start" >&2; exit 3');
    writeFileSync(join(dir, 'out.png'), 'old');
    const r = run(['summary.md', 'out.png']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^render-summary: \S+chromium failed \(exit 3\): \[0101\/000000\.000:ERROR:zygote\] cannot start\n$/);
    expect(readFileSync(join(dir, 'out.png'), 'utf8')).toBe('old');
  });

  it('bad arguments and a missing summary are usage errors (exit 2)', () => {
    const { run } = sandbox(FAKE_OK);
    expect(run([]).status).toBe(2);
    expect(run(['summary.md', 'out.jpg']).stderr).toBe('render-summary: out.jpg: the output must be a .png file\n');
    const missing = run(['nope.md']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('render-summary: cannot read nope.md: ENOENT\n');
  });
});
