import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError, loadConfig } from '../config/load';
import type { InputName } from '../config/schema';
import { type Clock, systemClock } from '../pipeline/clock';
import { actPort, announce } from '../act';
import { gitHubPort } from '../pipeline/github-port';
import { jobOutcome, outputsOf } from '../pipeline/outcome';
import { type GitHubPort, runPipeline } from '../pipeline/run';
import { connectSentry, secretsOf } from '../pipeline/sentry';
import { buildAlert } from '../report/alert';
import { buildJsonReport } from '../report/json';
import { buildSummary } from '../report/summary';
import { redact } from '../util/redact';
import { logLine, logLines, oneLine } from '../util/text';
import { parseCliArgs, UsageError } from './args';
import { helpText } from './help';
import { terminalLog } from './log';
import { errorMessage } from '../util/errors';
import { InputSetupError } from '../sources/errors';

export const EXIT = { pass: 0, fail: 1, config: 2, inconclusive: 3, cancelled: 130 } as const;

const NO_GITHUB: GitHubPort = { listCommits: null, pushBefore: null, dispatchRollback: null };

export interface GateCommandOptions {
  argv: string[];
  env: Record<string, string | undefined>;
  /** Forces inputs (register runs with gate: false). */
  overrides?: Partial<Record<InputName, string>>;
  clock?: Clock;
  github?: GitHubPort;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  signal?: AbortSignal;
}

function writeFile(path: string, text: string) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** `release-health-gate gate|register`: the action's pipeline, driven by flags and SENTRY_* env. Returns the exit code. */
export async function gateCommand(opts: GateCommandOptions): Promise<number> {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  let config;
  let extras;
  try {
    const parsed = parseCliArgs(opts.argv, ['summary-file', 'report-file']);
    extras = parsed.extras;
    if (extras.help) {
      stdout.write(helpText());
      return EXIT.pass;
    }
    if (parsed.positionals.length)
      throw new UsageError(`Unexpected argument "${parsed.positionals[0]}": flags take the form --name value. Run release-health-gate --help.`);
    const raw = { ...parsed.inputs, ...opts.overrides };
    config = loadConfig((name) => raw[name], opts.env);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      stderr.write(`${error.message.replace(/^Input (\S+)/gm, '--$1')}\n`);
      return EXIT.config;
    }
    throw error;
  }
  const { inputs } = config;
  const secrets = secretsOf(inputs);
  const log = terminalLog({ stream: extras.json ? stderr : stdout, secrets });
  const sentry = connectSentry(inputs, { signal: opts.signal });
  try {
    const tracker = sentry.tracker;
    const github = opts.github ?? (opts.env.GITHUB_ACTIONS === 'true' ? await gitHubPort(config, opts.signal) : NO_GITHUB);
    const result = await runPipeline(config, { tracker, github, clock: opts.clock ?? systemClock, log, signal: opts.signal });
    const outcome = jobOutcome(inputs, result);
    const cancelled = opts.signal?.aborted === true && result.report?.verdict.outcome !== 'fail';
    // The deployment status and the notifications, as the action sends them.
    const report = await announce(actPort(config, { log, secrets, ...(opts.signal ? { signal: opts.signal } : {}) }), config, result.report, {
      failed: outcome.failed,
      cancelled,
    });
    let reportPath: string | null = null;
    if (report) {
      // The pid keeps two runs of one release on the same machine (two environments, or projects of a monorepo) from overwriting each other's report.
      reportPath = extras['report-file'] ?? join(tmpdir(), `release-health-gate-${inputs.release.replace(/[^\w.-]+/g, '_')}-${process.pid}.json`);
      writeFile(reportPath, redact(`${JSON.stringify(buildJsonReport(report), null, 2)}\n`, secrets));
      if (extras['summary-file']) writeFile(extras['summary-file'], redact(buildSummary(report), secrets));
    }
    // One line each, as the action's outputs.
    const outputs = Object.fromEntries(Object.entries(outputsOf(inputs, result, reportPath)).map(([k, v]) => [k, oneLine(v)]));
    if (extras.json) {
      // A log line like any other: a CI system reads commands (`##[…]`, `##vso[…]`) inside JSON too.
      stdout.write(
        `${logLine(redact(JSON.stringify({ ...outputs, exitCode: exitCode(result.report?.verdict.outcome, outcome.failed, opts.signal?.aborted === true) }), secrets))}\n`,
      );
    } else {
      if (report?.verdict.outcome === 'fail') log.info(`\n${buildAlert(report)}`);
      log.info('');
      // The reason is one line whatever a server put in it.
      log.info(`${outcome.level === 'error' ? 'FAILED' : outcome.level === 'warning' ? 'WARNING' : 'OK'}: ${oneLine(outcome.message)}`);
      if (reportPath) log.info(`report: ${reportPath}`);
      if (extras['summary-file']) log.info(`summary: ${extras['summary-file']}`);
    }
    return exitCode(result.report?.verdict.outcome, outcome.failed, opts.signal?.aborted === true);
  } catch (error) {
    // The first request never reached Sentry, or a metrics URL or query is wrong: a configuration error, as a bad flag is.
    if (error instanceof ConfigError || error instanceof InputSetupError) {
      stderr.write(`${logLines(redact(error.message, secrets)).replace(/^Input (\S+)/gm, '--$1')}\n`);
      return EXIT.config;
    }
    stderr.write(`${logLine(redact(errorMessage(error), secrets))}\n`);
    return opts.signal?.aborted ? EXIT.cancelled : EXIT.fail;
  } finally {
    await sentry.close();
  }
}

/**
 * A cancel (SIGINT, SIGTERM: a CI timeout or a person) before a fail verdict
 * must not read as a pass to `gate && promote`: 130, as shells report SIGINT.
 */
function exitCode(outcome: string | undefined, failed: boolean, cancelled: boolean): number {
  if (cancelled && outcome !== 'fail') return EXIT.cancelled;
  if (!failed) return EXIT.pass;
  return outcome === 'inconclusive' ? EXIT.inconclusive : EXIT.fail;
}
