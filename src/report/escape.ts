/**
 * Tracker text (issue titles, culprits, release names, error messages) is written by
 * whoever can make the app throw, so it reaches the job summary only through here.
 */

import { oneLine, truncate } from '../util/text';

export { oneLine, truncate };

const ZWSP = '\u200b';

/**
 * Makes tracker text inert in GitHub-flavoured markdown, inline or in a table cell:
 * no HTML, links, images, emphasis, code spans, math, cell breaks or new rows, and no
 * @mentions, #123 / GH-123 references or bare-URL autolinks that GitHub would act on.
 * Renders as the original characters (plus invisible zero-width spaces).
 */
export function escapeMarkdown(text: string, maxLength = Infinity): string {
  return (
    oneLine(text, maxLength)
      // Entities rather than backslashes: they also hold inside raw HTML blocks.
      .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'))
      .replace(/[\\`*_[\]()|~$!#]/g, '\\$&')
      // GitHub links mentions and references in rendered text, after escapes are
      // resolved, so only a character between the parts stops them.
      .replace(/@/g, `@${ZWSP}`)
      .replace(/#(?=\w)/g, `#${ZWSP}`)
      .replace(/\b(GH)-(?=\d)/gi, `$1${ZWSP}-`)
      .replace(/:\/\//g, `:${ZWSP}//`)
      .replace(/\b(www)\./gi, `$1${ZWSP}.`)
      // Block starts (list, heading underline, ordered list) matter only at the start.
      .replace(/^([-+=])/, '\\$1')
      .replace(/^(\d+)\./, '$1\\.')
  );
}

/** The URL in a form safe as a markdown link destination, or null unless it is plain http(s). */
export function safeUrl(url: string | null | undefined): string | null {
  if (typeof url !== 'string' || url.trim() === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  // "https://sentry.io@evil.example" reads as sentry.io to a hurried reader.
  if (parsed.username !== '' || parsed.password !== '' || parsed.hostname === '') return null;
  // URL serialisation leaves these raw, and each can end a link or a table cell.
  return parsed.href.replace(/[()|\\[\]`*_<> "']/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * Identifiers people copy (release names, environments) as a code span: shown
 * literally, never a mention or a link, and copied without the invisible
 * characters escapeMarkdown adds. `|` stays escaped for tables.
 */
export function codeSpan(text: string, maxLength = Infinity): string {
  // A code span shows < and > raw; some renderers of the summary might not.
  if (/[<>]/.test(text)) return escapeMarkdown(text, maxLength);
  const body = oneLine(text, maxLength).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** A markdown link to a safe URL, or the (escaped) text alone when the URL is not safe. */
export function mdLink(text: string, url: string | null | undefined, opts: { code?: boolean } = {}): string {
  const href = safeUrl(url);
  const label = opts.code ? codeSpan(text, 200) : escapeMarkdown(text);
  return href === null ? label : `[${label}](${href})`;
}

/** A fenced code block no line of `content` can close: the fence outruns every backtick run. */
export function codeBlock(content: string, info = ''): string {
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${content}\n${fence}`;
}
