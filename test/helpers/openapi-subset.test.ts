import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { matchPath } from './openapi';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('the tests are hermetic', () => {
  it('no source, test or script reads the steering folder next to the repository', () => {
    const offenders = ['src', 'test', 'scripts', 'bench']
      .flatMap((d) => filesUnder(join(ROOT, d)))
      .filter((f) => /\.(ts|mjs|js|json)$/.test(f))
      .filter((f) => /\.\.\/shared\b|\.\.\/\.\.\/\.\.\/shared/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('the vendored subset has every path the gate, the local tracker and sentry-cli use', () => {
    const org = '/api/0/organizations/{organization_id_or_slug}';
    const proj = '/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}';
    for (const [path, template] of [
      ['/api/0/organizations/acme/releases/', `${org}/releases/`],
      ['/api/0/organizations/acme/releases/v%401/', `${org}/releases/{version}/`],
      ['/api/0/organizations/acme/releases/v%401/deploys/', `${org}/releases/{version}/deploys/`],
      ['/api/0/organizations/acme/releases/v%401/commits/', `${org}/releases/{version}/commits/`],
      ['/api/0/organizations/acme/repos/', `${org}/repos/`],
      ['/api/0/organizations/acme/projects/', `${org}/projects/`],
      ['/api/0/organizations/acme/sessions/', `${org}/sessions/`],
      ['/api/0/organizations/acme/issues/', `${org}/issues/`],
      ['/api/0/projects/acme/shop-web/releases/', `${proj}/releases/`],
      ['/api/0/projects/acme/shop-web/releases/v%401/commits/', `${proj}/releases/{version}/commits/`],
    ]) {
      expect(matchPath(path!), path).toBe(template);
    }
  });
});
