/** Plain-text helpers shared by the decision's reasons and the reports. */

// Line and paragraph separators end table rows and paragraphs; bidi controls can make
// a title display as something other than what it says (Trojan Source).
const LINE_BREAKS = /\r\n|[\n\r\t\v\f\u0085\u2028\u2029]/g;
// C0 and C1 controls (ESC starts an ANSI sequence), DEL, soft hyphen, zero-width and bidi
// characters, word joiners and BOM: one list for what config refuses in names and what
// log lines and reports drop from server text.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'g');

/** One line of plain text: breaks become spaces, control and bidi characters go, then `truncate`. */
export function oneLine(text: string, maxLength = Infinity): string {
  // Cut first so a megabyte-long title costs nothing; the slack covers removed characters.
  const raw = Number.isFinite(maxLength) ? String(text).slice(0, maxLength * 4 + 16) : String(text);
  const flat = raw.replace(LINE_BREAKS, ' ').replace(INVISIBLE_ALL, '');
  return truncate(flat.trim(), maxLength);
}

/** At most `maxLength` code points, the last one an ellipsis when cut (never splits a surrogate pair). */
export function truncate(text: string, maxLength: number): string {
  if (!(maxLength > 0)) return '';
  if (text.length <= maxLength) return text;
  const points = Array.from(text);
  if (points.length <= maxLength) return text;
  return `${points.slice(0, Math.max(0, Math.floor(maxLength) - 1)).join('')}…`;
}

const ZWSP = '\u200b';

/**
 * One line of a log that may carry server text. The runner reads a line that
 * starts with `::` (after leading spaces) as a workflow command, and `##[name]`
 * anywhere in a line as a legacy one; other CI systems the CLI runs in read
 * `##vso[…]` (Azure Pipelines: set variables, prepend PATH) and `##teamcity[…]`
 * anywhere too. A zero-width space breaks each, so a tracker cannot forge an
 * annotation, a mask, `::stop-commands::` or another system's command. Breaks,
 * control characters (terminal escapes too) and bidi controls go (`oneLine`).
 */
export function logLine(text: string): string {
  // Not oneLine: leading spaces stay, for the alignment of the CLI's alert.
  return String(text)
    .replace(LINE_BREAKS, ' ')
    .replace(INVISIBLE_ALL, '')
    .trimEnd()
    .replace(/^(\s*):(?=:)/, `$1:${ZWSP}`)
    .replace(/##(\w*)\[/g, `##$1${ZWSP}[`);
}

/** A time from a server, re-printed in ISO 8601 (UTC) if it parses, never echoed: the text itself could be anything. */
export function serverTime(text: unknown): string {
  const ms = typeof text === 'string' && text.length <= 64 ? Date.parse(text) : NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : 'an unreadable time';
}

/** `logLine` for each line of text that is multi-line by design (an alert, an annotation). */
export function logLines(text: string): string {
  return text
    .split(/\r\n|\n|\r/)
    .map(logLine)
    .join('\n');
}
