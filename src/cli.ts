import { gateCommand } from './cli/gate';
import { helpText } from './cli/help';

/** `release-health-gate <command> [flags]`: the action's pipeline for any CI, the replay and the demo. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort(new Error('cancelled')));
  process.once('SIGTERM', () => abort.abort(new Error('cancelled')));
  switch (command) {
    case 'gate':
      return gateCommand({ argv: rest, env: process.env, signal: abort.signal });
    case 'register':
      return gateCommand({ argv: rest, env: process.env, overrides: { gate: 'false' }, signal: abort.signal });
    case 'replay':
      return (await import('./cli/replay')).replayCommand(rest);
    case 'demo':
      return (await import('./cli/demo')).demoCommand(rest, abort.signal);
    case 'tracker':
      return (await import('./cli/tracker')).trackerCommand(rest, abort.signal);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(helpText());
      return 0;
    default:
      process.stderr.write(`Unknown command "${command}": expected gate, register, replay, demo or tracker. Run release-health-gate --help.\n`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
