import { describe, expect, it } from 'vitest';
import { parseChecks } from '../../src/config/checks';
import { datadogApiBase } from '../../src/config/metrics-inputs';
import { ConfigError, loadConfig } from '../../src/config/load';

/** The four examples of issue #15, as a user writes them. */
export const EXAMPLE_CHECKS = `
- name: 5xx rate
  source: prometheus
  bad: sum(increase(http_requests_total{job="shop",code=~"5.."}[$__range]))
  total: sum(increase(http_requests_total{job="shop"}[$__range]))
  max: 2%
- name: p95 latency under 3 s
  source: prometheus
  histogram: http_request_duration_seconds_bucket{job="shop"}
  quantile: 0.95
  below: 3s
- name: checkout failures
  source: datadog
  bad: sum:checkout.failed{env:production}.as_count()
  total: sum:checkout.attempted{env:production}.as_count()
  max: 5%
- name: uptime probe
  source: prometheus
  query: min(probe_success{job="blackbox",instance="https://shop.example"})
  min: 1
  for: 2m
`;

const base: Record<string, string> = { 'sentry-auth-token': 'tok_secret_value', 'sentry-org': 'acme', 'sentry-projects': 'web', release: 'v1' };
const load = (over: Record<string, string>, env: Record<string, string> = {}) => loadConfig((name) => ({ ...base, ...over })[name], env);
const errorOf = (over: Record<string, string>, env: Record<string, string> = {}) => {
  try {
    load(over, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
};
const withSources = { 'prometheus-url': 'http://127.0.0.1:9090', 'datadog-api-key': 'dd_api_key_1234567', 'datadog-app-key': 'dd_app_key_7654321' };

describe('the checks input', () => {
  it('turns the four examples into checks as data with their queries', () => {
    const checks = load({ ...withSources, checks: EXAMPLE_CHECKS }).inputs.checks;
    expect(checks.map((c) => [c.id, c.kind, c.source])).toEqual([
      ['5xx rate', 'ratio', 'prometheus'],
      ['p95 latency under 3 s', 'ratio', 'prometheus'],
      ['checkout failures', 'ratio', 'datadog'],
      ['uptime probe', 'threshold-for', 'prometheus'],
    ]);
    const [fivexx, p95, checkout, probe] = checks;
    expect(fivexx).toMatchObject({ maxBadRate: 0.02, absoluteMaxBadRate: 0.02, limitSource: 'absolute', display: 'bad' });
    expect(fivexx?.query).toEqual({
      kind: 'ratio',
      bad: 'sum(increase(http_requests_total{job="shop",code=~"5.."}[$__range]))',
      total: 'sum(increase(http_requests_total{job="shop"}[$__range]))',
    });
    // p95 below 3 s is at most 5% of requests slower than 3 s.
    expect(p95).toMatchObject({ kind: 'ratio', maxBadRate: 0.05, units: { trials: 'requests', bad: 'slower than 3s' } });
    expect(p95?.query).toEqual({ kind: 'latency', histogram: 'http_request_duration_seconds_bucket{job="shop"}', below: 3 });
    expect(checkout).toMatchObject({ maxBadRate: 0.05 });
    expect(probe).toMatchObject({ kind: 'threshold-for', min: 1, forMs: 120_000, unit: '' });
    expect(probe).not.toHaveProperty('max');
  });

  it('is empty when unset, and the gate accepts metric checks alone', () => {
    expect(load({}).inputs.checks).toEqual([]);
    const c = load({ ...withSources, checks: EXAMPLE_CHECKS, 'min-crash-free-users': 'off' });
    expect(c.inputs.checks).toHaveLength(4);
  });

  it('reads limits as fractions, percentages or durations', () => {
    const [a, b, c] = parseChecks(`
- {name: a, source: prometheus, bad: x, total: y, max: 0.5}
- {name: b, source: prometheus, query: q, max: 250ms, for: 90s}
- {name: c, source: datadog, query: q, max: 2%, for: 0}
`);
    expect(a).toMatchObject({ maxBadRate: 0.5 });
    expect(b).toMatchObject({ max: 0.25, unit: 's', forMs: 90_000 });
    expect(c).toMatchObject({ max: 0.02, unit: '%', forMs: 0 });
  });

  const cases: [string, string, string][] = [
    ['bad YAML', '- name: a\n  source: [prometheus', 'Input checks is not valid YAML at line 2 (bad indent)'],
    ['not a list', 'name: a', 'Input checks: expected a YAML list of checks'],
    [
      'an unknown key',
      '- {name: 5xx rate, source: prometheus, bad: x, total: y, maxx: 2%}',
      'Input checks: check "5xx rate", field maxx: is not a field of a check',
    ],
    ['a missing field', '- {name: 5xx rate, source: prometheus, bad: x, total: y}', 'Input checks: check "5xx rate", field max: is missing'],
    ['a missing name', '- {source: prometheus, bad: x, total: y, max: 1%}', 'Input checks: check 1, field name: is missing'],
    ['a missing source', '- {name: a, bad: x, total: y, max: 1%}', 'Input checks: check "a", field source: is missing: expected one of prometheus, datadog'],
    [
      'an unknown source',
      '- {name: a, source: graphite, bad: x, total: y, max: 1%}',
      'Input checks: check "a", field source: expected one of prometheus, datadog',
    ],
    [
      'a max of 200%',
      '- {name: a, source: prometheus, bad: x, total: y, max: 200%}',
      'Input checks: check "a", field max: expected a share strictly between 0 and 1',
    ],
    [
      'mixed forms',
      '- {name: a, source: prometheus, bad: x, total: y, max: 1%, for: 1m}',
      'Input checks: check "a", field bad: does not belong to a threshold check',
    ],
    [
      'a latency check on Datadog',
      '- {name: a, source: datadog, histogram: h, quantile: 0.9, below: 1s}',
      'Input checks: check "a", field histogram: a latency check reads a Prometheus histogram',
    ],
    [
      'a bad quantile',
      '- {name: a, source: prometheus, histogram: h, quantile: 95, below: 1s}',
      'Input checks: check "a", field quantile: expected a quantile strictly between 0 and 1',
    ],
    [
      'a threshold without a limit',
      '- {name: a, source: prometheus, query: q, for: 1m}',
      'Input checks: check "a", field min: a threshold check needs min or max',
    ],
    ['a threshold without for', '- {name: a, source: prometheus, query: q, min: 1}', 'Input checks: check "a", field for: is missing'],
    [
      'a name used twice',
      '- {name: a, source: prometheus, query: q, min: 1, for: 1m}\n- {name: A, source: prometheus, query: q, min: 1, for: 1m}',
      'Input checks: check "A", field name: is used twice',
    ],
    [
      'a built-in id',
      '- {name: error-rate, source: prometheus, query: q, min: 1, for: 1m}',
      'Input checks: check "error-rate", field name: is the id of a built-in check',
    ],
    [
      'a name with a line break',
      '- {name: "a\\nb", source: prometheus, query: q, min: 1, for: 1m}',
      'Input checks: check 1, field name: must not contain control',
    ],
  ];
  it.each(cases)('refuses %s in one line naming the check and the field', (_, yaml, start) => {
    const message = errorOf({ ...withSources, checks: yaml });
    expect(message.split('\n')).toHaveLength(1);
    expect(message.startsWith(start)).toBe(true);
  });

  it('refuses a source without its URL or keys, naming the check', () => {
    expect(errorOf({ checks: EXAMPLE_CHECKS, 'datadog-api-key': 'k_123456', 'datadog-app-key': 'k_654321' })).toBe(
      'Input checks: check "5xx rate", field source: prometheus needs the prometheus-url input (the base URL of a Prometheus-compatible query API)',
    );
    expect(errorOf({ checks: EXAMPLE_CHECKS, 'prometheus-url': 'http://127.0.0.1:9090' })).toBe(
      'Input checks: check "checkout failures", field source: datadog needs the datadog-api-key input or the DD_API_KEY env variable',
    );
    // The env variables Datadog's tools use count.
    expect(
      load({ checks: EXAMPLE_CHECKS, 'prometheus-url': 'http://127.0.0.1:9090' }, { DD_API_KEY: 'env_api_1234', DD_APP_KEY: 'env_app_1234' }).inputs[
        'datadog-api-key'
      ],
    ).toBe('env_api_1234');
  });
});

describe('prometheus-headers', () => {
  it('reads one Name: value a line', () => {
    const headers = load({ 'prometheus-headers': 'X-Scope-OrgID: tenant-1\nAuthorization: Bearer abc:def\n' }).inputs['prometheus-headers'];
    expect(headers).toEqual({ 'x-scope-orgid': 'tenant-1', authorization: 'Bearer abc:def' });
  });

  it('refuses a bad line by its number, never showing a value', () => {
    const message = errorOf({ 'prometheus-headers': 'X-Scope-OrgID: tenant-secret-42\nBearer hunter2hunter2' });
    expect(message).toBe('Input prometheus-headers: line 2: expected "Name: value" (a header name, a colon, a value), one a line');
    expect(errorOf({ 'prometheus-headers': 'Host: evil.example' })).toMatch(/^Input prometheus-headers: line 1: Host is set by the gate itself/);
  });
});

describe('datadog-site', () => {
  it('maps a site to its API and keeps a full URL', () => {
    expect(datadogApiBase('datadoghq.com')).toBe('https://api.datadoghq.com');
    expect(datadogApiBase('datadoghq.eu')).toBe('https://api.datadoghq.eu');
    expect(datadogApiBase('us3.datadoghq.com')).toBe('https://api.us3.datadoghq.com');
    expect(datadogApiBase('app.datadoghq.eu')).toBe('https://api.datadoghq.eu');
    expect(datadogApiBase('ddog-gov.com')).toBe('https://api.ddog-gov.com');
    expect(datadogApiBase('http://127.0.0.1:8126/')).toBe('http://127.0.0.1:8126');
    expect(datadogApiBase('datadog.example')).toBeNull();
    expect(load({}).inputs['datadog-site']).toBe('https://api.datadoghq.com');
    expect(load({}, { DD_SITE: 'us5.datadoghq.com' }).inputs['datadog-site']).toBe('https://api.us5.datadoghq.com');
    expect(errorOf({ 'datadog-site': 'nowhere' })).toMatch(/^Input datadog-site \("nowhere"\): expected a Datadog site such as datadoghq\.com/);
  });
});

describe('a gate on metrics checks alone', () => {
  const metricsOnly = (over: Record<string, string> = {}, env: Record<string, string> = {}) =>
    loadConfig(
      (name) =>
        (
          ({ release: 'v1', 'prometheus-url': 'http://127.0.0.1:9090', checks: EXAMPLE_CHECKS.split('- name: checkout')[0] as string, ...over }) as Record<
            string,
            string
          >
        )[name],
      env,
    );

  it("needs no Sentry input: nothing to register, none of Sentry's checks", () => {
    const { inputs } = metricsOnly();
    expect(inputs['sentry-auth-token']).toBe('');
    expect(inputs['sentry-projects']).toEqual([]);
    expect(inputs.register).toBe(false);
    expect(inputs['min-crash-free-users']).toBeNull();
    expect(inputs.checks.map((c) => c.id)).toEqual(['5xx rate', 'p95 latency under 3 s']);
  });

  it('refuses a Sentry check it could not make, one line each, rather than drop it', () => {
    let message = '';
    try {
      metricsOnly({ 'max-error-rate': '1%', 'min-crash-free-users': '99%', baseline: 'previous-release' });
    } catch (error) {
      message = (error as Error).message;
    }
    const lines = message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines).toEqual([
      expect.stringMatching(/^Input min-crash-free-users is a check on Sentry data, .*set sentry-auth-token, sentry-org and sentry-projects/),
      expect.stringMatching(/^Input max-error-rate is a check on Sentry data/),
      expect.stringMatching(/^Input baseline is a check on Sentry data/),
    ]);
    // The default action.yml sends, and an explicit off, are not asking for the check.
    expect(metricsOnly({ 'min-crash-free-users': '0.97', 'max-error-rate': 'off' }).inputs['max-error-rate']).toBeNull();
  });

  it('still names what is missing when some Sentry inputs are set', () => {
    let message = '';
    try {
      metricsOnly({ 'sentry-org': 'acme' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Input sentry-auth-token is required/m);
    expect(message).toMatch(/^Input sentry-projects is required/m);
    // SENTRY_AUTH_TOKEN alone is a Sentry input too.
    expect(() => metricsOnly({}, { SENTRY_AUTH_TOKEN: 'sntrys_x' })).toThrow(/sentry-org is required/);
  });
});
