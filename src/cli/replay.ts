import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { ConfigError } from '../config/load';
import { parseReleaseLine, type RecordedRelease, ReplayInputError } from '../replay/input';
import { REPLAY_INPUTS, replaySettings } from '../replay/options';
import { replayRelease } from '../replay/replay';
import { pollTimes } from '../replay/schedule';
import { parseCliArgs, UsageError } from './args';

export interface ReplayIo {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
}

const USAGE = `Usage: release-health-gate replay FILE [flags]

Decides recorded releases with the gate's statistics, as the action would have
at each poll. FILE (or - for stdin) holds one release per line:
  {"id": "r1", "samples": [{"t": 60, "sessions": 120, "crashedSessions": 1, "users": 80, "crashedUsers": 1, "erroredSessions": 4}, ...]}
t is seconds since the deploy; counts are cumulative since the deploy. A sample stands
until the next one, the last for one --interval more: polls after that are not
replayed, so a recording that ends before the window is inconclusive unless an
earlier poll decided. With --max-error-rate, give "erroredUsers" too (users
with an unhealthy session): the check judges those, as errors cluster by user;
without it, sessions.
A release line may carry "secondHalf": {"users": n, "crashedUsers": k}, the
users counted over the window's second half (as the flags set the window);
without it the second-half test of crash-free users is skipped, and replay
says so once on stderr.
Prints one line per release: {"id", "verdict", "decidedAt" (seconds, null when undecided), "reason"}.

Flags (as in the action): --${REPLAY_INPUTS.join(', --')}, --no-pass-early
Exit codes: 0 replayed, 2 bad flags or a malformed line (nothing printed).
`;

const EXIT_OK = 0;
const EXIT_USAGE = 2;

async function readReleases(input: Readable, needErrored: boolean): Promise<RecordedRelease[]> {
  const releases: RecordedRelease[] = [];
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line += 1;
    if (text.trim() === '') continue;
    releases.push(parseReleaseLine(text, line, needErrored));
  }
  return releases;
}

/** `release-health-gate replay FILE [flags]`. Returns the exit code. */
export async function replayCommand(argv: string[], io: ReplayIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let settings;
  let file: string;
  try {
    const { inputs, extras, positionals } = parseCliArgs(argv);
    if (extras.help) {
      stdout.write(USAGE);
      return EXIT_OK;
    }
    if (extras.json) throw new UsageError('--json: replay always prints JSON lines');
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0
          ? 'replay needs a FILE of JSON lines (or - for stdin). Run release-health-gate replay --help.'
          : `Unexpected argument "${positionals[1]}": replay takes one FILE.`,
      );
    }
    file = positionals[0]!;
    settings = replaySettings(inputs);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      stderr.write(`${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }

  const { policy, schedule } = settings;
  let releases: RecordedRelease[];
  try {
    const input = file === '-' ? (io.stdin ?? process.stdin) : createReadStream(file);
    releases = await readReleases(
      input,
      policy.checks.some((c) => c.id === 'error-rate'),
    );
  } catch (error) {
    if (error instanceof ReplayInputError) {
      stderr.write(`${file === '-' ? 'stdin' : file}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
      stderr.write(`cannot read ${file}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }

  const polls = pollTimes(schedule);
  const withoutHalf = policy.checks.some((c) => c.id === 'crash-free-users') ? releases.filter((r) => !r.secondHalf).length : 0;
  if (withoutHalf > 0) {
    stderr.write(
      `replay: ${withoutHalf} of ${releases.length} releases carry no "secondHalf" ({"users": n, "crashedUsers": k} counted over the window's second half): ` +
        'their end-of-window crash-free users test on the second half is skipped (a difference of cumulative users misses users who come back)\n',
    );
  }
  let chunk = '';
  for (const release of releases) {
    const result = replayRelease(policy, schedule, release.samples, polls, release.secondHalf);
    chunk += `${JSON.stringify({ id: release.id, ...result })}\n`;
    if (chunk.length > 1 << 16) {
      if (!stdout.write(chunk)) await new Promise((resolve) => stdout.once('drain', resolve));
      chunk = '';
    }
  }
  if (chunk) stdout.write(chunk);
  return EXIT_OK;
}
