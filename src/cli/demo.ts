import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load';
import type { InputName } from '../config/schema';
import { createHttpClient } from '../http/client';
import { getScenario, listScenarios, simClock, startLocalTracker } from '../local-tracker';
import { type GitHubPort, runPipeline } from '../pipeline/run';
import { buildAlert } from '../report/alert';
import { buildJsonReport } from '../report/json';
import { buildSummary } from '../report/summary';
import { createSentryTracker } from '../sources/sentry/adapter';
import { apiBase } from '../sources/sentry/urls';
import { USER_AGENT } from '../version';
import { UsageError } from './args';
import { terminalLog } from './log';
import { errorMessage } from '../util/errors';

/** One real second is one simulated minute: a 30-minute window plays in 30 seconds. */
const TIME_SCALE = 60;
const DEFAULT_SCENARIO = 'slow-burn';
const DEMO_TOKEN = 'demo-local-token';

const DEMO_COMMITS = [
  { id: '4f2c1a9e0b7d6c5a4f3e2d1c0b9a8f7e6d5c4b3a', repository: 'acme/shop', message: 'Cache cart totals in the session', author_name: 'Dana' },
  { id: '7a1b2c3d4e5f60718293a4b5c6d7e8f901234567', repository: 'acme/shop', message: 'Upgrade payment SDK to 5.2', author_name: 'Lee' },
];

/**
 * The demo's GitHub: it lists canned commits and, instead of dispatching,
 * prints the request the action would send, so the demo needs no account.
 */
function demoGitHub(print: (line: string) => void): GitHubPort {
  return {
    pushBefore: null,
    listCommits: async () => DEMO_COMMITS,
    dispatchRollback: async (inputs) => {
      print(`(demo) POST /repos/acme/shop/actions/workflows/rollback.yml/dispatches {"ref":"main","inputs":${JSON.stringify(inputs)}}`);
      return { workflow: 'rollback.yml', ref: 'main' };
    },
  };
}

const DEMO_FLAGS = 'demo takes [--scenario] NAME, --list and --help.';
const DEMO_USAGE = `Usage: release-health-gate demo [[--scenario] NAME] [--list]
Runs the action's whole pipeline (register, watch, decide, report, roll back) against an
embedded Sentry-compatible tracker in compressed time: 1 s is one simulated minute.
Default scenario: ${DEFAULT_SCENARIO}. Some scenarios set inputs of their own (shown when it starts).
`;

/** Only the demo's own flags: an action input here would be silently ignored, so it is an error. */
function parseDemoArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: { scenario: { type: 'string' }, list: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = errorMessage(error).replace(/\. To specify a positional argument.*$/s, '').replace(/\.$/, '');
    throw new UsageError(`${message}. ${DEMO_FLAGS}`);
  }
}

/** `release-health-gate demo`: the real pipeline against the embedded tracker, in compressed time. */
export async function demoCommand(argv: string[], signal?: AbortSignal): Promise<number> {
  let scenarioName: string;
  try {
    const { values, positionals } = parseDemoArgs(argv);
    const list = () => listScenarios().map((s) => `${s.name.padEnd(20)} ${s.description}\n`).join('');
    if (values.help) {
      process.stdout.write(`${DEMO_USAGE}\nScenarios:\n${list()}`);
      return 0;
    }
    if (values.list) {
      process.stdout.write(list());
      return 0;
    }
    if (positionals.length > 1 || (positionals.length === 1 && values.scenario !== undefined)) {
      throw new UsageError(`Unexpected argument "${positionals.at(-1)}": demo takes one scenario. ${DEMO_FLAGS}`);
    }
    const flag = values.scenario !== undefined ? '--scenario ' : '';
    scenarioName = values.scenario ?? positionals[0] ?? DEFAULT_SCENARIO;
    if (!listScenarios().some((s) => s.name === scenarioName)) {
      throw new UsageError(`${flag}"${scenarioName}" is not a scenario: expected one of ${listScenarios().map((s) => s.name).join(', ')}`);
    }
  } catch (error) {
    process.stderr.write(`${errorMessage(error)}\n`);
    return 2;
  }
  const scenario = getScenario(scenarioName);
  const clock = simClock({ timeScale: TIME_SCALE });
  const tracker = await startLocalTracker({ scenario, token: DEMO_TOKEN, clock: clock.now });
  const out = mkdtempSync(join(tmpdir(), 'release-health-gate-demo-'));
  const log = terminalLog({ stream: process.stdout, secrets: [DEMO_TOKEN] });
  const raw: Partial<Record<InputName, string>> = {
    'sentry-url': tracker.url,
    'sentry-auth-token': DEMO_TOKEN,
    'sentry-org': tracker.org,
    'sentry-projects': scenario.projectSlugs.join(','),
    release: 'shop-web@2.0.0',
    environment: scenario.environment,
    window: '30m',
    interval: '1m',
    'initial-delay': '2m',
    'min-crash-free-users': '0.97',
    'max-error-rate': '0.10',
    'max-new-issue-users': '5',
    'rollback-workflow': 'rollback.yml',
    'runbook-url': 'https://wiki.example/runbooks/rollback',
    'dashboard-url': 'https://grafana.example/d/shop',
    ...scenario.demoInputs,
  };
  const config = loadConfig((name) => raw[name], {
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: '4f2c1a9e0b7d6c5a4f3e2d1c0b9a8f7e6d5c4b3a',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '1',
  });
  const http = createHttpClient({ baseUrl: apiBase(tracker.url), token: DEMO_TOKEN, userAgent: USER_AGENT, maxRetryTimeMs: 3_000, minRetryDelayMs: 100, requestTimeoutMs: 5_000 });
  log.info(`Demo: scenario "${scenario.name}": ${scenario.description}`);
  const own = Object.entries(scenario.demoInputs ?? {});
  if (own.length) log.info(`Inputs of this scenario: ${own.map(([k, v]) => `--${k} ${v}`).join(' ')}`);
  log.info(`Embedded Sentry-compatible tracker at ${tracker.url}; 1 s of real time = 1 simulated minute, 30-minute window.\n`);
  try {
    const result = await runPipeline(config, {
      tracker: createSentryTracker({ http, sentryUrl: tracker.url, org: tracker.org, projects: scenario.projectSlugs }),
      github: demoGitHub(log.info),
      clock,
      log,
      signal,
    });
    const report = result.report;
    if (!report) return 0;
    const summaryPath = join(out, 'summary.md');
    const reportPath = join(out, 'report.json');
    mkdirSync(out, { recursive: true });
    writeFileSync(summaryPath, buildSummary(report));
    writeFileSync(reportPath, `${JSON.stringify(buildJsonReport(report), null, 2)}\n`);
    log.info(`\nVerdict: ${report.verdict.outcome.toUpperCase()}: ${report.verdict.reason}`);
    if (report.verdict.outcome === 'fail') log.info(`\n${buildAlert(report)}`);
    log.info(`\nJob summary (markdown): ${summaryPath}\nJSON report:            ${reportPath}`);
    log.info(`Requests the gate sent to the tracker: ${tracker.requests.length}`);
    return 0;
  } catch (error) {
    process.stderr.write(`demo failed: ${errorMessage(error)}\n`);
    return 1;
  } finally {
    await http.close();
    await tracker.close();
  }
}
