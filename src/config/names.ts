/**
 * Names that travel from an input or from the tracker into log lines, the
 * summary, outputs and the rollback workflow's inputs. Sentry itself refuses
 * only newlines, tabs, slashes, ".", ".." and "latest" (getsentry's
 * sentry-release-parser, validate_release); these checks refuse more, because
 * a name here may end up in a shell line of the rollback workflow or at the
 * start of a log line the runner reads as a workflow command.
 */

import { INVISIBLE } from '../util/text';

// What a shell interprets inside a `run:` line such as `./deploy ${{ inputs.previous-release }}`.
const SHELL = /[`$;|&<>'"!*?(){}[\]]/;

export const RELEASE_FORM =
  'a release name of at most 200 characters without spaces, slashes, backslashes, control characters, "::" or shell characters ($ ` ; | & < > \' " ! * ? ( ) { } [ ]), not ".", ".." or "latest"';

/**
 * Why `name` is not an acceptable release name, or null when it is. The one
 * check for the `release` input and for the previous release read from the
 * tracker (the version a rollback would deploy).
 */
export function releaseNameProblem(name: string): string | null {
  if (name.length === 0) return `is empty: expected ${RELEASE_FORM}`;
  if (name.length > 200) return `is longer than 200 characters: expected ${RELEASE_FORM}`;
  if (name === '.' || name === '..' || name.toLowerCase() === 'latest') return `is a name Sentry reserves: expected ${RELEASE_FORM}`;
  if (INVISIBLE.test(name)) return `contains control or invisible characters: expected ${RELEASE_FORM}`;
  if (/[\s/\\]/.test(name)) return `contains spaces, slashes or backslashes: expected ${RELEASE_FORM}`;
  if (name.includes('::')) return `contains "::" (a workflow command marker): expected ${RELEASE_FORM}`;
  if (SHELL.test(name)) return `contains a shell character: expected ${RELEASE_FORM}`;
  return null;
}

export const ENVIRONMENT_FORM =
  'an environment name of at most 64 characters without spaces, slashes, control characters, "::" or shell characters, not ".", ".." or "none"';

export function environmentNameProblem(name: string): string | null {
  if (name.length > 64) return `is longer than 64 characters: expected ${ENVIRONMENT_FORM}`;
  if (name === '.' || name === '..' || name.toLowerCase() === 'none') return `is a name Sentry reserves: expected ${ENVIRONMENT_FORM}`;
  if (INVISIBLE.test(name)) return `contains control or invisible characters: expected ${ENVIRONMENT_FORM}`;
  if (/[\s/\\]/.test(name)) return `contains spaces or slashes: expected ${ENVIRONMENT_FORM}`;
  if (name.includes('::')) return `contains "::" (a workflow command marker): expected ${ENVIRONMENT_FORM}`;
  if (SHELL.test(name)) return `contains a shell character: expected ${ENVIRONMENT_FORM}`;
  return null;
}

export const GIT_REF_FORM =
  'a branch, tag or ref such as main, v2.0.1 or refs/heads/release (git ref rules: no spaces, control characters, ~ ^ : ? * [ \\, "..", "@{" or "//")';

/** git check-ref-format's rules, which GitHub applies to a dispatch's ref. */
export function gitRefProblem(ref: string): string | null {
  const bad =
    ref.length > 255 ||
    INVISIBLE.test(ref) ||
    /[\s~^:?*[\\]/.test(ref) ||
    ref.includes('..') ||
    ref.includes('@{') ||
    ref.includes('//') ||
    ref === '@' ||
    /^[/.]|[/.]$|\.lock$|\/\./.test(ref);
  return bad ? `expected ${GIT_REF_FORM}` : null;
}

/**
 * A refused name for a warning: control and invisible characters shown as
 * \u{…} escapes, so the warning stays one visible line, and shortened. The
 * second colon of a "::" is escaped too: nothing in it reads as a command marker.
 */
export function sanitizedName(name: string, max = 80): string {
  const points = Array.from(name.slice(0, max * 2), (ch) =>
    INVISIBLE.test(ch) || (/\s/.test(ch) && ch !== ' ') ? `\\u{${ch.codePointAt(0)!.toString(16)}}` : ch,
  );
  for (let i = 1; i < points.length; i++) if (points[i] === ':' && points[i - 1] === ':') points[i] = '\\u{3a}';
  return points.length > max || name.length > max * 2 ? `${points.slice(0, max - 1).join('')}…` : points.join('');
}
