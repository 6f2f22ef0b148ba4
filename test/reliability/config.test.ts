import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load';
import { BAD_INPUTS, VALID } from './bad-input';

function load(set: Record<string, string>, unset: string[] = []) {
  const raw: Record<string, string | undefined> = { ...VALID, ...set };
  for (const name of unset) delete raw[name];
  return loadConfig((name) => raw[name], {});
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError thrown');
}

describe('bad configuration, straight through loadConfig', () => {
  it('the baseline configuration is valid', () => {
    expect(load({}).inputs.release).toBe('shop-web@2.0.0');
  });

  it(`has at least 25 cases (${BAD_INPUTS.length})`, () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(25);
  });

  it.each(BAD_INPUTS)('$what: one line naming $input and what is allowed', ({ set, unset, input, allowed }) => {
    const { message } = errorOf(() => load(set, unset));
    const lines = message.split('\n');
    expect(lines, message).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Input ${input}\\b`));
    expect(lines[0]).toMatch(allowed);
    expect(message).not.toContain(VALID['sentry-auth-token']);
  });

  it('several bad inputs give one line each, in input order', () => {
    const { message } = errorOf(() => load({ window: 'x', confidence: '1', baseline: 'y' }));
    expect(message.split('\n').map((l) => l.split(/[ :(]/)[1])).toEqual(['window', 'confidence', 'baseline']);
  });

  it('never shows the value of a secret input', () => {
    const { message } = errorOf(() => load({ 'sentry-auth-token': 'sntrys_visible?', window: 'x' }));
    expect(message).not.toContain('sntrys_visible');
  });
});
