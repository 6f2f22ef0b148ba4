import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { loadConfig } from './config/load';
import type { InputName } from './config/schema';
import { systemClock } from './pipeline/clock';
import { gitHubPort } from './pipeline/github-port';
import type { Log } from './pipeline/log';
import { jobOutcome, outputsOf } from './pipeline/outcome';
import { runPipeline } from './pipeline/run';
import { connectSentry, secretsOf } from './pipeline/sentry';
import { redact } from './util/redact';
import { logLine, logLines, oneLine } from './util/text';
import { errorMessage } from './util/errors';

/** Every line the action prints goes through here: redacted, one line, never a workflow command. */
const safe = (secrets: string[]) => (m: string) => logLine(redact(m, secrets));

const coreLog = (secrets: string[]): Log => {
  const line = safe(secrets);
  return {
    info: (m) => core.info(line(m)),
    notice: (m) => core.notice(line(m)),
    warning: (m) => core.warning(line(m)),
    group: (title, fn) => core.group(line(title), fn),
  };
};

/** Writes the JSON report, already serialized and redacted, and returns its path. */
function writeReport(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `release-health-gate-${name.replace(/[^\w.-]+/g, '_')}.json`);
  writeFileSync(path, text);
  return path;
}

/** The action: the only place that reads inputs from the runner and writes outputs back. */
export async function run(): Promise<void> {
  let secrets: string[] = [];
  try {
    const config = loadConfig((name: InputName) => core.getInput(name), process.env);
    const { inputs, run: ctx } = config;
    secrets = secretsOf(inputs);
    for (const s of secrets) core.setSecret(s);
    const log = coreLog(secrets);
    const line = safe(secrets);

    const abort = new AbortController();
    const cancel = () => abort.abort(new Error('cancelled'));
    process.once('SIGINT', cancel);
    process.once('SIGTERM', cancel);

    const sentry = connectSentry(inputs, {
      // Cancels registration and lookups too, not only the watch: the runner kills the step 7.5 s after SIGTERM.
      signal: abort.signal,
      onRetry: ({ path, attempt, error, waitMs }) => core.debug(line(`retry ${attempt} of ${path} in ${waitMs} ms: ${error.message}`)),
    });
    try {
      const tracker = sentry.tracker;
      const result = await runPipeline(config, { tracker, github: await gitHubPort(config, abort.signal), clock: systemClock, log, signal: abort.signal });

      const outcome = jobOutcome(inputs, result);
      // A verdict reached before the cancel stands; otherwise the watch is unfinished.
      const cancelled = abort.signal.aborted && result.report?.verdict.outcome !== 'fail';
      // Loaded once the watch is over, for the same reason as the gate in runPipeline.
      const [{ actPort, announce }, { buildAnnotation }, { buildJsonReport }, { buildSummary }] = await Promise.all([
        import('./act'),
        import('./report/alert'),
        import('./report/json'),
        import('./report/summary'),
      ]);
      const report = await announce(actPort(config, { log, secrets, signal: abort.signal }), config, result.report, { failed: outcome.failed, cancelled });
      let reportPath: string | null = null;
      if (report) {
        const name = [inputs.release, ctx.runId, ctx.runAttempt].filter(Boolean).join('-');
        reportPath = writeReport(ctx.runnerTemp ?? tmpdir(), name, redact(`${JSON.stringify(buildJsonReport(report), null, 2)}\n`, secrets));
        await core.summary.addRaw(redact(buildSummary(report), secrets), true).write();
      }
      for (const [key, value] of Object.entries(outputsOf(inputs, result, reportPath))) core.setOutput(key, oneLine(redact(value, secrets)));

      // The annotation may span lines (core escapes them); each is sanitized as a log line.
      const message = logLines(redact(outcome.failed && report?.verdict.outcome === 'fail' ? buildAnnotation(report) : outcome.message, secrets));
      if (cancelled) {
        // The runner shows a cancelled step as cancelled whatever the exit code. Non-zero
        // keeps whatever reads only the exit status from taking an unfinished watch for a
        // pass; a warning, not an error, because nothing was found wrong with the release.
        core.warning(line(`${outcome.message} (the job was cancelled; no rollback was dispatched)`));
        process.exitCode = 1;
      } else if (outcome.failed) core.setFailed(message);
      else if (outcome.level === 'warning') core.warning(message);
      else core.notice(message);
    } finally {
      process.removeListener('SIGINT', cancel);
      process.removeListener('SIGTERM', cancel);
      await sentry.close();
    }
  } catch (error) {
    const message = errorMessage(error);
    // One line per problem (a configuration error lists each bad input), each sanitized.
    core.setFailed(logLines(redact(message, secrets)));
  }
}
