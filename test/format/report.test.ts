import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatElapsed,
  formatEValue,
  formatLimitPercent,
  formatMinutesBetween,
  formatObservedPercent,
  formatPercent,
  formatPercentRange,
  formatUtcMinute,
  formatUtcTime,
  shortSha,
} from '../../src/format';

describe('percent formatting', () => {
  it('prints limits as typed', () => {
    expect(formatLimitPercent(1 - 0.005)).toBe('99.5%');
    expect(formatLimitPercent(0.97)).toBe('97%');
    expect(formatLimitPercent(0.9995)).toBe('99.95%');
  });

  it('never rounds a near-perfect rate to 100% or a small one to 0%', () => {
    expect(formatPercent(0.9996)).toBe('99.96%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.0004)).toBe('0.04%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(Number.NaN)).toBe('–');
  });

  it('keeps the observed value distinguishable from its limit', () => {
    expect(formatObservedPercent(0.99496, 0.995)).toBe('99.496%');
    expect(formatObservedPercent(0.978, 0.995)).toBe('97.8%');
  });

  it('prints both interval bounds to the same places', () => {
    expect(formatPercentRange([0.971, 0.984])).toBe('97.1–98.4%');
    expect(formatPercentRange([0.9979, 0.9996])).toBe('99.79–99.96%');
    expect(formatPercentRange([0.971, 0.984], '')).toBe('97.1–98.4');
  });
});

describe('other formatting', () => {
  it('formats e-values across magnitudes', () => {
    expect(formatEValue(41.33)).toBe('41');
    expect(formatEValue(20)).toBe('20');
    expect(formatEValue(1234)).toBe('1,234');
    expect(formatEValue(1.23e12)).toBe('1.2e12');
    expect(formatEValue(0.004)).toBe('0.004');
    expect(formatEValue(0)).toBe('0');
    expect(formatEValue(Infinity)).toBe('∞');
  });

  it('formats times', () => {
    expect(formatElapsed(3 * 60_000)).toBe('03:00');
    expect(formatElapsed(3_723_000)).toBe('1:02:03');
    expect(formatElapsed(-30_000)).toBe('-00:30');
    expect(formatDuration(90_000)).toBe('1 min 30 s');
    expect(formatDuration(5_400_000)).toBe('1 h 30 min');
    expect(formatDuration(0)).toBe('0 s');
    expect(formatMinutesBetween(0, 59_999)).toBe('under 1 min');
    expect(formatMinutesBetween(0, 6 * 60_000 + 59_000)).toBe('6 min');
    const t = Date.UTC(2026, 5, 3, 2, 14, 59);
    expect(formatUtcMinute(t)).toBe('2026-06-03T02:14Z');
    expect(formatUtcTime(t, Date.UTC(2026, 5, 3))).toBe('02:14Z');
    expect(formatUtcTime(t, Date.UTC(2026, 5, 4))).toBe('2026-06-03T02:14Z');
    expect(formatUtcMinute(Number.NaN)).toBe('–');
  });

  it('shortens only hex commit ids', () => {
    expect(shortSha('4f2c1a9e8d7c6b5a')).toBe('4f2c1a9');
    expect(shortSha('v1.2.3')).toBe('v1.2.3');
  });
});
