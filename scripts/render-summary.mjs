// Renders a job summary (markdown) to a PNG with headless Chromium:
//   node scripts/render-summary.mjs path/to/summary.md [OUT.png]
// OUT defaults to .build/summary.png; pass docs/summary.png to update the README's picture.
// The Mermaid chart is left out; GitHub draws it. Chromium comes from $CHROMIUM or PATH.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { marked } from 'marked';

const BROWSERS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

class Failure extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}
function fail(message, code = 1) {
  throw new Failure(message, code);
}

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findChromium() {
  if (process.env.CHROMIUM) {
    if (!executable(process.env.CHROMIUM)) fail(`CHROMIUM=${process.env.CHROMIUM} is not an executable file`);
    return process.env.CHROMIUM;
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of BROWSERS) if (executable(join(dir, name))) return join(dir, name);
  }
  return fail(
    `no Chromium found (looked for ${BROWSERS.join(', ')} on PATH). Install one (Debian: apt-get install chromium) or set CHROMIUM=/path/to/chromium.`,
  );
}

function main() {
  const args = process.argv.slice(2);
  if (args.length < 1 || args.length > 2 || args.some((a) => a.startsWith('-'))) {
    fail('usage: node scripts/render-summary.mjs SUMMARY.md [OUT.png] (OUT defaults to .build/summary.png)', 2);
  }
  const [input, output = '.build/summary.png'] = args;
  if (!output.endsWith('.png')) fail(`${output}: the output must be a .png file`, 2);
  let source;
  try {
    source = readFileSync(input, 'utf8');
  } catch (error) {
    fail(`cannot read ${input}: ${error.code ?? error.message}`, 2);
  }
  const chromium = findChromium();

  const markdown = source.replace(/```mermaid[\s\S]*?```\n+(_Lines[^\n]*\n)?/, '');
  const css = `body{font:14px -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;max-width:980px;margin:24px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d1d9e0;padding:4px 10px}th{background:#f6f8fa}
pre{background:#f6f8fa;padding:12px;border-radius:6px;font-size:12.5px}code{font-family:ui-monospace,Menlo,monospace}
h2{border-bottom:1px solid #d1d9e0;padding-bottom:6px}a{color:#0969da;text-decoration:none}`;
  const dir = mkdtempSync(join(tmpdir(), 'rhg-render-'));
  try {
    const html = join(dir, 'summary.html');
    const shot = join(dir, 'summary.png');
    writeFileSync(html, `<!doctype html><meta charset="utf-8"><style>${css}</style>${marked.parse(markdown)}`);
    const run = spawnSync(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--hide-scrollbars',
        '--window-size=1030,1180',
        `--screenshot=${shot}`,
        `file://${html}`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (run.error || run.status !== 0) {
      const why = run.error ? run.error.message : `exit ${run.status ?? run.signal}`;
      const last = (run.stderr ?? '').trim().split('\n').at(-1) ?? '';
      fail(`${chromium} failed (${why})${last ? `: ${last.slice(0, 300)}` : ''}`);
    }
    if (!existsSync(shot)) fail(`${chromium} exited 0 but wrote no screenshot`);
    // Only a finished screenshot replaces the output, so a failed run leaves the old picture.
    mkdirSync(dirname(resolve(output)), { recursive: true });
    copyFileSync(shot, output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`wrote ${output}`);
}

try {
  main();
} catch (error) {
  // One line, never a stack: a missing browser or file is not a bug of this script.
  console.error(`render-summary: ${error instanceof Failure ? error.message : String(error?.message ?? error)}`);
  process.exitCode = error instanceof Failure ? error.code : 1;
}
