import { parseArgs } from 'node:util';
import { INPUT_NAMES, type InputName } from '../config/schema';

/** Inputs that are switches on the command line: `--dry-run`, `--no-finalize`. */
export const BOOLEAN_INPUTS: ReadonlySet<InputName> = new Set(['register', 'finalize', 'gate', 'pass-early', 'dry-run']);

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CliExtras {
  json: boolean;
  help: boolean;
  'summary-file'?: string;
  'report-file'?: string;
  scenario?: string;
  list: boolean;
}

const EXTRA_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'summary-file': { type: 'string' },
  'report-file': { type: 'string' },
  scenario: { type: 'string' },
  list: { type: 'boolean' },
} as const;

/**
 * Every action input is a flag of the same kebab-case name. Returns the raw
 * strings (validated later by the same schema as the action) and the extras.
 */
export function parseCliArgs(
  argv: string[],
  allowExtras: (keyof CliExtras)[] = [],
): { inputs: Partial<Record<InputName, string>>; extras: CliExtras; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const name of INPUT_NAMES) options[name] = { type: BOOLEAN_INPUTS.has(name) ? 'boolean' : 'string' };
  for (const name of ['json', 'help', ...allowExtras] as const) options[name] = EXTRA_OPTIONS[name];
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, allowNegative: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '') : String(error);
    // Node's own messages sometimes end with a period already ("use '--x=-XYZ'.").
    throw new UsageError(`${message.replace(/\.$/, '')}. Run release-health-gate --help for the flags.`);
  }
  const inputs: Partial<Record<InputName, string>> = {};
  for (const name of INPUT_NAMES) {
    const value = parsed.values[name];
    if (value !== undefined) inputs[name] = String(value);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const extras: CliExtras = {
    json: v.json === true,
    help: v.help === true,
    list: v.list === true,
    ...(typeof v['summary-file'] === 'string' ? { 'summary-file': v['summary-file'] } : {}),
    ...(typeof v['report-file'] === 'string' ? { 'report-file': v['report-file'] } : {}),
    ...(typeof v.scenario === 'string' ? { scenario: v.scenario } : {}),
  };
  return { inputs, extras, positionals: parsed.positionals };
}
