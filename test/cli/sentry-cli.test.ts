/**
 * The real sentry-cli binary (the npm package's platform binary) driven against
 * `release-health-gate tracker --log`, as a user rehearsing a pipeline would:
 * every `releases` and `deploys` command, each checked by what sentry-cli
 * prints and by the requests the tracker logged for it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ENTRY } from '../helpers/action';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SENTRY_CLI = join(ROOT, 'node_modules/@sentry/cli/bin/sentry-cli');
const TOKEN = 'sntryu_local_tracker_cli_token_5f0c';
const V = 'shop-web@3.0.0';
const ORG = '/api/0/organizations/acme';

let tracker: ChildProcess;
let url = '';
const log: string[] = [];
let home = '';
let repo = '';
const shas: string[] = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Lines the tracker logged while the command ran. */
  requests: string[];
}

async function settle(): Promise<void> {
  // The tracker logs a request once its answer is sent; give the last line time to arrive.
  let n = -1;
  while (n !== log.length) {
    n = log.length;
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function sentryCli(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<Run> {
  await settle();
  const from = log.length;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    SENTRY_URL: url,
    SENTRY_AUTH_TOKEN: TOKEN,
    SENTRY_ORG: 'acme',
    SENTRY_PROJECT: 'shop-web',
    // No update check (3.x sends no telemetry); HOME holds no ~/.sentryclirc.
    SENTRY_DISABLE_UPDATE_CHECK: '1',
  };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = spawn(process.execPath, [SENTRY_CLI, ...args], { cwd: opts.cwd ?? home, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  await settle();
  return { code, stdout, stderr, requests: log.slice(from) };
}

function git(args: string[]): string {
  return execFileSync('git', args, {
    cwd: repo,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Dana',
      GIT_AUTHOR_EMAIL: 'dana@example.com',
      GIT_COMMITTER_NAME: 'Dana',
      GIT_COMMITTER_EMAIL: 'dana@example.com',
    },
    encoding: 'utf8',
  }).trim();
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rhg-sentry-cli-home-'));
  repo = mkdtempSync(join(tmpdir(), 'rhg-sentry-cli-repo-'));
  git(['init', '-q', '-b', 'main']);
  git(['remote', 'add', 'origin', 'https://github.com/acme/shop.git']);
  for (const n of [1, 2, 3]) {
    writeFileSync(join(repo, `f${n}.txt`), `${n}\n`);
    git(['add', '.']);
    git(['commit', '-q', '-m', `change ${n}`]);
    shas.push(git(['rev-parse', 'HEAD']));
  }

  tracker = spawn(process.execPath, [CLI_ENTRY, 'tracker', '--log', '--token', TOKEN], {
    env: { PATH: process.env.PATH ?? '', HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffered = '';
  url = await new Promise<string>((resolve, reject) => {
    tracker.once('exit', (code) => reject(new Error(`tracker exited ${code}`)));
    tracker.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const started = /^local tracker: (http:\/\/127\.0\.0\.1:\d+) /.exec(line);
        if (started) resolve(started[1]!);
        else log.push(line);
      }
    });
  });
});

afterAll(async () => {
  if (tracker.exitCode === null) {
    const exited = new Promise((r) => tracker.once('exit', r));
    tracker.kill('SIGTERM');
    await exited;
  }
});

describe('sentry-cli 3 against release-health-gate tracker', () => {
  it('is the npm package binary, run offline', async () => {
    const run = await sentryCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^sentry-cli 3\.\d+\.\d+/);
    expect(run.requests).toEqual([]);
  });

  it("info: the index endpoint answers with the token's scopes", async () => {
    const run = await sentryCli(['info']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Sentry Server: ${url}`);
    expect(run.stdout).toMatch(/Scopes:\n\s+- org:read\n\s+- project:releases\n\s+- event:read/);
    expect(run.requests).toEqual(['GET /api/0/ 200']);
  });

  it('releases new (with dateStarted, in nanoseconds)', async () => {
    const run = await sentryCli(['releases', 'new', V]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`Created release ${V}\n`);
    expect(run.requests).toEqual([`POST ${ORG}/releases/ 201`]);
  });

  it('releases set-commits --commit REPO@SHA and REPO@PREV..SHA: the repo list with an empty cursor, then refs', async () => {
    const one = await sentryCli(['releases', 'set-commits', V, '--commit', `acme/shop@${shas[2]}`]);
    expect(one.stderr).toBe('');
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(shas[2]!.slice(0, 12));
    expect(one.requests).toEqual([`GET ${ORG}/repos/?cursor= 200`, `POST ${ORG}/releases/ 208`, `PUT ${ORG}/releases/${V}/ 200`]);

    const range = await sentryCli(['releases', 'set-commits', V, '--commit', `acme/shop@${shas[0]!.slice(0, 7)}..${shas[2]!.slice(0, 7)}`]);
    expect(range.code).toBe(0);
    expect(range.stdout).toContain(`${shas[0]!.slice(0, 7)} -> ${shas[2]!.slice(0, 7)}`);
    expect(range.requests).toEqual(one.requests);

    const unknown = await sentryCli(['releases', 'set-commits', V, '--commit', 'nope/repo@abc123']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Unknown repo 'nope/repo'");
  });

  it('releases set-commits --local: the previous release with commits, then the local git history', async () => {
    // The seeded previous release's commit is not in this repository: --ignore-missing takes the default depth.
    const run = await sentryCli(['releases', 'set-commits', V, '--local', '--ignore-missing'], { cwd: repo });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Success! Set commits for release ${V}`);
    expect(run.requests).toEqual([
      `GET ${ORG}/repos/?cursor= 200`,
      `POST ${ORG}/releases/ 208`,
      `GET ${ORG}/releases/${V}/previous-with-commits/ 200`,
      `PUT ${ORG}/releases/${V}/ 200`,
    ]);
    const info = await sentryCli(['releases', 'info', V, '--show-commits']);
    for (const sha of shas) expect(info.stdout).toContain(sha);
    expect(info.requests).toEqual([`GET ${ORG}/releases/${V}/ 200`, `GET ${ORG}/releases/${V}/commits/ 200`]);
  });

  it('releases set-commits --auto finds the head in the local clone of a connected repository', async () => {
    const run = await sentryCli(['releases', 'set-commits', V, '--auto'], { cwd: repo });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(shas[2]!.slice(0, 12));
    expect(run.requests).toEqual([`GET ${ORG}/repos/?cursor= 200`, `POST ${ORG}/releases/ 208`, `PUT ${ORG}/releases/${V}/ 200`]);
  });

  it('releases finalize (dateReleased in nanoseconds), list (project-scoped and org-wide), info', async () => {
    const fin = await sentryCli(['releases', 'finalize', V]);
    expect(fin.code).toBe(0);
    expect(fin.stdout).toBe(`Finalized release ${V}\n`);
    expect(fin.requests).toEqual([`PUT ${ORG}/releases/${V}/ 200`]);

    const list = await sentryCli(['releases', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`\\| \\d+ seconds? ago +\\| ${V} `));
    expect(list.stdout).toMatch(/\| 3 hours ago +\| shop-web@1\.4\.0 +\| 1 /);
    expect(list.requests).toEqual(['GET /api/0/projects/acme/shop-web/releases/ 200']);

    const all = await sentryCli(['releases', 'list', '--raw'], { env: { SENTRY_PROJECT: undefined } });
    expect(all.code).toBe(0);
    expect(all.stdout).toBe(`${V}\nshop-web@1.4.0\n`);
    expect(all.requests).toEqual([`GET ${ORG}/releases/ 200`]);

    const info = await sentryCli(['releases', 'info', V, '--show-projects']);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(new RegExp(`\\| ${V} +\\| \\d{4}-\\d\\d-\\d\\d [\\d:.]+ UTC +\\| shop-web `));
    const missing = await sentryCli(['releases', 'info', 'shop-web@9.9.9']);
    expect(missing.requests).toEqual([`GET ${ORG}/releases/shop-web@9.9.9/ 404`]);
  });

  it('deploys new and deploys list', async () => {
    const made = await sentryCli(['deploys', 'new', '-r', V, '-e', 'staging', '-n', 'web-1', '-u', 'https://ci.example/runs/1', '-t', '42']);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    expect(made.stdout).toBe("Created new deploy web-1 for 'staging'\n");
    expect(made.requests).toEqual([`POST ${ORG}/releases/${V}/deploys/ 201`]);
    const timed = await sentryCli(['deploys', 'new', '-r', V, '-e', 'production', '--started', '1764000000', '--finished', '1764000100']);
    expect(timed.code).toBe(0);

    const list = await sentryCli(['deploys', 'list', '-r', V]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/\| production +\| unnamed /);
    expect(list.stdout).toMatch(/\| staging +\| web-1 /);
    expect(list.requests).toEqual([`GET ${ORG}/releases/${V}/deploys/ 200`]);
  });

  it('releases archive and restore: the release leaves the list and comes back', async () => {
    const archived = await sentryCli(['releases', 'archive', V]);
    expect(archived.code).toBe(0);
    expect(archived.stdout).toBe(`Archived release ${V}\n`);
    expect(archived.requests).toEqual([`POST ${ORG}/releases/ 208`]);
    expect((await sentryCli(['releases', 'list', '--raw'])).stdout).toBe('shop-web@1.4.0\n');

    const restored = await sentryCli(['releases', 'restore', V]);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toBe(`Restored release ${V}\n`);
    expect((await sentryCli(['releases', 'list', '--raw'])).stdout).toBe(`${V}\nshop-web@1.4.0\n`);
  });

  it('releases set-commits --clear', async () => {
    const run = await sentryCli(['releases', 'set-commits', V, '--clear']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Clearing commits for release.');
    const info = await sentryCli(['releases', 'info', V, '--show-commits']);
    expect(info.stdout).toMatch(new RegExp(`\\| ${V} .*\\| - +\\|`));
  });

  it('releases delete: 204, then nothing to delete; a release with issues is refused', async () => {
    await sentryCli(['releases', 'new', 'shop-web@3.0.1']);
    const gone = await sentryCli(['releases', 'delete', 'shop-web@3.0.1']);
    expect(gone.code).toBe(0);
    expect(gone.stdout).toBe('Deleted release shop-web@3.0.1!\n');
    expect(gone.requests).toEqual([`DELETE ${ORG}/releases/shop-web@3.0.1/ 204`]);
    const again = await sentryCli(['releases', 'delete', 'shop-web@3.0.1']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Did nothing. Release with this version (shop-web@3.0.1) does not exist.');

    const refused = await sentryCli(['releases', 'delete', 'shop-web@1.4.0']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('This release is referenced by active issues and cannot be removed.');
    expect(refused.requests).toEqual([`DELETE ${ORG}/releases/shop-web@1.4.0/ 400`]);
  });

  it('a wrong token is refused, and the log never shows a token', async () => {
    const run = await sentryCli(['releases', 'list'], { env: { SENTRY_AUTH_TOKEN: 'sntryu_wrong' } });
    expect(run.code).toBe(1);
    expect(run.requests).toEqual(['GET /api/0/projects/acme/shop-web/releases/ 401']);
    expect(log.join('\n')).not.toContain(TOKEN);
    expect(log.join('\n')).not.toContain('sntryu_wrong');
  });
});
