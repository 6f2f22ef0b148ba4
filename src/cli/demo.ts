import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load';
import type { InputName } from '../config/schema';
import { createHttpClient } from '../http/client';
import { type LocalTracker, getScenario, listScenarios, simClock, startLocalTracker } from '../local-tracker';
import { SDK_SCENARIO } from '../local-tracker/ingest/scenario';
import { type GitHubPort, runPipeline } from '../pipeline/run';
import { buildAlert } from '../report/alert';
import { buildJsonReport } from '../report/json';
import { buildSummary } from '../report/summary';
import { createSentryTracker } from '../sources/sentry/adapter';
import { apiBase } from '../sources/sentry/urls';
import { USER_AGENT } from '../version';
import { UsageError } from './args';
import { terminalLog } from './log';
import { VENDOR_TRACKERS, type VendorTracker, vendorDemo } from './demo-vendor';
import { errorMessage } from '../util/errors';
import { redact } from '../util/redact';
import { logLine } from '../util/text';

/** One real second is one simulated minute: a 30-minute window plays in 30 seconds. */
const TIME_SCALE = 60;
/** The default: the tracker invents nothing, an app instrumented with @sentry/node sends what happens. */
const DEFAULT_SCENARIO = SDK_SCENARIO;
const SDK_DESCRIPTION = 'A shop app instrumented with @sentry/node sends real sessions and errors; 2.0.0 crashes for some users (real time, default).';
/** The SDK's data carries real times: the window is watched in real time, shorter. */
const SDK_INPUTS: Partial<Record<InputName, string>> = { window: '40s', interval: '2s', 'initial-delay': '4s', settle: '0s' };
/** Simulated users over the window: 20 a second, each one session. */
const SDK_USERS = 700;
const SDK_SECONDS = 35;
const DEMO_TOKEN = 'demo-local-token';

/** The README's 5xx check, for a scenario with request traffic: the embedded tracker answers its queries as Prometheus would. */
function demoChecks(job: string): string {
  return `- name: 5xx rate
  source: prometheus
  bad: sum(increase(http_requests_total{job="${job}",code=~"5.."}[$__range]))
  total: sum(increase(http_requests_total{job="${job}"}[$__range]))
  max: 2%
`;
}

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

/** An error as one line on stderr, redacted and sanitized: it can quote the user's words or a server's. */
function errorLine(text: string): void {
  process.stderr.write(`${logLine(redact(text, [DEMO_TOKEN]))}\n`);
}

const DEMO_FLAGS = 'demo takes [--scenario] NAME, --tracker sentry|bugsnag|rollbar, --list and --help.';
const DEMO_USAGE = `Usage: release-health-gate demo [[--scenario] NAME] [--tracker sentry|bugsnag|rollbar] [--list]
Runs the action's whole pipeline (register, watch, decide, report, roll back) against an
embedded Sentry-compatible tracker. The default, ${DEFAULT_SCENARIO}, deploys a shop app instrumented with
@sentry/node that sends its sessions and errors to the tracker, in real time (about 10 s).
The other scenarios invent traffic in compressed time: 1 s is one simulated minute.
Some scenarios set inputs of their own (shown when it starts). 5xx-spike adds a symptom
check: the tracker answers its Prometheus queries too, and a 5xx rate above 2% fails it.
--tracker bugsnag or rollbar plays a release going bad against an embedded Bugsnag or Rollbar server instead.
`;

/** Only the demo's own flags: an action input here would be silently ignored, so it is an error. */
function parseDemoArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: { scenario: { type: 'string' }, tracker: { type: 'string' }, list: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = errorMessage(error)
      .replace(/\. To specify a positional argument.*$/s, '')
      .replace(/\.$/, '');
    throw new UsageError(`${message}. ${DEMO_FLAGS}`);
  }
}

/** `release-health-gate demo`: the real pipeline against the embedded tracker, in compressed time. */
export async function demoCommand(argv: string[], signal?: AbortSignal): Promise<number> {
  let scenarioName: string;
  try {
    const { values, positionals } = parseDemoArgs(argv);
    const list = () =>
      demoScenarios()
        .map((s) => `${s.name.padEnd(20)} ${s.description}\n`)
        .join('');
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
    // Bugsnag and Rollbar play one scenario each, of their own (demo-vendor.ts).
    const tracker = values.tracker?.trim().toLowerCase();
    if (tracker !== undefined && tracker !== 'sentry') {
      if (!VENDOR_TRACKERS.includes(tracker as VendorTracker))
        throw new UsageError(`--tracker "${values.tracker}" is not a tracker: expected one of sentry, ${VENDOR_TRACKERS.join(', ')}`);
      if (values.scenario !== undefined || positionals.length)
        throw new UsageError(`--tracker ${tracker} plays one scenario of its own: it takes no scenario. ${DEMO_FLAGS}`);
      return await vendorDemo(tracker as VendorTracker, signal);
    }
    const flag = values.scenario !== undefined ? '--scenario ' : '';
    scenarioName = values.scenario ?? positionals[0] ?? DEFAULT_SCENARIO;
    if (!demoScenarios().some((s) => s.name === scenarioName)) {
      throw new UsageError(
        `${flag}"${scenarioName}" is not a scenario: expected one of ${demoScenarios()
          .map((s) => s.name)
          .join(', ')}`,
      );
    }
  } catch (error) {
    errorLine(errorMessage(error));
    return 2;
  }
  const sdk = scenarioName === SDK_SCENARIO;
  let appPath: string | undefined;
  if (sdk) {
    appPath = demoApp();
    if (!appPath) {
      errorLine(
        `demo: the ${SDK_SCENARIO} demo runs examples/demo-shop/app.cjs with @sentry/node (a dev dependency): run it from a clone after npm ci, or pick a scenario of invented traffic (demo --list)`,
      );
      return 1;
    }
  }
  const clock = simClock({ timeScale: sdk ? 1 : TIME_SCALE });
  let app: ChildProcess | undefined;
  let appError = '';
  const release = 'shop-web@2.0.0';
  const tracker: LocalTracker = await startLocalTracker({
    scenario: sdk ? SDK_SCENARIO : getScenario(scenarioName),
    token: DEMO_TOKEN,
    clock: clock.now,
    // The app is deployed once the gate has recorded the deploy: its window starts there.
    ...(sdk
      ? {
          onRequest: (r) => {
            if (app || r.method !== 'POST' || !r.path.endsWith('/deploys/') || r.status !== 201) return;
            app = startApp(appPath!, { SENTRY_DSN: tracker.dsns[0]!.dsn, SENTRY_RELEASE: release, SENTRY_ENVIRONMENT: tracker.scenario.environment });
            app.stderr?.on('data', (d: Buffer) => (appError = `${appError}${d.toString()}`.slice(-2000)));
          },
        }
      : {}),
  });
  const scenario = tracker.scenario;
  const out = mkdtempSync(join(tmpdir(), 'release-health-gate-demo-'));
  const log = terminalLog({ stream: process.stdout, secrets: [DEMO_TOKEN] });
  const raw: Partial<Record<InputName, string>> = {
    'sentry-url': tracker.url,
    'sentry-auth-token': DEMO_TOKEN,
    'sentry-org': tracker.org,
    'sentry-projects': scenario.projectSlugs.join(','),
    release,
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
    ...(scenario.requests ? { 'prometheus-url': tracker.url, checks: demoChecks(scenario.requests.job) } : {}),
    ...(sdk ? SDK_INPUTS : scenario.demoInputs),
  };
  const config = loadConfig((name) => raw[name], {
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: '4f2c1a9e0b7d6c5a4f3e2d1c0b9a8f7e6d5c4b3a',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '1',
  });
  const http = createHttpClient({
    baseUrl: apiBase(tracker.url),
    token: DEMO_TOKEN,
    userAgent: USER_AGENT,
    maxRetryTimeMs: 3_000,
    minRetryDelayMs: 100,
    requestTimeoutMs: 5_000,
  });
  log.info(`Demo: scenario "${scenario.name}": ${sdk ? SDK_DESCRIPTION : scenario.description}`);
  const own = Object.entries((sdk ? SDK_INPUTS : scenario.demoInputs) ?? {});
  if (own.length) log.info(`Inputs of this scenario: ${own.map(([k, v]) => `--${k} ${v}`).join(' ')}`);
  if (sdk) {
    log.info(`Embedded Sentry-compatible tracker at ${tracker.url}; it invents nothing: what the gate reads is what the SDK sends.`);
    log.info(`Once the deploy is recorded, ${release} of examples/demo-shop/app.cjs starts with SENTRY_DSN=${tracker.dsns[0]!.dsn}`);
    log.info(`and ${SDK_USERS} users check out over ${SDK_SECONDS} s; 2.0.0 turned on the cart cache. Real time, ${SDK_INPUTS.window} window.\n`);
  } else {
    log.info(`Embedded Sentry-compatible tracker at ${tracker.url}; 1 s of real time = 1 simulated minute, 30-minute window.${scenario.requests ? '' : '\n'}`);
  }
  if (scenario.requests) {
    log.info(
      `It answers Prometheus instant queries too (${tracker.url}/api/v1/query), from ${scenario.requests.perMinute} simulated requests a minute; the gate runs with`,
    );
    log.info(`--prometheus-url ${tracker.url} and this check next to Sentry's:\n${demoChecks(scenario.requests.job).replace(/^/gm, '  ')}`);
  }
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
    const queries = tracker.requests.filter((r) => r.path === '/api/v1/query').length;
    log.info(`Requests the gate sent to the tracker: ${tracker.requests.length}${queries ? ` (${queries} of them Prometheus queries)` : ''}`);
    if (sdk) {
      const { envelopes, items } = tracker.ingest.stats;
      const kinds = Object.entries(items)
        .map(([type, n]) => `${type} ${n}`)
        .join(', ');
      log.info(`What @sentry/node sent to the DSN by then: ${envelopes} envelopes (items: ${kinds || 'none'}); the gate read nothing else.`);
    }
    if (sdk && !app) {
      errorLine('demo failed: the shop app never started (the gate recorded no deploy)');
      return 1;
    }
    if (sdk && app?.exitCode && app.exitCode !== 0) {
      errorLine(`demo failed: the shop app exited with ${app.exitCode}: ${appError}`);
      return 1;
    }
    return 0;
  } catch (error) {
    errorLine(`demo failed: ${errorMessage(error)}`);
    return 1;
  } finally {
    // The gate may decide before the app is done: the demo ends with the gate.
    if (app && app.exitCode === null) {
      const exited = new Promise((resolve) => app!.once('exit', resolve));
      app.kill();
      await exited;
    }
    await http.close();
    await tracker.close();
  }
}

/** The demo's scenarios: the SDK demo first, then the tracker's scenarios of invented traffic. */
function demoScenarios(): { name: string; description: string }[] {
  return [{ name: SDK_SCENARIO, description: SDK_DESCRIPTION }, ...listScenarios()];
}

/** examples/demo-shop/app.cjs of this checkout (from dist/ or src/cli/), if it and @sentry/node are there. */
function demoApp(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 3; up++, dir = dirname(dir)) {
    const app = join(dir, 'examples', 'demo-shop', 'app.cjs');
    if (!existsSync(app)) continue;
    try {
      createRequire(app).resolve('@sentry/node');
      return app;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The shop app, release 2.0.0: a process of its own, as a deployed app is. */
function startApp(path: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [path], {
    env: { PATH: process.env.PATH ?? '', ...env, SHOP_CART_CACHE: 'on', DEMO_USERS: String(SDK_USERS), DEMO_SECONDS: String(SDK_SECONDS) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}
