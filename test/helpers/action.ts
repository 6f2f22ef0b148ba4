import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ACTION_ENTRY = join(ROOT, 'dist/index.js');
export const CLI_ENTRY = join(ROOT, 'dist/cli.js');

interface ActionYml {
  inputs: Record<string, { default?: string }>;
}
const actionYml = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  /** Everything the user could see: logs, summary, outputs, and the report file. */
  everything: string;
  /** Values registered with ::add-mask:: (the runner consumes those lines and masks the values). */
  masked: string[];
  durationMs: number;
  /** Ms after the spawn when SIGINT was sent, if it was. */
  sigintAtMs?: number;
}

export interface RunActionOptions {
  inputs: Record<string, string>;
  env?: Record<string, string>;
  /** Sends SIGINT after this many ms, as the runner does on cancel. */
  sigintAfterMs?: number;
  /** Sends SIGINT when this settles (e.g. when a stub sees the request to cancel during). */
  sigintWhen?: Promise<unknown>;
  timeoutMs?: number;
  event?: unknown;
}

/** GITHUB_OUTPUT holds `name<<DELIM\nvalue\nDELIM` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1] as string] = m[3] as string;
  return out;
}

const unescapeCommand = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');

export function parseAnnotations(stdout: string): Annotation[] {
  const found: Annotation[] = [];
  for (const m of stdout.matchAll(/^::(error|warning|notice)(?: [^:]*)?::(.*)$/gm)) {
    found.push({ level: m[1] as Annotation['level'], message: unescapeCommand(m[2] as string) });
  }
  return found;
}

/**
 * Runs the bundled action the way the runner does: a fresh node process,
 * INPUT_* from action.yml defaults overlaid with `inputs`, and the files the
 * runner provides for outputs and the job summary.
 */
export async function runAction(opts: RunActionOptions): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'rhg-e2e-'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary.md');
  const eventFile = join(dir, 'event.json');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  writeFileSync(eventFile, JSON.stringify(opts.event ?? {}));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    // A home of its own: nothing in the tester's ~ (a .sentryclirc, a .npmrc) reaches the run.
    HOME: dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: 'f00dfacecafebeef0000000000000000000000aa',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_API_URL: 'http://127.0.0.1:9',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKSPACE: dir,
    RUNNER_TEMP: dir,
  };
  for (const [name, spec] of Object.entries(actionYml.inputs)) {
    const value = name in opts.inputs ? opts.inputs[name] : (spec.default ?? '');
    // The runner substitutes `${{ github.token }}`; a test passes its own.
    env[`INPUT_${name.toUpperCase()}`] = String(value).includes('${{') ? '' : String(value);
  }
  Object.assign(env, opts.env);

  const started = Date.now();
  const child = spawn(process.execPath, [ACTION_ENTRY], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let sigintAtMs: number | undefined;
  const sigint = () => {
    sigintAtMs ??= Date.now() - started;
    child.kill('SIGINT');
  };
  if (opts.sigintAfterMs !== undefined) setTimeout(sigint, opts.sigintAfterMs);
  void opts.sigintWhen?.then(sigint, sigint);
  const killer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'));
  const summary = readFileSync(summaryFile, 'utf8');
  let report = '';
  if (outputs['report-path']) {
    try {
      report = readFileSync(outputs['report-path'], 'utf8');
    } catch {
      report = '';
    }
  }
  return {
    code,
    stdout,
    stderr,
    outputs,
    summary,
    annotations: parseAnnotations(stdout),
    // The runner consumes ::add-mask:: lines; nobody sees them.
    everything: [stdout.replace(/^::add-mask::.*$/gm, ''), stderr, summary, JSON.stringify(outputs), report].join('\n'),
    masked: [...stdout.matchAll(/^::add-mask::(.*)$/gm)].map((m) => m[1] as string),
    durationMs: Date.now() - started,
    ...(sigintAtMs === undefined ? {} : { sigintAtMs }),
  };
}
