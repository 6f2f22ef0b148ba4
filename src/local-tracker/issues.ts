/** GET /organizations/{org}/issues/: the ingested issues as Sentry's stream serializer shows them. */
import { type Query, detail, many, one, parseSearch } from './http';
import type { IssueSpec } from './scenarios';
import type { ProjectRec, ReleaseRec } from './store';

export interface IssueRow {
  id: string;
  shortId: string;
  spec: IssueSpec;
  project: ProjectRec;
  release: ReleaseRec;
  firstSeen: number;
  lastSeen: number;
  users: number;
  events: number;
  /** Environments its events came from. */
  environments: string[];
}

const SORTS: Record<string, (a: IssueRow, b: IssueRow) => number> = {
  date: (a, b) => b.lastSeen - a.lastSeen,
  new: (a, b) => b.firstSeen - a.firstSeen,
  freq: (a, b) => b.events - a.events,
  user: (a, b) => b.users - a.users,
};

/** Filters and sorts for the list endpoint; unknown search keys are ignored, as no scenario has them. */
export function filterIssues(rows: IssueRow[], q: Query, projects: ProjectRec[]): IssueRow[] {
  const envs = many(q, 'environment');
  let out = rows.filter((r) => projects.includes(r.project) && (envs.length === 0 || r.environments.some((e) => envs.includes(e))));
  for (const { key, value } of parseSearch(one(q, 'query') ?? 'is:unresolved')) {
    if (key === 'firstRelease' || key === 'first_release') out = out.filter((r) => r.release.version === value);
    else if (key === 'release') out = out.filter((r) => r.release.version === value);
    else if (key === 'is' && !['unresolved', 'unassigned', 'for_review'].includes(value)) out = [];
  }
  const sort = one(q, 'sort') ?? 'date';
  const cmp = SORTS[sort] ?? (['inbox', 'recommended', 'trends'].includes(sort) ? SORTS.date : undefined);
  if (!cmp) throw detail(400, `Invalid sort: ${sort}`);
  return [...out].sort((a, b) => cmp(a, b) || Number(a.id) - Number(b.id));
}

export function serializeIssue(r: IssueRow, publicUrl: string, org: string) {
  const iso = (ms: number) => new Date(ms).toISOString();
  const seen = { count: String(r.events), userCount: r.users, firstSeen: iso(r.firstSeen), lastSeen: iso(r.lastSeen) };
  const [type, ...rest] = r.spec.title.split(': ');
  return {
    id: r.id,
    shareId: null,
    shortId: r.shortId,
    title: r.spec.title,
    culprit: r.spec.culprit,
    permalink: `${publicUrl}/organizations/${org}/issues/${r.id}/`,
    logger: null,
    level: r.spec.level ?? 'error',
    status: 'unresolved',
    statusDetails: {},
    substatus: 'new',
    isPublic: false,
    platform: 'javascript',
    priority: 'high',
    priorityLockedAt: null,
    seerFixabilityScore: null,
    seerAutofixLastTriggered: null,
    seerExplorerAutofixLastTriggered: null,
    project: { id: String(r.project.id), name: r.project.slug, slug: r.project.slug, platform: r.project.platform },
    type: 'error',
    issueType: 'error',
    issueCategory: 'error',
    metadata: { type: rest.length ? type : 'Error', value: rest.length ? rest.join(': ') : r.spec.title, filename: r.spec.culprit },
    numComments: 0,
    assignedTo: null,
    isBookmarked: false,
    isSubscribed: false,
    subscriptionDetails: null,
    hasSeen: false,
    annotations: [],
    isUnhandled: true,
    ...seen,
    derivedData: {
      blocker: '',
      progress: '',
      status: '',
      viewCount: 0,
      hasOpenFixPr: false,
      isAssigned: false,
      hasRootCause: false,
      lastCompletedAutofixStep: '',
      lastProgressedAt: null,
    },
    stats: { '24h': [[Math.floor(r.lastSeen / 3_600_000) * 3600, r.events]] },
    lifetime: { ...seen, stats: null },
    filtered: null,
  };
}
