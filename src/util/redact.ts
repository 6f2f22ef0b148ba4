/**
 * Replaces every secret in text with ***. The runner masks registered secrets
 * in logs, but not in files we write (summary, report) nor in text a server
 * echoes back, so anything that printed server text goes through this.
 */
export function redact(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    out = out.split(secret).join('***');
  }
  return out;
}
