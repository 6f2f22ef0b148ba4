/**
 * GET /organizations/{org}/sessions/: the metrics-backed release-health query, with the same
 * parameter validation, date rounding and output shape as Sentry's
 * (organization_sessions.py, release_health/metrics_sessions_v2.py, snuba/sessions_v2.py,
 * snuba/metrics/utils.to_intervals), over the sessions the ingest store holds (what SDKs and
 * the scenario generator sent). With `state.backend = 'sessions'` it answers as a self-hosted
 * Sentry on the sessions dataset: metrics-only fields (the rates) are dropped without a word,
 * and there is no `unhandled` status (those sessions are errored there).
 */
import { type Query, detail, many, one, parsePeriod, parseSearch } from './http';
import { iso, type ProjectRec, type TrackerState } from './store';
import { ABNORMAL, CRASHED, ERRORED, HEALTHY, SEVERITY, type SessionSeries, UNHANDLED } from './ingest/sessions-ingest';

const STATUSES = 5;
const worse = (a: number | undefined, b: number) => (a === undefined || SEVERITY[b]! > SEVERITY[a]! ? b : a);

const COUNT_FIELDS = ['sum(session)', 'count_unique(user)'];
const RATE_FIELDS = ['crash_free_rate(user)', 'crash_free_rate(session)', 'crash_rate(user)', 'crash_rate(session)', 'unhealthy_rate(session)'];
const GROUP_BYS = ['project', 'release', 'environment', 'session.status'];
const ONE_DAY = 86400;
const MAX_POINTS = 1000;
/** Rows (groups × buckets) kept: the metrics layer's MAX_POINTS (metrics/utils.py), the sessions dataset's SNUBA_LIMIT. */
const MAX_ROWS = { metrics: 10_000, sessions: 5_000 };
// SessionStatus enum order in Sentry, which is the order the status groups come out in.
const STATUS_ORDER: [string, number][] = [
  ['abnormal', ABNORMAL],
  ['crashed', CRASHED],
  ['errored', ERRORED],
  ['healthy', HEALTHY],
  ['unhandled', UNHANDLED],
];

export interface SessionsDeps {
  state: TrackerState;
  now: number;
  /**
   * Real ms per scenario minute (time compression). Intervals and periods are
   * scenario time, so that in a compressed run "1m" is still one minute of
   * traffic, and the rounding of a range cuts what it would cut in real time.
   */
  minuteMs?: number;
  /** Resolves the `project` query parameter (ids, -1 or absent) to projects, throwing Sentry's errors. */
  projects: (q: Query) => ProjectRec[];
  /** Sessions sent to the envelope endpoint, per project, release and environment. */
  ingested: () => Iterable<SessionSeries>;
  /** Called once the query is valid, before `ingested` is read: the scenario generator sends what the range needs. */
  prepare?: (range: { from: number; releases: string[]; projects: ProjectRec[] }) => void;
}

class Acc {
  sessions: number[][]; // [status][bucket]
  users: Map<number, number>[]; // per bucket: user -> worst status
  totalUsers = new Map<number, number>();
  constructor(buckets: number) {
    this.sessions = Array.from({ length: STATUSES }, () => new Array<number>(buckets).fill(0));
    this.users = Array.from({ length: buckets }, () => new Map());
  }
  /** `n` sessions of one status; a negative user is none (an aggregate without `did`): sessions only. */
  add(bucket: number, user: number, status: number, n = 1) {
    this.sessions[status]![bucket]! += n;
    if (user < 0) return;
    const m = this.users[bucket]!;
    m.set(user, worse(m.get(user), status));
    this.totalUsers.set(user, worse(this.totalUsers.get(user), status));
  }
}

export function querySessions(q: Query, deps: SessionsDeps) {
  const backend = deps.state.backend ?? 'metrics';
  const asked = many(q, 'field');
  if (asked.length === 0) throw detail(400, 'Request is missing a "field"');
  for (const f of asked) {
    if (!COUNT_FIELDS.includes(f) && !RATE_FIELDS.includes(f)) throw detail(400, `Invalid field: "${f}"`);
  }
  // The sessions dataset skips the metrics-only fields (QueryDefinition's "HACK"): no error, no value.
  const fields = backend === 'sessions' ? asked.filter((f) => COUNT_FIELDS.includes(f)) : asked;
  const groupBy = many(q, 'groupBy');
  for (const g of groupBy) if (!GROUP_BYS.includes(g)) throw detail(400, `Invalid groupBy: "${g}"`);
  const byStatus = groupBy.includes('session.status');
  const rate = fields.find((f) => RATE_FIELDS.includes(f));
  if (byStatus && rate) throw detail(400, `Cannot group field ${rate} by session.status`);

  // Interval rules of the metrics backend (sentry/snuba/metrics/utils.get_date_range).
  const interval = parsePeriod(one(q, 'interval') ?? '1h') ?? 3600;
  if (interval % 10 !== 0 || interval < 10) {
    throw detail(400, 'The interval has to be a multiple of the minimum interval of ten seconds.');
  }
  if (ONE_DAY % interval !== 0) throw detail(400, 'The interval should divide one day without a remainder.');

  // Everything below works in real seconds: one asked second lasts `scale` of them.
  const scale = (deps.minuteMs ?? 60_000) / 60_000;
  const step = interval * scale;
  let startS: number;
  let endS: number;
  const statsPeriod = one(q, 'statsPeriod');
  const startText = one(q, 'start');
  const endText = one(q, 'end');
  if (statsPeriod !== undefined) {
    const period = parsePeriod(statsPeriod);
    if (period === undefined) throw detail(400, `Invalid statsPeriod: ${JSON.stringify(statsPeriod)}`);
    endS = deps.now / 1000;
    startS = endS - period * scale;
  } else if (startText !== undefined || endText !== undefined) {
    if (startText === undefined || endText === undefined) throw detail(400, 'start and end are both required');
    startS = Date.parse(startText) / 1000;
    endS = Date.parse(endText) / 1000;
    if (Number.isNaN(startS) || Number.isNaN(endS)) throw detail(400, `${startText} is not a valid ISO8601 date query`);
    if (startS > endS) throw detail(400, 'start must be before end');
  } else {
    endS = deps.now / 1000;
    startS = endS - ONE_DAY;
  }
  // Older Sentry (here: the sessions backend) limits minute intervals to 6 hours.
  if (backend === 'sessions' && interval % 3600 !== 0 && endS - startS > 6 * 3600 * scale) {
    throw detail(400, 'The time-range when using one-minute resolution intervals is restricted to 6 hours.');
  }
  // to_intervals: start back to an interval boundary, end forward to one.
  startS = Math.min(startS, deps.now / 1000);
  const start = step * Math.floor(startS / step);
  const buckets = Math.max(0, Math.ceil((endS - start) / step));
  if (buckets > MAX_POINTS) {
    throw detail(400, 'Your interval and date range would create too many results. Use a larger interval, or a smaller date range.');
  }
  const end = start + buckets * step;
  const intervals = Array.from({ length: buckets }, (_, i) => iso((start + i * step) * 1000));

  // Filters: `query` (release, environment), `environment`, `project`.
  const queryText = one(q, 'query') ?? '';
  const releaseFilter: string[] = [];
  const envFilter = many(q, 'environment');
  for (const { key, value } of parseSearch(queryText)) {
    if (key === 'release') releaseFilter.push(value);
    else if (key === 'environment') envFilter.push(value);
    else throw detail(400, `Invalid search query: ${key ? `${key}:${value}` : value}`);
  }
  const projects = deps.projects(q);
  deps.prepare?.({ from: start * 1000, releases: releaseFilter, projects });

  const groups = new Map<string, { by: Record<string, string | number>; acc: Acc }>();
  for (const series of deps.ingested()) {
    if (releaseFilter.length > 0 && !releaseFilter.includes(series.release)) continue;
    if (envFilter.length > 0 && !envFilter.includes(series.environment)) continue;
    if (!projects.some((p) => p.id === series.projectId)) continue;
    const by: Record<string, string | number> = {};
    if (groupBy.includes('project')) by.project = series.projectId;
    if (groupBy.includes('release')) by.release = series.release;
    if (groupBy.includes('environment')) by.environment = series.environment;
    const key = JSON.stringify(by);
    series.forEach(start * 1000, end * 1000, deps.now, (t, user, status, n) => {
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { by, acc: new Acc(buckets) }));
      g.acc.add(Math.floor((t / 1000 - start) / step), user, backend === 'sessions' && status === UNHANDLED ? ERRORED : status, n);
    });
  }
  if (buckets === 0) groups.clear();
  // Like Sentry: without groupBy there is always one group; grouping only by status gives one per status.
  else if (groups.size === 0 && (groupBy.length === 0 || (groupBy.length === 1 && byStatus))) {
    groups.set('{}', { by: {}, acc: new Acc(buckets) });
  }
  // Sentry keeps the groups with the most sessions that fit its row limit and drops the rest without a word.
  const maxGroups = buckets === 0 ? 0 : Math.floor(MAX_ROWS[backend] / buckets);
  const kept = [...groups.values()].sort((a, b) => sum(b.acc.sessions.map(sum)) - sum(a.acc.sessions.map(sum))).slice(0, maxGroups);

  const includeSeries = one(q, 'includeSeries') !== '0';
  const includeTotals = one(q, 'includeTotals') !== '0';
  const out = [];
  for (const { by, acc } of kept) {
    const statuses: [Record<string, string | number>, number | undefined][] = byStatus
      ? STATUS_ORDER.filter(([, rank]) => backend === 'metrics' || rank !== UNHANDLED).map(([name, rank]) => [{ ...by, 'session.status': name }, rank])
      : [[by, undefined]];
    for (const [groupKey, status] of statuses) {
      const totals: Record<string, number | null> = {};
      const series: Record<string, (number | null)[]> = {};
      for (const f of fields) {
        totals[f] = value(
          f,
          acc.sessions.map((s) => sum(s)),
          acc.totalUsers,
          status,
        );
        series[f] = acc.users.map((u, b) =>
          value(
            f,
            acc.sessions.map((s) => s[b]!),
            u,
            status,
          ),
        );
      }
      // includeSeries=0 / includeTotals=0 leave the key with an empty object, and no intervals.
      out.push({ by: groupKey, totals: includeTotals ? totals : {}, series: includeSeries ? series : {} });
    }
  }
  return {
    start: iso(start * 1000),
    end: iso(end * 1000),
    intervals: includeSeries ? intervals : [],
    groups: out,
    query: queryText,
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** One field's value from session counts per status and users' worst status. */
function value(field: string, perStatus: number[], users: Map<number, number>, status: number | undefined): number | null {
  const sessions = sum(perStatus);
  const crashed = perStatus[CRASHED]!;
  let userCount = 0;
  let crashedUsers = 0;
  for (const worst of users.values()) {
    if (status === undefined || worst === status) userCount += 1;
    if (worst === CRASHED) crashedUsers += 1;
  }
  switch (field) {
    case 'sum(session)':
      return status === undefined ? sessions : perStatus[status]!;
    case 'count_unique(user)':
      return userCount;
    case 'crash_free_rate(session)':
      return sessions === 0 ? null : 1 - crashed / sessions;
    case 'crash_rate(session)':
      return sessions === 0 ? null : crashed / sessions;
    case 'crash_free_rate(user)':
      return users.size === 0 ? null : 1 - crashedUsers / users.size;
    case 'crash_rate(user)':
      return users.size === 0 ? null : crashedUsers / users.size;
    case 'unhealthy_rate(session)':
      return sessions === 0 ? null : (sessions - perStatus[HEALTHY]!) / sessions;
    default:
      return null;
  }
}
