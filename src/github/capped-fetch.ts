/**
 * Wraps a fetch so no GitHub answer is read past `maxBytes`. Octokit reads
 * every body whole before we see it, so a hostile or broken API (or a proxy in
 * front of it) could otherwise make the job buffer gigabytes. The body is read
 * here, counted on the stream (a missing or lying Content-Length does not
 * matter; an honest one past the cap is refused before reading), and handed on
 * whole: Octokit swallows errors while reading a body, so a cap enforced inside
 * the stream would turn into an empty answer instead of a failed call.
 */
export function cappedFetch(inner: typeof fetch, maxBytes: number): typeof fetch {
  return async (input, init) => {
    const res = await inner(input, init);
    const tooLarge = () => new Error(`the GitHub API answer is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB: not read`);
    if (Number(res.headers.get('content-length')) > maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw tooLarge();
    }
    if (!res.body) return res;
    const chunks: Uint8Array[] = [];
    let seen = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      seen += value.byteLength;
      if (seen > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
    const capped = new Response(Buffer.concat(chunks), { status: res.status, statusText: res.statusText, headers: res.headers });
    // Octokit reports the answer's URL; a new Response has none of its own.
    Object.defineProperty(capped, 'url', { value: res.url });
    return capped;
  };
}
