/**
 * What a user could read a secret from, and what the runner would take for a
 * command: the checks behind the wire-safety tests.
 */

// eslint-disable-next-line no-control-regex -- removing what a renderer drops is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u00a0\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;

function percentDecoded(text: string): string {
  return text.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function jsonUnescaped(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function entitiesDecoded(text: string): string {
  return text.replace(/&#(?:x([0-9a-f]+)|(\d+));/gi, (_, hex: string | undefined, dec: string | undefined) =>
    String.fromCharCode(hex ? parseInt(hex, 16) : Number(dec)),
  );
}

/** The text as shown, and as a renderer or a reader could turn it back: escapes decoded, backslashes and invisible characters gone. */
export function readings(text: string): string[] {
  const plain = jsonUnescaped(percentDecoded(entitiesDecoded(text)));
  // JSON's short escapes (\b, \t, …) between the letters render as nothing a reader keeps.
  const unescaped = plain.replace(/\\[bfnrtv0]/g, '');
  return [
    text,
    unescaped.replace(/\\/g, '').replace(INVISIBLE, ''),
    plain.replace(/\\/g, ''),
    plain.replace(/\\/g, '').replace(INVISIBLE, ''),
    plain.replace(/\\/g, '').replace(/\s+/g, ''),
    asSeen(plain.replace(/\\/g, '')),
  ];
}

/**
 * What a reader sees: characters that render as nothing (variation selectors, tag
 * characters, combining marks, format characters, spaces) dropped, look-alike forms
 * (fullwidth, mathematical letters) folded to the letters they show, in lower case
 * (an upper-cased hex token is the same token). Tag characters that copy ASCII are
 * read as it too: a token can hide in them.
 */
export function asSeen(text: string): string {
  return text
    .replace(/[\u{e0020}-\u{e007e}]/gu, (c) => String.fromCharCode(c.codePointAt(0)! - 0xe0000))
    .normalize('NFKD')
    .replace(/[\p{Default_Ignorable_Code_Point}\p{M}\p{Cf}\p{Z}\s\u2800]/gu, '')
    .normalize('NFKC')
    .toLowerCase();
}

/** The longest run of `secret` that any reading of `text` contains (0 when none of 4 or more). */
export function longestLeak(text: string, secret: string): number {
  let best = 0;
  for (const [i, form] of readings(text).entries()) {
    if (i === 4) secret = asSeen(secret);
    for (let i = 0; i < secret.length; i += 1) {
      let n = best + 1;
      while (i + n <= secret.length && form.includes(secret.slice(i, i + n))) {
        best = n;
        n += 1;
      }
    }
  }
  return best >= 4 ? best : 0;
}

const OWN_COMMANDS = /^::(debug|error|warning|notice|group|endgroup)::/;

/**
 * Lines the runner would read as a workflow command the action did not mean:
 * any command but the ones it writes (none with properties), a mask of
 * something that is not a secret, and a legacy `##[command]` anywhere. `marker`
 * is text the hostile server put at the start of its forged commands' data.
 */
export function forgedCommands(output: string, secrets: string[], marker = 'FORGED'): string[] {
  return output.split(/\r\n|\n|\r/).filter((line) => {
    // GitHub's legacy form, and Azure Pipelines' and TeamCity's (the CLI runs in any CI): read anywhere in a line.
    if (/##(vso|teamcity)?\[[\w-]+/i.test(line)) return true;
    const start = line.trimStart();
    if (!start.startsWith('::')) return false;
    if (start.startsWith('::add-mask::')) return !secrets.includes(start.slice('::add-mask::'.length));
    if (!OWN_COMMANDS.test(start)) return true;
    return start.replace(OWN_COMMANDS, '').startsWith(marker);
  });
}
