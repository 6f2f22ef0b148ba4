import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load';

const base: Record<string, string> = { 'sentry-auth-token': 'tok_secret_value', 'sentry-org': 'acme', 'sentry-projects': 'web', release: 'v1' };
const errorOf = (over: Record<string, string>) => {
  try {
    loadConfig((name) => ({ ...base, ...over })[name], {});
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig error lines', () => {
  it('never echo the user and password of a URL', () => {
    const message = errorOf({ 'sentry-url': 'https://admin:hunter2@sentry.example.com' });
    expect(message).toMatch(/^Input sentry-url \("https:\/\/\*\*\*@sentry\.example\.com"\): must not contain credentials: expected the base URL of Sentry/);
    expect(message).not.toContain('hunter2');
  });

  it('turn "off" into a disabled check, and percentages into fractions', () => {
    const raw: Record<string, string> = { ...base, 'min-crash-free-users': 'off', 'max-error-rate': '5%' };
    const config = loadConfig((name) => raw[name], {});
    expect(config.inputs['min-crash-free-users']).toBeNull();
    expect(config.inputs['max-error-rate']).toBeCloseTo(0.05, 12);
  });

  it('read pass-margin as a multiple above 1, or off, and refuse anything else in one line naming the input', () => {
    const read = (v: string) => loadConfig((name) => (({ ...base, 'pass-margin': v }) as Record<string, string>)[name], {}).inputs['pass-margin'];
    expect(loadConfig((name) => base[name], {}).inputs['pass-margin']).toBe(2);
    expect(read('1.5x')).toBe(1.5);
    expect(read('3')).toBe(3);
    expect(read('off')).toBeNull();
    for (const bad of ['1x', '0.5x', 'double', '-2x']) {
      expect(errorOf({ 'pass-margin': bad })).toBe(
        `Input pass-margin ("${bad}"): expected the largest regression a pass must rule out as a multiple above 1 such as 2x or 1.5x, or off`,
      );
    }
  });

  it('show a bad value with its line breaks and escapes escaped: the error stays one line', () => {
    const message = errorOf({ release: 'v1\n::error::forged\u001b[31m' });
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain('("v1\\u{a}:\\u{3a}error:\\u{3a}forged\\u{1b}[31m")');
    expect(message).not.toContain('\u001b');
  });
});

describe('loadConfig normalizes', () => {
  const inputs = (over: Record<string, string>) => loadConfig((name) => ({ ...base, ...over })[name], {}).inputs;

  it.each([
    ['https://sentry.io/', 'https://sentry.io'],
    ['https://sentry.example.com/api/0/', 'https://sentry.example.com'],
    ['https://sentry.example.com/api/0', 'https://sentry.example.com'],
    ['https://example.com/sentry/', 'https://example.com/sentry'],
    ['https://example.com/sentry/api/0/', 'https://example.com/sentry'],
    ['HTTPS://DE.Sentry.IO', 'https://de.sentry.io'],
  ])('sentry-url %s to %s', (given, expected) => {
    expect(inputs({ 'sentry-url': given })['sentry-url']).toBe(expected);
  });

  it.each(['shop-web@2.0.0', '1.0.0+build.5', 'f00dfacecafebeef0000000000000000000000aa', 'com.acme.app@1.2.3-rc.1+42', 'app:1.2', 'v1_2~3=4,5#6%7'])(
    'accepts release %s',
    (release) => {
      expect(inputs({ release }).release).toBe(release);
    },
  );

  it.each(['main', 'v2.0.1', 'refs/heads/release', 'release/2026-11', 'feature/a_b-c'])('accepts rollback-ref %s', (ref) => {
    expect(inputs({ 'rollback-ref': ref })['rollback-ref']).toBe(ref);
  });

  it.each(['production', 'staging-eu', 'prod_2', 'Production.EU'])('accepts environment %s', (environment) => {
    expect(inputs({ environment }).environment).toBe(environment);
  });

  it('takes confidence 50% to 99.99%, and deployment ids up to 2^53 - 1', () => {
    expect(inputs({ confidence: '50%' }).confidence).toBe(0.5);
    expect(inputs({ confidence: '0.9999' }).confidence).toBe(0.9999);
    expect(inputs({ 'github-deployment-id': '9007199254740991' })['github-deployment-id']).toBe('9007199254740991');
  });

  it('takes durations up to 24h', () => {
    expect(inputs({ window: '24h', interval: '1h' }).window).toBe(86_400_000);
    expect(inputs({ window: '86400' }).window).toBe(86_400_000);
  });
});

describe('settle', () => {
  const load = (over: Record<string, string>) => loadConfig((name) => ({ ...base, ...over })[name], {}).inputs;
  it('defaults to a minute, with an initial delay that leaves the first poll one settled minute', () => {
    expect(load({}).settle).toBe(60_000);
    expect(load({})['initial-delay']).toBe(120_000);
  });
  it('takes 0 (judge everything seen) up to 10m, and names the bound past it', () => {
    expect(load({ settle: '0' }).settle).toBe(0);
    expect(load({ settle: '10m' }).settle).toBe(600_000);
    expect(errorOf({ settle: '10m1s' })).toBe('Input settle ("10m1s"): must be at most 10m (a duration such as 90s, 10m, 1h)');
  });
});
