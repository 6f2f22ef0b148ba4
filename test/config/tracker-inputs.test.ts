import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load';

const BUGSNAG = {
  tracker: 'bugsnag',
  'bugsnag-api-key': 'a'.repeat(32),
  'bugsnag-token': 'bs-personal-token-123',
  'bugsnag-project-id': 'b'.repeat(24),
  release: 'v2',
};
const ROLLBAR = { tracker: 'rollbar', 'rollbar-token': 'rb_access_token_456', release: 'v2', 'max-error-rate-increase': '2x' };

const load = (raw: Record<string, string>, env: Record<string, string> = {}) => loadConfig((name) => raw[name], env);
const errorOf = (raw: Record<string, string>, env: Record<string, string> = {}) => {
  try {
    load(raw, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('tracker inputs', () => {
  it('Bugsnag needs no Sentry input, and keeps the crash-free default', () => {
    const { inputs } = load(BUGSNAG);
    expect(inputs.tracker).toBe('bugsnag');
    expect(inputs['sentry-auth-token']).toBe('');
    expect(inputs['min-crash-free-users']).toBe(0.97);
    expect(inputs['bugsnag-url']).toBe('https://api.bugsnag.com');
  });

  it('Rollbar turns the default crash-free check off (it has no sessions) and reads its token from ROLLBAR_ACCESS_TOKEN', () => {
    const { inputs } = load({ ...ROLLBAR, 'rollbar-token': '' }, { ROLLBAR_ACCESS_TOKEN: 'from_env_token_789', SENTRY_AUTH_TOKEN: 'left_over_sentry_tok' });
    expect(inputs['min-crash-free-users']).toBeNull();
    expect(inputs['max-error-rate-increase']).toBe(2);
    expect(inputs['rollbar-token']).toBe('from_env_token_789');
    // Another tracker's env variable is not an input given to this one.
    expect(inputs['sentry-auth-token']).toBe('');
  });

  it('an input of another tracker is an error naming both', () => {
    expect(errorOf({ ...BUGSNAG, 'rollbar-token': 'rb_access_token_456' })).toBe(
      'Input rollbar-token is a Rollbar input, but tracker is bugsnag: remove it, or set tracker: rollbar',
    );
    expect(errorOf({ ...ROLLBAR, 'sentry-org': 'acme' })).toBe(
      'Input sentry-org ("acme") is a Sentry input, but tracker is rollbar: remove it, or set tracker: sentry',
    );
    expect(
      errorOf({ 'sentry-auth-token': 'tok_secret_value', 'sentry-org': 'acme', 'sentry-projects': 'web', release: 'v1', 'bugsnag-project-id': 'b'.repeat(24) }),
    ).toBe('Input bugsnag-project-id ("bbbbbbbbbbbbbbbbbbbbbbbb") is a Bugsnag input, but tracker is sentry: remove it, or set tracker: bugsnag');
  });

  it('a check the tracker cannot serve is an error saying which tracker and why', () => {
    expect(errorOf({ ...ROLLBAR, 'min-crash-free-sessions': '99%' })).toBe(
      'Input min-crash-free-sessions ("99%"): tracker rollbar cannot serve it: Rollbar has no sessions, so there is no crash-free rate or share of unhealthy sessions to judge',
    );
    expect(errorOf({ ...ROLLBAR, 'min-crash-free-users': '0.99' })).toMatch(
      /^Input min-crash-free-users \("0\.99"\): tracker rollbar cannot serve it: Rollbar has no sessions/,
    );
    expect(errorOf({ ...BUGSNAG, 'max-error-rate': '5%' })).toMatch(
      /^Input max-error-rate \("5%"\): tracker bugsnag cannot serve it: Bugsnag counts only sessions with unhandled errors/,
    );
    expect(
      errorOf({ 'sentry-auth-token': 'tok_secret_value', 'sentry-org': 'acme', 'sentry-projects': 'web', release: 'v1', 'max-error-rate-increase': '2x' }),
    ).toMatch(/^Input max-error-rate-increase \("2x"\): tracker sentry cannot serve it: it judges Rollbar's occurrence counts/);
  });

  it("each tracker's own inputs are required only when it is selected", () => {
    expect(errorOf({ ...BUGSNAG, 'bugsnag-token': '' })).toMatch(
      /^Input bugsnag-token is required with tracker bugsnag and gate: true: set the input or the BUGSNAG_TOKEN env variable/,
    );
    expect(load({ ...BUGSNAG, 'bugsnag-token': '' }, { BUGSNAG_TOKEN: 'bs-env-token-000' }).inputs['bugsnag-token']).toBe('bs-env-token-000');
    expect(errorOf({ ...ROLLBAR, 'rollbar-token': '' })).toMatch(/^Input rollbar-token is required with tracker rollbar/);
    expect(errorOf({ ...ROLLBAR, 'max-error-rate-increase': '' })).toMatch(/^Input max-error-rate-increase: tracker rollbar needs a check it can serve/);
    // Sentry still requires its own.
    expect(errorOf({ release: 'v1' })).toMatch(/^Input sentry-auth-token is required/m);
  });

  it('never shows a Bugsnag or Rollbar secret in an error', () => {
    const message = errorOf({ ...BUGSNAG, 'bugsnag-token': 'has space secret', 'bugsnag-api-key': 'not-a-key-but-secret' });
    expect(message).toContain('Input bugsnag-token:');
    expect(message).not.toContain('secret');
  });

  it('refuses an unknown tracker, listing the three', () => {
    expect(errorOf({ ...BUGSNAG, tracker: 'honeybadger' })).toMatch(/^Input tracker \("honeybadger"\): expected one of: sentry, bugsnag, rollbar/m);
  });
});
