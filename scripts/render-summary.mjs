// Renders a job summary (markdown) to docs/summary.png for the README, with
// headless Chromium: `node scripts/render-summary.mjs path/to/summary.md`.
// The Mermaid chart is left as its source; GitHub draws it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marked } from 'marked';

const [input, output = 'docs/summary.png'] = process.argv.slice(2);
if (!input) {
  console.error('usage: node scripts/render-summary.mjs SUMMARY.md [OUT.png]');
  process.exit(2);
}
const markdown = readFileSync(input, 'utf8').replace(/```mermaid[\s\S]*?```\n+(_Lines[^\n]*\n)?/, '');
const css = `body{font:14px -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;max-width:980px;margin:24px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d1d9e0;padding:4px 10px}th{background:#f6f8fa}
pre{background:#f6f8fa;padding:12px;border-radius:6px;font-size:12.5px}code{font-family:ui-monospace,Menlo,monospace}
h2{border-bottom:1px solid #d1d9e0;padding-bottom:6px}a{color:#0969da;text-decoration:none}`;
const dir = mkdtempSync(join(tmpdir(), 'rhg-render-'));
const html = join(dir, 'summary.html');
writeFileSync(html, `<!doctype html><meta charset="utf-8"><style>${css}</style>${marked.parse(markdown)}`);
execFileSync('chromium', [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`, '--hide-scrollbars',
  '--window-size=1030,1180', `--screenshot=${join(process.cwd(), output)}`, `file://${html}`,
], { stdio: 'ignore' });
console.log(`wrote ${output}`);
