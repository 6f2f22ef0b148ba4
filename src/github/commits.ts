import type { CommitInput } from '../sources/sentry/types';
import { githubClient, toGitHubError, type GitHubClient, type GitHubTarget } from './client';

type Comparison = Awaited<ReturnType<GitHubClient['rest']['repos']['compareCommitsWithBasehead']>>['data'];
type CompareCommit = Comparison['commits'][number];
type DiffEntry = NonNullable<Comparison['files']>[number];

const PER_PAGE = 100; // the compare endpoint's maximum page size

/**
 * The commits in `base..head` (reachable from head, not from base), newest
 * first, at most `max` (default 1000) of them: the newest ones when the range
 * is longer.
 *
 * Newest first because Sentry sorts commits by timestamp and takes the first of
 * equal timestamps as the release's head commit; `git log` order keeps rebased
 * commits (which share timestamps) in the right order.
 */
export async function listCommitsBetween(opts: GitHubTarget & { base: string; head: string; max?: number }): Promise<CommitInput[]> {
  const { owner, repo, base, head } = opts;
  const max = Math.max(1, opts.max ?? 1000);
  const what = `listing commits ${base}...${head} in ${owner}/${repo}`;
  const octokit = await githubClient(opts);
  const page = async (n: number): Promise<Comparison> => {
    try {
      const res = await octokit.rest.repos.compareCommitsWithBasehead({
        owner,
        repo,
        basehead: `${base}...${head}`,
        per_page: PER_PAGE,
        page: n,
      });
      return res.data;
    } catch (err) {
      throw toGitHubError(err, opts.token, what, {
        permission: 'contents: read',
        notFound: `commit ${base} or ${head} in ${owner}/${repo}`,
        notFoundHint: `a force push may have removed ${base}, or it may belong to another repository`,
      });
    }
  };

  // Always page explicitly: without paging parameters GitHub silently caps the
  // list at 250 commits. Pages run oldest to newest; page 1 carries the files
  // and the total, which tells which pages hold the newest `max` commits, so a
  // long range costs a few requests instead of a walk over all of it.
  const first = await page(1);
  // The total is the server's word: past 2^53 (1e308, say) n++ stops counting and
  // the paging never ends. Whatever it says, no more pages than `max` needs are read.
  const total = Number.isSafeInteger(first.total_commits) && first.total_commits > 0 ? first.total_commits : first.commits.length;
  const firstWanted = Math.floor(Math.max(0, total - max) / PER_PAGE) + 1;
  const lastPage = Math.max(1, Math.ceil(total / PER_PAGE));
  const commits: CompareCommit[] = firstWanted === 1 ? [...first.commits] : [];
  const pageBudget = Math.ceil(max / PER_PAGE) + 1;
  for (let n = Math.max(2, firstWanted), read = 1; n <= lastPage && read < pageBudget; n++, read++) {
    const { commits: more } = await page(n);
    if (more.length === 0) break;
    commits.push(...more);
  }

  const repository = `${owner}/${repo}`;
  const out = commits
    .slice(-max)
    .reverse()
    .map((c) => toCommitInput(c, repository));
  // Compare reports the files changed over the whole range, not per commit (per
  // commit would take one more request per commit). Putting them on every commit
  // would make Sentry blame each commit for every file when it suggests suspect
  // commits; the head commit is the one that produced the deployed state of
  // those files, so it carries them. GitHub lists at most 300 files here.
  const patchSet = toPatchSet(first.files);
  if (out[0] && patchSet.length) out[0].patch_set = patchSet;
  return out;
}

function toCommitInput(c: CompareCommit, repository: string): CommitInput {
  const author = c.commit.author;
  // Committer date, not author date: it follows history order through rebases
  // and cherry-picks, and Sentry orders a release's commits by this timestamp.
  const timestamp = c.commit.committer?.date ?? author?.date;
  return {
    id: c.sha,
    repository,
    message: c.commit.message,
    ...(author?.name ? { author_name: author.name } : {}),
    ...(author?.email ? { author_email: author.email } : {}),
    ...(timestamp ? { timestamp } : {}),
  };
}

function toPatchSet(files: DiffEntry[] | undefined): NonNullable<CommitInput['patch_set']> {
  return (files ?? []).map((f) => ({
    path: f.filename,
    type: f.status === 'added' ? 'A' : f.status === 'removed' ? 'D' : 'M',
  }));
}
