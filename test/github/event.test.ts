import { describe, expect, it } from 'vitest';
import { pushBefore } from '../../src/github/event';

describe('pushBefore', () => {
  const before = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';

  it('returns the sha the push moved the branch from', () => {
    expect(pushBefore({ ref: 'refs/heads/main', before, after: 'a'.repeat(40) })).toBe(before);
  });

  it('accepts SHA-256 repositories', () => {
    expect(pushBefore({ before: 'b'.repeat(64) })).toBe('b'.repeat(64));
  });

  it('is null when the push created the branch (all zeros)', () => {
    expect(pushBefore({ before: '0'.repeat(40), created: true })).toBeNull();
  });

  it.each([
    ['no payload', undefined],
    ['null', null],
    ['a string', before],
    ['a pull_request payload', { action: 'opened', number: 1 }],
    ['a short sha', { before: before.slice(0, 7) }],
    ['a branch name', { before: 'main' }],
    ['a number', { before: 123 }],
  ])('is null for %s', (_label, payload) => {
    expect(pushBefore(payload)).toBeNull();
  });
});
