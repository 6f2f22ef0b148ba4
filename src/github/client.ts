import type { getOctokit } from '@actions/github';
import { errorMessage } from '../util/errors';
import { redact } from '../util/redact';
import { oneLine } from '../util/text';
import { MAX_RESPONSE_BYTES } from '../http/client';
import { cappedFetch } from './capped-fetch';

export type GitHubClient = ReturnType<typeof getOctokit>;

/** Where a repository lives and how to reach it; every GitHub call in this directory takes one. */
export interface GitHubTarget {
  token: string;
  /** GITHUB_API_URL, e.g. https://api.github.com or https://ghe.example/api/v3. */
  apiUrl: string;
  owner: string;
  repo: string;
  /** Per-request deadline (default 30 s): Octokit has none, and a hung API must not hang the job. */
  timeoutMs?: number;
  /** The run's cancel signal: a SIGINT must not wait for a GitHub answer. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/** A failed GitHub call, described in one line that never contains the token. */
export class GitHubError extends Error {
  override name = 'GitHubError';
  /** HTTP status, or 0 when GitHub was not reached. */
  readonly status: number;
  constructor(message: string, status: number, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

export async function githubClient(opts: {
  token: string;
  apiUrl: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Largest answer read (default: the same cap as the tracker's). */
  maxResponseBytes?: number;
}): Promise<GitHubClient> {
  // Loaded here, not at the top: the client costs ~100 ms of cold start that
  // runs without commits or a rollback never need.
  const { getOctokit } = await import('@actions/github');
  const octokit = getOctokit(opts.token, {
    // Explicit, so the caller's API URL wins over whatever the toolkit read from
    // the environment when it loaded.
    baseUrl: opts.apiUrl.replace(/\/+$/, ''),
    // Replacing `request` drops the toolkit's proxy-aware fetch, so only do it
    // when the caller brings its own.
    ...(opts.fetch ? { request: { fetch: opts.fetch } } : {}),
  });
  const timeoutMs = opts.timeoutMs ?? 30_000;
  // Every hook sees the same per-request options object, so give it a fresh
  // `request` (mutating the existing one would touch the shared defaults).
  octokit.hook.before('request', (options) => {
    const signals = [AbortSignal.timeout(timeoutMs), options.request?.signal, opts.signal].filter((s): s is AbortSignal => s !== undefined);
    // Wraps whatever fetch the toolkit chose (its proxy-aware one, or the caller's).
    const inner = (options.request?.fetch as typeof fetch | undefined) ?? fetch;
    options.request = { ...options.request, signal: AbortSignal.any(signals), fetch: cappedFetch(inner, opts.maxResponseBytes ?? MAX_RESPONSE_BYTES) };
  });
  return octokit;
}

/** Past this (year 275760) a Date cannot be printed: a header beyond it is not a time. */
const MAX_EPOCH_SECONDS = 8.64e12;

/** What to tell the user for a given status, in the context of one call. */
export interface ErrorHints {
  /** The permission the call needs, e.g. "actions: write". */
  permission?: string;
  /** What was not found, e.g. "workflow rollback.yml in acme/shop". */
  notFound?: string;
  /** Advice after a 404, e.g. how the thing could have gone missing. */
  notFoundHint?: string;
  /** Advice appended to GitHub's own 422 message. */
  unprocessable?: string;
}

interface RequestErrorLike {
  status: number;
  message: string;
  response?: { data?: unknown; headers?: Record<string, string | number | undefined> };
}

function isRequestError(err: unknown): err is RequestErrorLike {
  return err instanceof Error && typeof (err as { status?: unknown }).status === 'number';
}

function githubMessage(data: unknown): string | null {
  if (typeof data === 'string') return oneLine(data, MESSAGE_MAX).replace(/\s+/g, ' ') || null;
  if (data === null || typeof data !== 'object') return null;
  const { message, errors } = data as { message?: unknown; errors?: unknown };
  const parts: string[] = [];
  if (typeof message === 'string' && message) parts.push(message);
  // 422s put the specifics in `errors`: strings, or objects with a message or a field/code.
  if (Array.isArray(errors)) {
    for (const e of errors) {
      if (typeof e === 'string') parts.push(e);
      else if (e && typeof e === 'object') {
        const o = e as Record<string, unknown>;
        const text = o.message ?? [o.resource, o.field, o.code].filter(Boolean).join(' ');
        if (typeof text === 'string' && text) parts.push(text);
      }
    }
  }
  // GitHub's words, or a proxy's: one short line, whatever the size of the answer.
  return parts.length ? oneLine(parts.join(': '), MESSAGE_MAX).replace(/\s+/g, ' ') : null;
}

const MESSAGE_MAX = 300;

/** "(HTTP 403: GitHub's words)", leaving out words that only restate the status. */
function statusTag(status: number, msg: string | null, ...boring: string[]): string {
  const said = msg && !boring.some((b) => msg.toLowerCase() === b.toLowerCase()) ? `: ${msg}` : '';
  return `(HTTP ${status}${said})`;
}

/**
 * One line saying what failed, why, and what to change. Works on Octokit's
 * RequestError (and anything with a numeric `status`); other errors keep their message.
 */
export function describeGitHubError(err: unknown, what: string, hints: ErrorHints = {}): string {
  // GitHub's messages can span lines ("Invalid request.\n\n..."); logs and annotations want one.
  return explain(err, what, hints).replace(/\s*\n\s*/g, ' ');
}

function explain(err: unknown, what: string, hints: ErrorHints): string {
  if (!isRequestError(err)) {
    return `${what} failed: ${errorMessage(err)}`;
  }
  // Octokit reports fetch failures (refused, DNS, timeout) as status 500 with no response.
  if (!err.response) {
    // The run's cancel reason (main.ts, cli.ts): GitHub was reachable, the job stopped waiting.
    if (err.message === 'cancelled') return `${what} stopped: the job was cancelled`;
    return `${what} failed: could not reach the GitHub API: ${err.message}`;
  }
  const { status } = err;
  const msg = githubMessage(err.response.data);
  const headers = err.response.headers ?? {};
  const rateLimited = String(headers['x-ratelimit-remaining'] ?? '') === '0' || status === 429 || /rate limit/i.test(msg ?? '');
  switch (true) {
    case status === 401:
      return `${what} failed: GitHub rejected the token as bad credentials (HTTP 401); check the \`github-token\` input`;
    case rateLimited && (status === 403 || status === 429): {
      const reset = Number(headers['x-ratelimit-reset']);
      const retryAfter = Number(headers['retry-after']);
      const when =
        Number.isFinite(retryAfter) && retryAfter > 0
          ? `; retry after ${retryAfter} s`
          : Number.isFinite(reset) && reset > 0 && reset < MAX_EPOCH_SECONDS
            ? `; the limit resets at ${new Date(reset * 1000).toISOString()}`
            : '';
      return `${what} failed: GitHub API rate limit exceeded (HTTP ${status})${when}`;
    }
    case status === 403: {
      const need = hints.permission
        ? `the token needs \`${hints.permission}\`; set \`permissions: { ${hints.permission} }\` on the job or use a token that has it`
        : 'the token lacks the permission this call needs';
      return `${what} failed: ${need} ${statusTag(403, msg)}`;
    }
    case status === 404: {
      const target = hints.notFound ?? 'the resource';
      const hint = hints.notFoundHint ? `; ${hints.notFoundHint}` : '';
      return `${what} failed: ${target} was not found, or the token cannot see it ${statusTag(404, msg, 'Not Found')}${hint}`;
    }
    case status === 422:
      return `${what} failed: GitHub refused the request (HTTP 422): ${msg ?? 'validation failed'}${hints.unprocessable ? `; ${hints.unprocessable}` : ''}`;
    default:
      return `${what} failed: GitHub returned an error ${statusTag(status, msg)}`;
  }
}

/** Turns a caught error into a GitHubError, with the token scrubbed as a last line of defence. */
export function toGitHubError(err: unknown, token: string, what: string, hints?: ErrorHints): GitHubError {
  const line = redact(describeGitHubError(err, what, hints), [token]);
  const status = isRequestError(err) && err.response ? err.status : 0;
  return new GitHubError(line, status, { cause: err });
}
