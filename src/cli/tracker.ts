import { parseArgs } from 'node:util';
import { listScenarios, startLocalTracker } from '../local-tracker';
import { errorMessage } from '../util/errors';

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
        scenario: { type: 'string', default: 'healthy' },
        port: { type: 'string', default: '0' },
        'minute-ms': { type: 'string', default: '60000' },
        token: { type: 'string', default: 'local-token' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${errorMessage(error)}. Flags: --scenario NAME --port N --minute-ms MS --token T\n`);
    return 2;
  }
  const names = listScenarios().map((s) => s.name);
  if (!names.includes(values.scenario)) {
    process.stderr.write(`--scenario "${values.scenario}" is not a scenario: expected one of ${names.join(', ')}\n`);
    return 2;
  }
  const port = Number(values.port);
  const minuteMs = Number(values['minute-ms']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port "${values.port}": expected a port number from 0 to 65535\n`);
    return 2;
  }
  if (!(minuteMs >= 100)) {
    process.stderr.write(`--minute-ms "${values['minute-ms']}": expected the real milliseconds in one scenario minute, at least 100\n`);
    return 2;
  }
  const tracker = await startLocalTracker({ scenario: values.scenario, token: values.token, minuteMs, port });
  process.stdout.write(`local tracker: ${tracker.url} (scenario ${values.scenario}, org ${tracker.org}, projects ${tracker.scenario.projectSlugs.join(',')}, token ${values.token})\n`);
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  await tracker.close();
  return 0;
}
