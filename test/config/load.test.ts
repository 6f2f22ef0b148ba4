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
    expect(message).toBe('Input sentry-url ("https://***@sentry.example.com"): must not contain credentials');
    expect(message).not.toContain('hunter2');
  });

  it('turn "off" into a disabled check, and percentages into fractions', () => {
    const raw: Record<string, string> = { ...base, 'min-crash-free-users': 'off', 'max-error-rate': '5%' };
    const config = loadConfig((name) => raw[name], {});
    expect(config.inputs['min-crash-free-users']).toBeNull();
    expect(config.inputs['max-error-rate']).toBeCloseTo(0.05, 12);
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
    expect(errorOf({ settle: '10m1s' })).toBe('Input settle ("10m1s"): must be at most 10m');
  });
});
