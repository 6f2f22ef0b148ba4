import { parseArgs } from 'node:util';
import { type LoggedRequest, listScenarios, startLocalTracker } from '../local-tracker';
import { SDK_SCENARIO } from '../local-tracker/ingest/scenario';
import { errorMessage } from '../util/errors';
import { oneLine } from '../util/text';

const FLAGS = '--scenario NAME --port N --minute-ms MS --token T --dsn-only --log';

export const TRACKER_USAGE = `Usage: release-health-gate tracker [flags]
Serves the embedded Sentry-compatible tracker on 127.0.0.1 until interrupted, to
rehearse the action, the CLI or sentry-cli (releases, deploys) against a scenario,
or to point an app's SENTRY_DSN at (it prints one DSN per project).
  --scenario NAME   traffic scenario (default healthy; see demo --list), or sdk:
                    no invented traffic, only what SDKs send to the DSN
  --dsn-only        print only the DSN, one line per project, for SENTRY_DSN
                    in a CI job (the scenario is then sdk unless given)
  --port N          port to listen on (default 0: any free port)
  --minute-ms MS    real milliseconds in one scenario minute (default 60000)
  --token T         the auth token it accepts (default local-token)
  --log             print one line per request: method, path and query, status
  --help            this text
`;

/** One request of the log: what a person reading along needs, never a header. */
export function requestLine(r: LoggedRequest): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(r.query)) for (const x of Array.isArray(v) ? v : [v]) query.append(k, x);
  const qs = query.toString();
  // Paths and queries come from the client: one line each, at most 2,000 characters.
  return oneLine(`${r.method} ${r.path}${qs ? `?${qs}` : ''} ${r.status || 'no answer'}`, 2000);
}

/**
 * `release-health-gate tracker`: the embedded Sentry-compatible tracker as a
 * server of its own, to rehearse the action or the CLI against a scenario
 * (and for the repository's own workflow that runs `uses: ./`).
 */
export async function trackerCommand(argv: string[], signal: AbortSignal): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string' },
        'dsn-only': { type: 'boolean', default: false },
        port: { type: 'string', default: '0' },
        'minute-ms': { type: 'string', default: '60000' },
        token: { type: 'string', default: 'local-token' },
        log: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${errorMessage(error).replace(/\. To specify a positional argument.*$/s, '')}. Flags: ${FLAGS}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(TRACKER_USAGE);
    return 0;
  }
  const names = [...listScenarios().map((s) => s.name), SDK_SCENARIO];
  // A CI job reading the DSN wants what its app sent, never invented traffic mixed in.
  const scenario = values.scenario ?? (values['dsn-only'] ? SDK_SCENARIO : 'healthy');
  if (!names.includes(scenario)) {
    process.stderr.write(`--scenario "${scenario}" is not a scenario: expected one of ${names.join(', ')}\n`);
    return 2;
  }
  const port = Number(values.port);
  const minuteMs = Number(values['minute-ms']);
  if (!/^\d+$/.test(values.port) || port > 65535) {
    process.stderr.write(`--port "${values.port}": expected a port number from 0 to 65535\n`);
    return 2;
  }
  if (!(minuteMs >= 100)) {
    process.stderr.write(`--minute-ms "${values['minute-ms']}": expected the real milliseconds in one scenario minute, at least 100\n`);
    return 2;
  }
  // SDK data is on the real clock: compressing minutes would stretch every query over it.
  if (scenario === SDK_SCENARIO && minuteMs !== 60_000) {
    process.stderr.write(
      `--minute-ms "${values['minute-ms']}": the sdk scenario runs on the real clock (what SDKs send is timestamped in real time); leave --minute-ms out\n`,
    );
    return 2;
  }
  const onRequest = values.log ? (r: LoggedRequest) => process.stdout.write(`${requestLine(r)}\n`) : undefined;
  const tracker = await startLocalTracker({ scenario, token: values.token, minuteMs, port, ...(onRequest ? { onRequest } : {}) });
  if (values['dsn-only']) {
    process.stdout.write(tracker.dsns.map((d) => `${d.dsn}\n`).join(''));
  } else {
    process.stdout.write(
      `local tracker: ${tracker.url} (scenario ${scenario}, org ${tracker.org}, projects ${tracker.scenario.projectSlugs.join(',')}, token ${values.token})\n`,
    );
    for (const d of tracker.dsns) process.stdout.write(`DSN for ${d.project}: ${d.dsn}\n`);
  }
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  await tracker.close();
  return 0;
}
