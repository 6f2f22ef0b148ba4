// Extracts the part of Sentry's published OpenAPI document (openapi-derefed.json,
// every $ref already inlined) that the tests validate against, so the tests
// read a file inside the repository:
//   node scripts/extract-openapi-subset.mjs PATH/TO/openapi-derefed.json
// writes test/fixtures/sentry-openapi/openapi-subset.json. Operations are
// copied unchanged; only paths outside PATHS and unused top-level parts are left out.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

// Every path a release-health gate, the local tracker or sentry-cli's releases
// and deploys commands use. A whole family is kept (not only the paths hit) so
// that matchPath still prefers the most specific template, as against the full document.
const PATHS = [
  /^\/api\/0\/organizations\/\{organization_id_or_slug\}\/(releases\/.*|repos\/.*|sessions\/|issues\/|projects\/)$/,
  /^\/api\/0\/projects\/\{organization_id_or_slug\}\/\{project_id_or_slug\}\/(releases\/.*|issues\/)$/,
];
const OUT = new URL('../test/fixtures/sentry-openapi/openapi-subset.json', import.meta.url);

const [input] = process.argv.slice(2);
if (!input) {
  console.error('usage: node scripts/extract-openapi-subset.mjs PATH/TO/openapi-derefed.json');
  process.exit(2);
}
const raw = readFileSync(input);
const doc = JSON.parse(raw.toString('utf8'));
if (typeof doc.openapi !== 'string' || typeof doc.paths !== 'object') {
  console.error(`${input}: not an OpenAPI document (no openapi or paths)`);
  process.exit(1);
}
const paths = Object.fromEntries(Object.entries(doc.paths).filter(([p]) => PATHS.some((re) => re.test(p))));
const subset = {
  openapi: doc.openapi,
  info: doc.info,
  servers: doc.servers,
  paths,
  components: { securitySchemes: doc.components?.securitySchemes ?? {} },
};
const text = `${JSON.stringify(subset, null, 1)}\n`;
writeFileSync(OUT, text);
const sha = (b) => createHash('sha256').update(b).digest('hex');
console.log(`source sha256 ${sha(raw)}; kept ${Object.keys(paths).length} of ${Object.keys(doc.paths).length} paths`);
console.log(`wrote ${OUT.pathname.replace(/^.*\/(test\/)/, '$1')} (${Buffer.byteLength(text)} bytes, sha256 ${sha(text)})`);
