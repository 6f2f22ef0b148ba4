/** Ingested issues (from SDKs and the scenario generator) as the issues endpoint's rows. */
import type { IssueRow } from '../issues';
import type { ReleaseRec, TrackerState } from '../store';
import type { IssueStore } from './issues-ingest';

export function ingestedIssueRows(state: TrackerState, issues: IssueStore, visibleBefore: number): IssueRow[] {
  const rows: IssueRow[] = [];
  for (const i of issues.all()) {
    if (i.firstSeen > visibleBefore) continue;
    const index = state.projects.findIndex((p) => p.id === i.projectId);
    const project = state.projects[index];
    if (!project) continue;
    // The registered release when there is one (so it counts in the release's newGroups); else
    // a stand-in that only carries the version for `firstRelease:` filters.
    const release: ReleaseRec = (i.firstRelease !== null ? state.releases.get(i.firstRelease) : undefined) ?? standIn(i.firstRelease ?? '');
    rows.push({
      id: i.id,
      shortId: `${project.slug.toUpperCase()}-${(0x1000 + i.number).toString(36).toUpperCase()}`,
      spec: { title: i.title, culprit: i.culprit, project: index, users: i.users.size, events: i.count, firstSeenMinute: 0, level: i.level },
      project,
      release,
      firstSeen: i.firstSeen,
      lastSeen: i.lastSeen,
      users: i.users.size,
      events: i.count,
      environments: [...i.environments],
    });
  }
  return rows;
}

function standIn(version: string): ReleaseRec {
  return {
    id: 0,
    version,
    ref: null,
    url: null,
    dateCreated: 0,
    dateReleased: null,
    projectIds: [],
    deploys: [],
    commits: [],
    refs: [],
    role: 'current',
    userAgent: null,
  };
}
