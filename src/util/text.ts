/** Plain-text helpers shared by the decision's reasons and the reports. */

// Line and paragraph separators end table rows and paragraphs; bidi controls can make
// a title display as something other than what it says (Trojan Source).
const LINE_BREAKS = /\r\n|[\n\r\t\v\f\u0085\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One line of plain text: breaks become spaces, control and bidi characters go, then `truncate`. */
export function oneLine(text: string, maxLength = Infinity): string {
  // Cut first so a megabyte-long title costs nothing; the slack covers removed characters.
  const raw = Number.isFinite(maxLength) ? String(text).slice(0, maxLength * 4 + 16) : String(text);
  const flat = raw.replace(LINE_BREAKS, ' ').replace(INVISIBLE, '');
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
