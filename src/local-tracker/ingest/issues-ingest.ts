/**
 * Issues grouped from ingested events, with what the issues API serves: first and last seen,
 * the release that first saw it, events, distinct users, title and culprit. Memory is bounded:
 * counts are kept for every issue, distinct users exactly up to USERS_PER_ISSUE_CAP per issue,
 * and only the RECENT_EVENTS_CAP newest event payloads (at most RECENT_EVENT_BYTES in all).
 */
import { hash53, isRecord, parseTime, str } from './ids';
import { summarize } from './grouping';

export const ISSUES_CAP = 10_000;
export const USERS_PER_ISSUE_CAP = 100_000;
export const RECENT_EVENTS_CAP = 1000;
export const RECENT_EVENT_BYTES = 32 * 1024 * 1024;
const ENVIRONMENTS_PER_ISSUE_CAP = 100;

export interface IngestedIssue {
  id: string;
  number: number;
  projectId: number;
  hash: string;
  title: string;
  culprit: string;
  level: 'error' | 'fatal' | 'warning';
  firstSeen: number;
  lastSeen: number;
  firstRelease: string | null;
  count: number;
  users: Set<number>;
  environments: Set<string>;
}

export interface StoredEvent {
  projectId: number;
  issueId: string;
  receivedAt: number;
  bytes: number;
  event: Record<string, unknown>;
}

/** Sentry's user identity for counting: id, else username, email or IP (the `sentry:user` tag). */
export function userKey(user: unknown): string | undefined {
  if (!isRecord(user)) return undefined;
  for (const [field, prefix] of [
    ['id', 'id'],
    ['username', 'username'],
    ['email', 'email'],
    ['ip_address', 'ip'],
  ] as const) {
    const v = user[field];
    if ((typeof v === 'string' && v !== '') || typeof v === 'number') return `${prefix}:${String(v).slice(0, 200)}`;
  }
  return undefined;
}

export class IssueStore {
  private byHash = new Map<string, IngestedIssue>();
  private recent: StoredEvent[] = [];
  private recentBytes = 0;
  private next = 1;
  events = 0;
  droppedNewIssues = 0;

  all(): Iterable<IngestedIssue> {
    return this.byHash.values();
  }

  environments(): Set<string> {
    const out = new Set<string>();
    for (const i of this.byHash.values()) for (const e of i.environments) out.add(e);
    return out;
  }

  /** The newest event payloads, oldest first. */
  recentEvents(): readonly StoredEvent[] {
    return this.recent;
  }

  add(projectId: number, event: Record<string, unknown>, bytes: number, now: number): IngestedIssue | undefined {
    const s = summarize(event);
    const key = `${projectId}:${s.hash}`;
    // Sentry dates an issue by its events' timestamps; one from the future is clamped to now.
    const at = Math.min(parseTime(event.timestamp) ?? now, now);
    const release = str(event.release, 250) ?? null;
    const environment = str(event.environment, 64) ?? 'production';
    let issue = this.byHash.get(key);
    if (!issue) {
      if (this.byHash.size >= ISSUES_CAP) {
        this.droppedNewIssues += 1;
        return undefined;
      }
      const number = this.next++;
      issue = {
        id: String(5_000_000 + number),
        number,
        projectId,
        hash: s.hash,
        title: s.title,
        culprit: s.culprit,
        level: s.level,
        firstSeen: at,
        lastSeen: at,
        firstRelease: release,
        count: 0,
        users: new Set(),
        environments: new Set(),
      };
      this.byHash.set(key, issue);
    }
    issue.count += 1;
    this.events += 1;
    if (at < issue.firstSeen) issue.firstSeen = at;
    if (at > issue.lastSeen) issue.lastSeen = at;
    const user = userKey(event.user);
    if (user && issue.users.size < USERS_PER_ISSUE_CAP) issue.users.add(hash53(user));
    if (issue.environments.size < ENVIRONMENTS_PER_ISSUE_CAP) issue.environments.add(environment);

    this.recent.push({ projectId, issueId: issue.id, receivedAt: now, bytes, event });
    this.recentBytes += bytes;
    while (this.recent.length > RECENT_EVENTS_CAP || this.recentBytes > RECENT_EVENT_BYTES) {
      this.recentBytes -= this.recent.shift()!.bytes;
    }
    return issue;
  }
}
