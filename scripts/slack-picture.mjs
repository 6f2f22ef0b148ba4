// The README's picture of the Slack message, drawn from a real payload:
//   npm run build && node scripts/slack-picture.mjs [OUT_DIR]
// Runs the bundled CLI's gate against the bundled local tracker (scenario
// crash-spike, one scenario minute a second), with --slack-webhook-url pointing
// at a server here that records what arrives; writes that payload as
// OUT_DIR/slack-message.json and draws its blocks as OUT_DIR/slack-message.svg
// (default docs/). The drawing is a plain layout of the blocks (header, text,
// fields, buttons, context) in Slack's fonts and colours, not a screenshot.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const cli = join(root, 'dist/cli.js');
const outDir = process.argv[2] ?? join(root, 'docs');
const TOKEN = 'sntryu_picture_token_not_secret';

async function capturePayload() {
  let payload = null;
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      payload = JSON.parse(body);
      res.end('ok');
    });
  });
  await new Promise((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const tracker = spawn(process.execPath, [cli, 'tracker', '--scenario', 'crash-spike', '--minute-ms', '1000', '--token', TOKEN], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      tracker.stdout.on('data', (d) => {
        out += d;
        const m = /local tracker: (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      tracker.on('exit', (code) => reject(new Error(`the tracker exited (${code})`)));
    });
    const args = ['gate', '--sentry-url', url, '--sentry-org', 'acme', '--sentry-projects', 'shop-web', '--release', 'shop-web@2.0.0', '--set-commits', 'skip'];
    args.push('--window', '12s', '--interval', '2s', '--initial-delay', '2s', '--settle', '0s');
    args.push('--runbook-url', 'https://wiki.example/runbooks/shop-web', '--dashboard-url', 'https://grafana.example/d/shop-web');
    args.push('--slack-webhook-url', `http://127.0.0.1:${hook.address().port}/services/T000/B000/picture`);
    const env = {
      PATH: process.env.PATH,
      SENTRY_AUTH_TOKEN: TOKEN,
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_RUN_ID: '4242',
      GITHUB_SERVER_URL: 'https://github.com',
    };
    const code = await new Promise((resolve) => spawn(process.execPath, [cli, ...args], { env, stdio: 'ignore' }).on('exit', resolve));
    if (payload === null) throw new Error(`the gate exited ${code} and sent no Slack message`);
    return payload;
  } finally {
    tracker.kill('SIGTERM');
    hook.close();
  }
}

const xml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
// mrkdwn as Slack shows it: its escapes decoded, *bold* in bold.
const unescapeSlack = (s) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\u2060/g, '');
const CHAR_W = 7.4;

/** Lines of at most `width` px, breaking at spaces; each line a list of [text, bold] runs. */
function layout(mrkdwn, width) {
  const runs = [];
  unescapeSlack(mrkdwn)
    .split(/(\*[^*\n]+\*)/)
    .forEach((part) => part && runs.push(part.startsWith('*') && part.endsWith('*') && part.length > 2 ? [part.slice(1, -1), true] : [part, false]));
  const lines = [[]];
  let used = 0;
  const max = Math.floor(width / CHAR_W);
  for (const [text, bold] of runs) {
    for (const [i, para] of text.split('\n').entries()) {
      if (i > 0) {
        lines.push([]);
        used = 0;
      }
      for (const word of para.split(/(?<= )/)) {
        if (used + word.length > max && used > 0) {
          lines.push([]);
          used = 0;
        }
        lines.at(-1).push([word, bold]);
        used += word.length;
      }
    }
  }
  return lines;
}

function textLines(lines, x, y, opts = {}) {
  return lines
    .map((line, i) => {
      const spans = line.map(([t, b]) => `<tspan${b ? ' font-weight="700"' : ''}>${xml(t)}</tspan>`).join('');
      return `<text x="${x}" y="${y + i * (opts.lineHeight ?? 20)}" font-size="${opts.size ?? 15}" fill="${opts.fill ?? '#1d1c1d'}">${spans}</text>`;
    })
    .join('\n');
}

function draw(payload) {
  const W = 760;
  const left = 72;
  const width = W - left - 24;
  const parts = [];
  let y = 34;
  parts.push(
    `<rect x="16" y="14" width="40" height="40" rx="6" fill="#e01e5a"/><text x="36" y="41" font-size="18" fill="#fff" text-anchor="middle" font-weight="700">RH</text>`,
  );
  parts.push(
    `<text x="${left}" y="${y}" font-size="15" font-weight="900" fill="#1d1c1d">release-health-gate <tspan font-size="11" font-weight="700" fill="#616061">APP</tspan></text>`,
  );
  y += 14;
  for (const block of payload.blocks) {
    if (block.type === 'header') {
      const lines = layout(`*${block.text.text}*`, width / 1.2);
      y += 22;
      parts.push(textLines(lines, left, y, { size: 18, lineHeight: 24 }));
      y += (lines.length - 1) * 24 + 6;
    } else if (block.type === 'section' && block.text) {
      const lines = layout(block.text.text, width);
      y += 24;
      parts.push(textLines(lines, left, y));
      y += (lines.length - 1) * 20;
    } else if (block.type === 'section' && block.fields) {
      y += 8;
      for (let i = 0; i < block.fields.length; i += 2) {
        const cells = block.fields.slice(i, i + 2).map((f) => layout(f.text, width / 2 - 12));
        const rows = Math.max(...cells.map((c) => c.length));
        cells.forEach((c, j) => parts.push(textLines(c, left + j * (width / 2), y + 16)));
        y += rows * 20 + 8;
      }
    } else if (block.type === 'actions') {
      y += 14;
      let x = left;
      for (const b of block.elements) {
        const w = b.text.text.length * CHAR_W + 28;
        const danger = b.style === 'danger';
        parts.push(
          `<rect x="${x}" y="${y}" width="${w}" height="30" rx="4" fill="${danger ? '#e01e5a' : '#fff'}" stroke="${danger ? '#e01e5a' : '#c4c4c4'}"/>`,
        );
        parts.push(
          `<text x="${x + w / 2}" y="${y + 20}" font-size="14" font-weight="700" text-anchor="middle" fill="${danger ? '#fff' : '#1d1c1d'}">${xml(b.text.text)}</text>`,
        );
        x += w + 8;
      }
      y += 30;
    } else if (block.type === 'context') {
      y += 26;
      parts.push(textLines(layout(block.elements.map((e) => e.text).join('  '), width), left, y, { size: 12, fill: '#616061' }));
    }
  }
  const H = y + 24;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Lato, 'Helvetica Neue', Helvetica, Arial, sans-serif">
<title>The Slack message release-health-gate posts for a failed release (drawn from the payload in slack-message.json)</title>
<rect width="${W}" height="${H}" fill="#fff"/>
<rect x="${left - 12}" y="52" width="4" height="${H - 72}" rx="2" fill="#e01e5a"/>
${parts.join('\n')}
</svg>
`;
}

const payload = await capturePayload();
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'slack-message.json'), `${JSON.stringify(payload, null, 2)}\n`);
writeFileSync(join(outDir, 'slack-message.svg'), draw(payload));
console.log(`wrote ${join(outDir, 'slack-message.json')} and ${join(outDir, 'slack-message.svg')}`);
