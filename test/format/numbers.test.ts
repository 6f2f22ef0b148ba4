import { describe, expect, it } from 'vitest';
import { DISPLAY } from '../../src/sources/sentry/checks';
import { displayInterval, displayRate, formatCount, formatEValue, formatPercent, formatPercentRange } from '../../src/format';

describe('formatPercent', () => {
  it.each([
    [0.97, '97%'],
    [0.924, '92.4%'],
    [0.995, '99.5%'],
    [0.9952, '99.52%'],
    [0.99913, '99.913%'],
    [0.9999996, '99.99996%'],
    [1, '100%'],
    [0, '0%'],
    [0.05, '5%'],
    [0.0034, '0.34%'],
    [0.0000004, '0.00004%'],
  ])('%d -> %s', (x, text) => expect(formatPercent(x)).toBe(text));

  it('takes fixed decimals when asked', () => expect(formatPercent(0.9241, 2)).toBe('92.41%'));
  it('ranges share the % sign', () => expect(formatPercentRange([0.901, 0.943])).toBe('90.1–94.3%'));
  it('both ends of a range have the same places', () => expect(formatPercentRange([0.083, 0.12])).toBe('8.3–12.0%'));
});

describe('display helpers', () => {
  it('shows crash-free checks as the good fraction and the error rate as the bad one', () => {
    expect(displayRate(DISPLAY['crash-free-users'], 0.03)).toBeCloseTo(0.97, 12);
    expect(displayRate(DISPLAY['error-rate'], 0.03)).toBe(0.03);
    const [lo, hi] = displayInterval(DISPLAY['crash-free-sessions'], [0.05, 0.1]);
    expect(lo).toBeCloseTo(0.9, 12);
    expect(hi).toBeCloseTo(0.95, 12);
    expect(displayInterval(DISPLAY['error-rate'], [0.05, 0.1])).toEqual([0.05, 0.1]);
  });

  it('formats counts and e-values', () => {
    expect(formatCount(1204)).toBe('1,204');
    expect(formatEValue(0.3123)).toBe('0.31');
    expect(formatEValue(412.4)).toBe('412');
    expect(formatEValue(20)).toBe('20');
    expect(formatEValue(18204)).toBe('18,204');
    expect(formatEValue(2.1e9)).toBe('2.1e9');
  });
});
