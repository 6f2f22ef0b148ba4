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

  it('read pass-margin as a multiple above 1, or off, and refuse anything else in one line naming the input', () => {
    const read = (v: string) => loadConfig((name) => ({ ...base, 'pass-margin': v } as Record<string, string>)[name], {}).inputs['pass-margin'];
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
});
