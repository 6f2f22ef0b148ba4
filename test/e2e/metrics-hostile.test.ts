import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runAction } from '../helpers/action';
import { longestLeak } from '../reliability/leaks';
import { fakePrometheus, one, type PromAnswer } from '../sources/prometheus/fake-prometheus';

/**
 * A hostile Prometheus-compatible server (a proxy in front of Mimir, a tenant
 * gateway) against the bundled action: what it echoes of the credentials in
 * prometheus-headers must not reach anything the user sees.
 */
const CHECKS = `
- name: 5xx rate
  source: prometheus
  bad: sum(increase(http_requests_total{code=~"5.."}[$__range]))
  total: sum(increase(http_requests_total[$__range]))
  max: 2%
`;

async function gate(headers: string, answer: PromAnswer) {
  const prom = await fakePrometheus(answer);
  try {
    return await runAction({
      inputs: { 'prometheus-url': prom.url, 'prometheus-headers': headers, checks: CHECKS, window: '8s', interval: '2s', 'initial-delay': '0s', settle: '0s' },
      timeoutMs: 60_000,
    });
  } finally {
    await prom.close();
  }
}

const refused =
  (error: string): PromAnswer =>
  () => [400, { status: 'error', errorType: 'bad_data', error }];

describe.concurrent('a hostile Prometheus echoing the credentials of prometheus-headers', () => {
  it("never shows Basic auth's user:password, which the header carries only base64-encoded", async () => {
    const userPass = 'shopreader:Hunter2Hunter2Zebra9';
    const header = `Authorization: Basic ${Buffer.from(userPass).toString('base64')}`;
    const run = await gate(header, refused(`user ${userPass} may not read tenant shop (password Hunter2Hunter2Zebra9)`));
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/::error::Check "5xx rate" \(bad\): Prometheus refused the query \(HTTP 400/);
    expect(longestLeak(run.everything, 'Hunter2Hunter2Zebra9')).toBeLessThan(8);
    // The runner masks the decoded password too, wherever else it shows up.
    expect(run.masked).toContain('Hunter2Hunter2Zebra9');
  });

  it('masks the whole value of a header with a space, never a one-letter word of it on its own (the runner would blank every such letter of the log)', async () => {
    const run = await gate('X-Scope-OrgID: shop b\nAuthorization: Basic ' + Buffer.from('u:p').toString('base64'), () => one(1000));
    expect(run.masked).toContain('shop b');
    expect(run.masked.filter((m) => m.length < 6)).toEqual([]);
  });

  const token = 'glc_eyJvIjoiMTIzNDUiLCJuIjoic2hvcC1yZWFkZXIiLCJrIjoiQWJDZEVmR2gifQ';
  it.each([
    ['aligned', Buffer.from(token).toString('base64')],
    ['one byte in', Buffer.from(`:${token}`).toString('base64')],
    ['two bytes in', Buffer.from(`k:${token}`).toString('base64')],
    ['URL-safe', Buffer.from(`k:${token}`).toString('base64url')],
  ])('never shows a token base64-encoded (%s)', async (_, echo) => {
    const run = await gate(`Authorization: Bearer ${token}`, refused(`bad credentials ${echo}`));
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/Prometheus refused the query \(HTTP 400: bad_data: bad credentials/);
    expect(longestLeak(run.everything, echo.slice(4, -4))).toBeLessThan(8);
  });
});

const ratioCheck = (name: string) => `
- name: ${name}
  source: prometheus
  bad: sum(increase(http_requests_total{code=~"5.."}[$__range]))
  total: sum(increase(http_requests_total[$__range]))
  max: 2%
`;

/** Half the requests fail: a gate on `name` must fail it (or refuse the name), never pass or shrug. */
async function halfFailing(name: string) {
  const prom = await fakePrometheus((q) => one(q.includes('5..') ? 500 : 1000));
  try {
    return await runAction({
      inputs: { 'prometheus-url': prom.url, checks: ratioCheck(name), window: '6s', interval: '2s', 'initial-delay': '0s', settle: '0s' },
      timeoutMs: 60_000,
    });
  } finally {
    await prom.close();
  }
}

describe.concurrent('check names from the checks input', () => {
  it('refuses a check named __proto__ (it keyed nothing, and a failing release ended inconclusive with exit 0)', async () => {
    const run = await halfFailing('__proto__');
    expect(run.code).toBe(1);
    expect(run.annotations[0]?.message).toMatch(/^Input checks: check 1, field name: .*__proto__/);
  });
});

describe.concurrent('check names in the job summary', () => {
  it('cannot add table cells, links, images, HTML or comments to the Checks table', async () => {
    const name = '"a|b <img src=x> [d](https://evil.example) ![i](https://e.x/i) <!-- @octo"';
    const run = await halfFailing(name);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const table = run.summary.split('### Checks\n')[1]?.split('\n\n')[0] ?? '';
    const rows = table.split('\n').filter((l) => l.startsWith('|'));
    expect(rows.length).toBeGreaterThanOrEqual(3);
    // Every row has the header's 9 cells: an unescaped | would add some.
    const cells = (row: string) => row.replace(/\\\|/g, '').split('|').length - 2;
    for (const row of rows) expect(cells(row), row).toBe(9);
    // Outside code blocks (the alert's, where text is literal) nothing renders as markup or a mention.
    const rendered = run.summary.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
    expect(rendered).not.toMatch(/<img|<!--|\]\(https?:\/\/(evil|e\.x)|@octo/);
  });
});

/**
 * Counts since the deploy per poll (-1: no series); a shorter range at the same time (the
 * recent span of the last poll) gets half. The poll is told by its `time`.
 */
function countsByPoll(series: [n: number, k: number][]): PromAnswer {
  const times: number[] = [];
  const longest = new Map<number, number>();
  return (query, time) => {
    const range = Number(/\[(\d+)s\]/.exec(query)?.[1] ?? 0);
    if (!times.includes(time)) times.push(time);
    longest.set(time, Math.max(longest.get(time) ?? 0, range));
    const [n, k] = series[Math.min(times.indexOf(time), series.length - 1)]!;
    // -1: the query matched no series.
    if (n < 0) return [200, { status: 'success', data: { resultType: 'vector', result: [] } }];
    const v = query.includes('5..') ? k : n;
    return one(range < (longest.get(time) ?? 0) ? Math.floor(v / 2) : v);
  };
}

describe.concurrent('counts one request lower at the last poll (an HA replica a scrape behind)', () => {
  async function gateOn(series: [number, number][]) {
    const prom = await fakePrometheus(countsByPoll(series));
    try {
      return await runAction({
        inputs: { 'prometheus-url': prom.url, checks: ratioCheck('5xx rate'), window: '6s', interval: '2s', 'initial-delay': '0s', settle: '0s' },
        timeoutMs: 60_000,
      });
    } finally {
      await prom.close();
    }
  }

  it('still fails a release past its limit (it ended inconclusive, exit 0, blaming "only 0 sessions")', async () => {
    const run = await gateOn([
      [100, 4],
      [300, 11],
      [500, 18],
      [499, 18],
    ]);
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.reason).toMatch(/^5xx rate 3\.6% .*500 events, 18 bad/);
  });

  it('still fails it when the last poll finds no series at all', async () => {
    const run = await gateOn([
      [100, 4],
      [300, 11],
      [500, 18],
      [-1, -1],
    ]);
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs.reason).toMatch(/^5xx rate 3\.6% .*500 events, 18 bad/);
  });

  it('still passes a healthy release', async () => {
    const run = await gateOn([
      [2000, 4],
      [4000, 8],
      [6000, 12],
      [5999, 12],
    ]);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
  });
});

describe.concurrent('a token echoed in look-alike letters behind a second encoding', () => {
  const token = 'glcabcdefghijklmnopqrstuvwxyzabcdef';
  /** Each letter as its mathematical bold form (U+1D41A…), written as a JSON surrogate-pair escape. */
  const jsonAstral = (s: string) =>
    [...s]
      .map((c) => {
        const cp = 0x1d41a + c.charCodeAt(0) - 97;
        const unit = (u: number) => `\\u${u.toString(16)}`;
        return unit(0xd800 + ((cp - 0x10000) >> 10)) + unit(0xdc00 + ((cp - 0x10000) & 0x3ff));
      })
      .join('');
  /** Each letter as its fullwidth form (U+FF41…), percent-encoded as UTF-8. */
  const percentWide = (s: string) => encodeURIComponent([...s].map((c) => String.fromCharCode(0xff41 + c.charCodeAt(0) - 97)).join(''));
  /** Runs of %XX decoded as UTF-8 (a cut-off sequence at the end of a run becomes U+FFFD, the rest still reads). */
  const urlDecoded = (text: string) => text.replace(/(?:%[0-9a-f]{2})+/gi, (m) => Buffer.from(m.replace(/%/g, ''), 'hex').toString('utf8'));

  it.each([
    ['JSON surrogate escapes of mathematical letters', jsonAstral(token)],
    ['percent-encoded UTF-8 of fullwidth letters', percentWide(token)],
  ])('never shows it: %s', async (_, echo) => {
    const body = `{"status":"error","errorType":"unavailable","error":"token ${echo} refused"}`;
    const run = await gate(`Authorization: Bearer ${token}`, () => [503, body]);
    expect(run.stdout).toMatch(/poll skipped: GET \/api\/v1\/query returned HTTP 503/);
    expect(longestLeak(run.everything, token)).toBeLessThan(8);
    expect(longestLeak(urlDecoded(run.everything), token)).toBeLessThan(8);
  });
});

describe('a gate on metrics alone whose check never gets data', () => {
  it("says which check had no data and the source's words, not only min-sessions", async () => {
    // Datadog answers 200 with no points and its reason in `errors` (an unknown metric).
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ data: { type: 'scalar_response', attributes: { columns: [] } }, errors: 'Unknown metric: checkout.faild <b>x</b>' })),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const checks =
        '- {name: checkout failures, source: datadog, bad: "sum:checkout.faild{*}.as_count()", total: "sum:checkout.attempted{*}.as_count()", max: 5%}';
      const run = await runAction({
        inputs: {
          'datadog-site': `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          checks,
          window: '4s',
          interval: '2s',
          'initial-delay': '0s',
          settle: '0s',
        },
        env: { DD_API_KEY: 'ddapi_0123456789abcdef0123', DD_APP_KEY: 'ddapp_0123456789abcdef0123456789' },
      });
      expect(run.outputs.verdict).toBe('inconclusive');
      expect(run.outputs.reason).toMatch(/no data from checkout failures: no data \(Datadog: Unknown metric: checkout\.faild <b>x<\/b>\)/);
      expect(run.summary).toContain('no data from checkout failures: no data \\(Datadog: Unknown metric: checkout.faild &lt;b&gt;x&lt;/b&gt;\\)');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
