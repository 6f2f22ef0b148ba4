import type { SessionCounts, SessionSample } from '../types';

/** Cumulative release-health counts since the deploy (defined with the ports: the report shows them). */
export type HealthCounts = SessionCounts;

/** One poll of release health: cumulative counts from the deploy time to `at`, per project and in total. */
export type HealthSample = SessionSample;

/** Distinct users over one span, per project slug and summed over projects. */
export interface UserCounts {
  users: number;
  crashedUsers: number;
  projects: Record<string, { users: number; crashedUsers: number }>;
}

/** An issue first seen in this release. Every string field is tracker text: escape before display. */
export interface NewIssue {
  id: string;
  shortId: string;
  title: string;
  culprit: string | null;
  permalink: string | null;
  project: string;
  userCount: number;
  count: number;
  firstSeen: string;
}

export interface Deploy {
  environment: string;
  dateStarted: string | null;
  dateFinished: string;
  url: string | null;
}

/** A deploy of another release that replaced the watched one in its environment. */
export interface NewerDeploy {
  version: string;
  dateFinished: string;
}

export interface ReleaseInfo {
  version: string;
  dateCreated: string;
  dateReleased: string | null;
  /** The newest commit id associated with the release, when Sentry knows it. */
  lastCommitId: string | null;
  projects: string[];
}

export interface CommitInput {
  id: string;
  repository: string;
  message: string;
  author_name?: string;
  author_email?: string;
  timestamp?: string;
  patch_set?: { path: string; type: 'A' | 'M' | 'D' }[];
}

export interface RefInput {
  repository: string;
  commit: string;
  previousCommit?: string;
}

/** What the pipeline needs from an error tracker. One adapter per tracker. */
export interface Tracker {
  /** Creates the release for the projects; `created` is false when it already existed. */
  createRelease(version: string, projects: string[]): Promise<{ created: boolean }>;
  getRelease(version: string): Promise<ReleaseInfo | null>;
  /** Names of repositories connected to the organisation (for `refs`), those matching `name` when given. */
  listRepos(name?: string): Promise<string[]>;
  setRefs(version: string, refs: RefInput[]): Promise<void>;
  setCommits(version: string, commits: CommitInput[]): Promise<void>;
  listDeploys(version: string): Promise<Deploy[]>;
  /** `withoutProjects`: the tracker refused `projects` and recorded the deploy for the release's projects. */
  createDeploy(version: string, deploy: Deploy & { name?: string; projects: string[] }): Promise<Deploy & { withoutProjects?: boolean }>;
  finalize(version: string, dateReleased: string): Promise<void>;
  /** The release deployed to `environment` before `version`, newest first. */
  previousRelease(version: string, projects: string[], environment: string): Promise<ReleaseInfo | null>;
  /**
   * Cumulative health of `version` in `environment` from `since` to `until`
   * (epoch ms); unhealthy sessions are counted only when `unhealthy` is set
   * (they cost the tracker a second query). With `settled`, nothing after
   * `until` may be counted (data after it is still arriving): the tracker may
   * end the range earlier, on one of its bucket boundaries, and says where in
   * the sample's `at`.
   */
  sample(q: {
    version: string;
    projects: string[];
    environment: string;
    since: number;
    until: number;
    unhealthy?: boolean;
    settled?: boolean;
    signal?: AbortSignal;
  }): Promise<HealthSample>;
  /**
   * Users and crashed users of `version` from `since` to `until`, counted over
   * that span: a user seen before it is counted again if seen in it, which a
   * difference of two `sample`s cannot tell.
   */
  usersBetween(q: {
    version: string;
    projects: string[];
    environment: string;
    since: number;
    until: number;
    settled?: boolean;
    signal?: AbortSignal;
  }): Promise<UserCounts>;
  /**
   * Issues first seen in `version`, and in `environment` at or after `since` (the deploy) when given.
   * An issue first seen well after `until` (now) is a broken answer, not a new issue.
   */
  newIssues(q: { version: string; projects: string[]; environment: string; since?: number; until?: number; signal?: AbortSignal }): Promise<NewIssue[]>;
  /**
   * The newest deploy of another release to `environment` after the watched
   * release's own newest one there (and after `after`); null when the watched
   * release is still the newest. Asked before a rollback: never roll back a newer fix.
   */
  newerDeploy?(q: { version: string; projects: string[]; environment: string; after: number; now: number; signal?: AbortSignal }): Promise<NewerDeploy | null>;
  /** Link to the release page for people. */
  releaseUrl(version: string, project?: string): string;
}
