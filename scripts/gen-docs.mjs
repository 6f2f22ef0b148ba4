// Generates, from action.yml, the CLI's flag reference (src/cli/input-docs.ts) and the
// README's input and output tables, so none of them can drift from the action.
// `--check` exits 1 when a generated file is out of date (CI runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

const root = new URL('../', import.meta.url);
const action = parse(readFileSync(new URL('action.yml', root), 'utf8'));
const check = process.argv.includes('--check');
let stale = false;

function emit(path, text) {
  const url = new URL(path, root);
  let old = '';
  try {
    old = readFileSync(url, 'utf8');
  } catch {
    // a file that does not exist yet is simply out of date
  }
  if (old === text) return;
  if (check) {
    console.error(`${path} is out of date: run npm run docs`);
    stale = true;
  } else writeFileSync(url, text);
}

const inputs = Object.entries(action.inputs).map(([name, i]) => ({ name, description: i.description, default: String(i.default ?? '') }));
const outputs = Object.entries(action.outputs).map(([name, o]) => ({ name, description: o.description }));

emit(
  'src/cli/input-docs.ts',
  `// Generated from action.yml by scripts/gen-docs.mjs: do not edit.\nexport const INPUT_DOCS: readonly { name: string; description: string; default: string }[] = ${JSON.stringify(inputs, null, 2)};\n`,
);

const cell = (s) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const inputTable = [
  '| Input | Default | Description |',
  '| --- | --- | --- |',
  ...inputs.map((i) => `| \`${i.name}\` | ${i.default ? `\`${cell(i.default)}\`` : ''} | ${cell(i.description)} |`),
].join('\n');
const outputTable = ['| Output | Description |', '| --- | --- |', ...outputs.map((o) => `| \`${o.name}\` | ${cell(o.description)} |`)].join('\n');

const readmeUrl = new URL('README.md', root);
let readme = readFileSync(readmeUrl, 'utf8');
const replace = (text, tag, body) => text.replace(new RegExp(`(<!-- ${tag}:start -->)[\\s\\S]*?(<!-- ${tag}:end -->)`), `$1\n${body}\n$2`);
readme = replace(replace(readme, 'inputs', inputTable), 'outputs', outputTable);
emit('README.md', readme);
if (stale) process.exit(1);
