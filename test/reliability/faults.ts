import type { Fault, LocalTracker } from '../../src/local-tracker';
import type { JsonReportV1 } from '../../src/report/json';
import type { Gate } from './harness';

export const HTML_PAGE =
  '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><h1>Bad Gateway</h1><p>The proxy got an invalid response.</p></body></html>';

const html = { 'Content-Type': 'text/html; charset=utf-8' };

/** One kind of trouble, as faults for the sessions and the issues endpoints. */
export interface FaultKind {
  kind: string;
  sessions: Omit<Fault, 'path' | 'times'>;
  issues: Omit<Fault, 'path' | 'times'>;
  /** What a skipped poll's error says for this kind. */
  error: RegExp;
}

const same = (f: Omit<Fault, 'path' | 'times'>) => ({ sessions: f, issues: f });

export const FAULT_KINDS: FaultKind[] = [
  { kind: '500', ...same({ status: 500 }), error: /HTTP 500/ },
  { kind: '502 with an HTML page', ...same({ status: 502, body: HTML_PAGE, headers: html }), error: /HTTP 502: <!DOCTYPE html>/ },
  { kind: '503', ...same({ status: 503 }), error: /HTTP 503/ },
  { kind: '429 + X-Sentry-Rate-Limit-Reset', ...same({ status: 429 }), error: /HTTP 429/ },
  { kind: 'connection reset', ...same({ reset: true }), error: /failed: .*(socket|closed|ECONNRESET)/i },
  { kind: '200 with an HTML page', ...same({ status: 200, body: HTML_PAGE, headers: html }), error: /returned HTTP 200 but not JSON: <!DOCTYPE html>/ },
  { kind: '200 with truncated JSON', ...same({ truncate: true }), error: /cut off|failed/ },
  {
    kind: '200 missing expected fields',
    sessions: { status: 200, body: JSON.stringify({ groups: [{ by: { project: 1001 }, totals: {} }] }) },
    issues: { status: 200, body: JSON.stringify([{ id: '1', title: 'no userCount, no project' }]) },
    error: /unexpected response \(.*(missing|expected)/,
  },
];

/**
 * A burst: the next `sessions` session requests and `issues` issue requests get
 * this fault. Keep it to two per query: with the 5 s retry budget of these short
 * windows, backoff (1–2 s, then 2–4 s) leaves room for about three attempts.
 */
export function burst(tracker: LocalTracker, k: FaultKind, sessions: number, issues: number): void {
  tracker.faults.add({ path: '/sessions/', times: sessions, ...k.sessions });
  tracker.faults.add({ path: '/issues/', times: issues, ...k.issues });
}

/**
 * The fault on every session and issue request for `forMs`, starting `startMs`
 * after the first poll reached the tracker (the action's start-up time varies
 * with load): long enough to outlast a poll's retry budget (5 s here), so at
 * least one poll is skipped.
 */
export function spell(tracker: LocalTracker, k: FaultKind, startMs: number, forMs: number): void {
  const on = () => {
    tracker.faults.add({ path: '/sessions/', times: Infinity, ...k.sessions });
    tracker.faults.add({ path: '/issues/', times: Infinity, ...k.issues });
  };
  if (startMs === 0) on();
  const watcher = setInterval(() => {
    const first = tracker.requests.find((r) => r.path.endsWith('/sessions/'));
    if (!first) return;
    clearInterval(watcher);
    const since = Date.now() - first.receivedAt;
    if (startMs > 0) setTimeout(on, Math.max(0, startMs - since)).unref();
    setTimeout(() => tracker.faults.clear(), Math.max(0, startMs + forMs - since)).unref();
  }, 20);
  watcher.unref();
}

export const skippedPolls = (report: JsonReportV1) => report.polls.filter((p) => p.sample === null);
export const goodPolls = (report: JsonReportV1) => report.polls.filter((p) => p.sample !== null);

/**
 * Counts are cumulative since the deploy, so health data can only grow: a poll
 * whose sessions fall back is a broken answer that was counted as data.
 */
export function sessionsNeverFallBack(report: JsonReportV1): boolean {
  const sessions = goodPolls(report).map((p) => p.sample?.sessions ?? 0);
  return sessions.every((n, i) => i === 0 || n >= (sessions[i - 1] ?? 0));
}

/** Rows for the fault table printed at the end of a run (kind, verdict, requests, seconds). */
export const table: { kind: string; scenario: string; verdict: string; requests: number; seconds: number; skipped: number }[] = [];

export function record(kind: string, scenario: string, { run, tracker, report }: Gate): void {
  table.push({
    kind,
    scenario,
    verdict: run.outputs.verdict ?? `exit ${run.code}`,
    requests: tracker.requests.length,
    seconds: run.durationMs / 1000,
    skipped: report ? skippedPolls(report).length : 0,
  });
}

export function printTable(title: string): void {
  if (!process.env.RELIABILITY_TABLE) return;
  const rows = [...table].sort((a, b) => a.kind.localeCompare(b.kind));
  console.log(
    [`\n${title}`, '| fault | scenario | verdict | requests | skipped polls | duration |', '| --- | --- | --- | ---: | ---: | ---: |']
      .concat(rows.map((r) => `| ${r.kind} | ${r.scenario} | ${r.verdict} | ${r.requests} | ${r.skipped} | ${r.seconds.toFixed(1)} s |`))
      .join('\n'),
  );
}
