import * as z from 'zod';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { RatioCheck, ThresholdForCheck } from '../sources/types';
import { oneLine } from '../util/text';
import { formatDuration, parseDuration } from './duration';

/**
 * The `checks` input (issue #15): a YAML list of symptom checks read from a
 * metrics source. Each entry is one of three forms, told apart by its keys:
 *
 * - ratio:     name, source, bad, total, max
 * - latency:   name, source, histogram, quantile, below (Prometheus only: it
 *              needs the histogram's `le` buckets)
 * - threshold: name, source, query, min and/or max, for
 *
 * Each becomes a Check of src/sources/types.ts plus the queries its source
 * runs. Every problem is one line naming the check and the field.
 */

export const METRIC_SOURCES = ['prometheus', 'datadog'] as const;
export type MetricSource = (typeof METRIC_SOURCES)[number];

/** What a source asks its server for, per check. Queries are the user's text: `$__range` is replaced at each poll. */
export type MetricQuery =
  | { kind: 'ratio'; bad: string; total: string }
  /** `below` in seconds; the `le` boundary actually used is known only once the buckets are read. */
  | { kind: 'latency'; histogram: string; below: number }
  | { kind: 'value'; query: string };

export type MetricCheck = (RatioCheck | ThresholdForCheck) & { source: MetricSource; query: MetricQuery };

const FORMS = {
  ratio: ['bad', 'total', 'max'],
  latency: ['histogram', 'quantile', 'below'],
  threshold: ['query', 'min', 'max', 'for'],
} as const;
const ALLOWED = ['name', 'source', ...new Set([...FORMS.ratio, ...FORMS.latency, ...FORMS.threshold])];

/** Ids of the checks the error tracker serves: a metric check may not take one. */
const BUILT_IN_IDS = ['crash-free-users', 'crash-free-sessions', 'error-rate', 'new-issues'];

/** Most checks one gate runs: each costs one or two requests per poll. */
export const MAX_CHECKS = 20;
const MAX_QUERY = 4_000;

// Control, zero-width and bidi characters: a name is printed in logs, tables and outputs.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

class CheckProblem extends Error {}

function problem(where: string, field: string | null, message: string): never {
  throw new CheckProblem(`${where}${field ? `, field ${field}` : ''}: ${message}`);
}

/** A fraction (0.02) or a percentage ("2%"), strictly between 0 and 1. */
function readFraction(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  const t = v.trim();
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*%$/.exec(t);
  if (m) return Number(m[1]) / 100;
  return /^(\d+(?:\.\d+)?|\.\d+)$/.test(t) ? Number(t) : null;
}

/** A limit of a threshold check: a number, a percentage ("2%", read as 0.02) or a duration ("3s", read in seconds). */
function readLimit(v: unknown): { value: number; unit: string } | null {
  if (typeof v === 'number') return Number.isFinite(v) ? { value: v, unit: '' } : null;
  if (typeof v !== 'string') return null;
  const t = v.trim();
  if (/^-?(\d+(?:\.\d+)?|\.\d+)$/.test(t)) return { value: Number(t), unit: '' };
  const pct = /^(-?(?:\d+(?:\.\d+)?|\.\d+))\s*%$/.exec(t);
  if (pct) return { value: Number(pct[1]) / 100, unit: '%' };
  const ms = /^\d/.test(t) ? parseDuration(t) : null;
  return ms === null ? null : { value: ms / 1000, unit: 's' };
}

function text(where: string, entry: Record<string, unknown>, field: string, max = MAX_QUERY): string {
  const v = entry[field];
  if (v === undefined || v === null) problem(where, field, 'is missing');
  if (typeof v !== 'string' || v.trim() === '') problem(where, field, 'expected a query as text');
  if (v.length > max) problem(where, field, `is longer than ${max} characters`);
  return v.trim();
}

function checkName(v: unknown, index: number): string {
  const where = `check ${index + 1}`;
  if (v === undefined || v === null) problem(where, 'name', 'is missing: every check needs a name (shown in the summary and the checks output)');
  if (typeof v !== 'string' && typeof v !== 'number') problem(where, 'name', 'expected text');
  const name = String(v).trim();
  if (name === '' || name.length > 80) problem(where, 'name', 'expected 1 to 80 characters');
  if (INVISIBLE.test(name) || name.includes('::')) problem(where, 'name', 'must not contain control or invisible characters or "::"');
  // Names key plain objects (observations, the checks output): this key would set the object's prototype instead, and the check would never be judged.
  if (name === '__proto__') problem(where, 'name', '"__proto__" cannot name a check: choose another name');
  return name;
}

function formOf(where: string, entry: Record<string, unknown>): keyof typeof FORMS {
  if ('histogram' in entry || 'quantile' in entry || 'below' in entry) return 'latency';
  if ('query' in entry || 'for' in entry || 'min' in entry) return 'threshold';
  if ('bad' in entry || 'total' in entry) return 'ratio';
  if ('max' in entry) return problem(where, null, 'has max but no query (bad and total for a ratio, query and for for a threshold)');
  return problem(
    where,
    null,
    'expected bad, total and max (a ratio); histogram, quantile and below (a latency check); or query, min or max, and for (a threshold)',
  );
}

function toCheck(raw: unknown, index: number): MetricCheck {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    problem(`check ${index + 1}`, null, "expected a mapping of name, source and the check's fields");
  const entry = raw as Record<string, unknown>;
  const name = checkName(entry.name, index);
  const where = `check "${oneLine(name, 80)}"`;
  const unknown = Object.keys(entry).find((k) => !ALLOWED.includes(k));
  if (unknown !== undefined) problem(where, oneLine(unknown, 40), `is not a field of a check (allowed: ${ALLOWED.join(', ')})`);
  const source = entry.source;
  if (source === undefined || source === null) problem(where, 'source', `is missing: expected one of ${METRIC_SOURCES.join(', ')}`);
  if (typeof source !== 'string' || !(METRIC_SOURCES as readonly string[]).includes(source.trim().toLowerCase())) {
    problem(where, 'source', `expected one of ${METRIC_SOURCES.join(', ')}`);
  }
  const src = source.trim().toLowerCase() as MetricSource;
  const form = formOf(where, entry);
  const foreign = Object.keys(entry).find((k) => k !== 'name' && k !== 'source' && !(FORMS[form] as readonly string[]).includes(k));
  if (foreign !== undefined) problem(where, foreign, `does not belong to a ${form} check (its fields: ${FORMS[form].join(', ')})`);

  if (form === 'ratio') {
    const bad = text(where, entry, 'bad');
    const total = text(where, entry, 'total');
    if (entry.max === undefined) problem(where, 'max', 'is missing: the largest acceptable share of bad events, such as 2% or 0.02');
    const max = readFraction(entry.max);
    if (max === null || !(max > 0 && max < 1)) problem(where, 'max', 'expected a share strictly between 0 and 1, such as 2% or 0.02');
    return ratio(name, src, max, { trials: 'events', bad: 'bad' }, { kind: 'ratio', bad, total });
  }

  if (form === 'latency') {
    if (src !== 'prometheus')
      problem(where, 'histogram', "a latency check reads a Prometheus histogram's le buckets: use source: prometheus, or a ratio check (bad, total, max)");
    const histogram = text(where, entry, 'histogram');
    if (entry.quantile === undefined) problem(where, 'quantile', 'is missing: such as 0.95 for p95');
    const q = readFraction(entry.quantile);
    if (q === null || !(q > 0 && q < 1)) problem(where, 'quantile', 'expected a quantile strictly between 0 and 1, such as 0.95 or 95%');
    const belowRaw = entry.below;
    if (belowRaw === undefined) problem(where, 'below', 'is missing: a duration such as 3s or 250ms');
    const belowMs = typeof belowRaw === 'string' ? parseDuration(belowRaw) : typeof belowRaw === 'number' ? belowRaw * 1000 : null;
    if (belowMs === null || !(belowMs > 0)) problem(where, 'below', 'expected a duration such as 3s or 250ms (a bare number is seconds)');
    const shown = formatDuration(belowMs);
    // "p95 below 3 s" is "at most 5% of requests slower than 3 s": a ratio with the same test as any other.
    return ratio(name, src, round(1 - q), { trials: 'requests', bad: `slower than ${shown}` }, { kind: 'latency', histogram, below: belowMs / 1000 });
  }

  const query = text(where, entry, 'query');
  const min = entry.min === undefined ? null : readLimit(entry.min);
  const max = entry.max === undefined ? null : readLimit(entry.max);
  if (entry.min !== undefined && min === null) problem(where, 'min', 'expected a number, a percentage (99%) or a duration (3s)');
  if (entry.max !== undefined && max === null) problem(where, 'max', 'expected a number, a percentage (2%) or a duration (3s)');
  if (min === null && max === null) problem(where, 'min', 'a threshold check needs min or max (the value fails below min or above max)');
  if (min && max && min.value > max.value) problem(where, 'min', 'is above max: no value could pass');
  if (entry.for === undefined) problem(where, 'for', 'is missing: how long the value must stay past the limit, such as 2m');
  const forMs = typeof entry.for === 'string' ? parseDuration(entry.for) : typeof entry.for === 'number' ? entry.for * 1000 : null;
  if (forMs === null || forMs < 0) problem(where, 'for', 'expected a duration such as 2m or 90s');
  const check: ThresholdForCheck & { source: MetricSource; query: MetricQuery } = {
    kind: 'threshold-for',
    id: name,
    label: name,
    source: src,
    forMs,
    unit: (min ?? max)?.unit ?? '',
    query: { kind: 'value', query },
  };
  if (min) check.min = min.value;
  if (max) check.max = max.value;
  return check;
}

const round = (x: number) => Math.round(x * 1e9) / 1e9;

function ratio(name: string, source: MetricSource, maxBadRate: number, units: RatioCheck['units'], query: MetricQuery): MetricCheck {
  return { kind: 'ratio', id: name, label: name, source, maxBadRate, absoluteMaxBadRate: maxBadRate, limitSource: 'absolute', units, display: 'bad', query };
}

/** Parses the `checks` input; throws one line naming the check and the field. */
export function parseChecks(yamlText: string): MetricCheck[] {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText, { uniqueKeys: true, maxAliasCount: 10 });
  } catch (error) {
    const at = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    const why = error instanceof YAMLParseError ? error.code.toLowerCase().replace(/_/g, ' ') : 'unreadable';
    throw new CheckProblem(`is not valid YAML${at} (${why}): expected a list of checks, one "- name: ..." entry each`);
  }
  if (doc === null || doc === undefined) return [];
  if (!Array.isArray(doc)) throw new CheckProblem('expected a YAML list of checks, one "- name: ..." entry each');
  if (doc.length > MAX_CHECKS) throw new CheckProblem(`has ${doc.length} checks: at most ${MAX_CHECKS}`);
  const checks = doc.map(toCheck);
  const seen = new Set<string>(BUILT_IN_IDS);
  for (const c of checks) {
    if (BUILT_IN_IDS.includes(c.id.toLowerCase())) throw new CheckProblem(`check "${c.id}", field name: is the id of a built-in check: choose another name`);
    if (seen.has(c.id.toLowerCase())) throw new CheckProblem(`check "${c.id}", field name: is used twice (names key the checks output)`);
    seen.add(c.id.toLowerCase());
  }
  return checks;
}

/** The `checks` input as a zod field: [] when unset. */
export function checksField() {
  return z
    .string()
    .optional()
    .transform((v, ctx): MetricCheck[] => {
      if (v === undefined || v.trim() === '') return [];
      try {
        return parseChecks(v);
      } catch (error) {
        if (!(error instanceof CheckProblem)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
        return z.NEVER as never;
      }
    });
}
