import { describe, expect, it } from 'vitest';
import { eRateRatio, matchedWindows, rateRatioEstimate, rateRatioLimit } from '../../src/gate/rate-ratio';
import { mulberry32, type Rng } from '../../src/sim/simulate';

/** Poisson(mean) by inversion (means here are at most a few hundred: fine). */
function poisson(rng: Rng, mean: number): number {
  if (mean > 50) {
    // Sum of smaller Poissons: inversion underflows exp(-mean) past ~700.
    let total = 0;
    for (let left = mean; left > 0; left -= 50) total += poisson(rng, Math.min(50, left));
    return total;
  }
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  const u = rng();
  while (u > cdf && k < 10_000) {
    k += 1;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

function poissonPmf(mean: number, max: number): number[] {
  const out = [Math.exp(-mean)];
  for (let k = 1; k <= max; k++) out.push(out[k - 1]! * (mean / k));
  return out;
}

/**
 * One watch: `polls` one-minute buckets after the deploy, each matched with
 * the bucket mirrored before it; fails at the first poll where E >= 1/alpha.
 * Returns the poll of the fail (1-based) or 0.
 */
function watch(rng: Rng, before: number, after: number, r: number, polls: number, alpha: number): number {
  let x = 0;
  let y = 0;
  for (let m = 1; m <= polls; m++) {
    x += poisson(rng, after);
    y += poisson(rng, before);
    if (eRateRatio(x, y, r) >= 1 / alpha) return m;
  }
  return 0;
}

describe('rateRatioLimit', () => {
  it('is r / (r + c): the share of "after" errors H0 allows', () => {
    expect(rateRatioLimit(2)).toBeCloseTo(2 / 3, 12);
    expect(rateRatioLimit(1)).toBe(0.5);
    expect(rateRatioLimit(2, 0.5)).toBeCloseTo(0.8, 12);
    expect(() => rateRatioLimit(0)).toThrow(RangeError);
    expect(() => rateRatioLimit(2, 0)).toThrow(RangeError);
  });

  it('estimates the ratio per unit of time', () => {
    expect(rateRatioEstimate(40, 10)).toBe(4);
    expect(rateRatioEstimate(40, 10, 0.5)).toBe(2);
    expect(rateRatioEstimate(3, 0)).toBeNull();
  });
});

describe('eRateRatio is a fair bet at the limit', () => {
  it.each([
    [2, 3, 1],
    [2, 20, 1],
    [1.5, 8, 1],
    [3, 5, 0.5],
  ])('E[E] = 1 when λ_after = %f × λ_before (mean before %f, span ratio %f), by summing over both Poisson counts', (r, meanBefore, c) => {
    // Before counts over c·t at rate λ0 have mean c·meanBefore; after counts at r·λ0 have mean r·meanBefore.
    const max = Math.ceil(meanBefore * Math.max(r, c) * 4 + 60);
    const px = poissonPmf(r * meanBefore, max);
    const py = poissonPmf(c * meanBefore, max);
    let total = 0;
    for (let x = 0; x <= max; x++) for (let y = 0; y <= max; y++) total += px[x]! * py[y]! * eRateRatio(x, y, r, c);
    expect(total).toBeCloseTo(1, 6);
  });

  it('has E[E] well below 1 when the rate did not change (r = 2)', () => {
    const max = 120;
    const p = poissonPmf(20, max);
    let total = 0;
    for (let x = 0; x <= max; x++) for (let y = 0; y <= max; y++) total += p[x]! * p[y]! * eRateRatio(x, y, 2);
    expect(total).toBeLessThan(0.2);
  });
});

describe('eRateRatio polled every minute (simulation)', () => {
  const runs = 2_000;
  const alpha = 0.05;

  it.each([10, 100])('false fails at the limit (2x at %i errors/min before) stay below alpha over 10 polls', (rate) => {
    const rng = mulberry32(17 + rate);
    let fails = 0;
    for (let i = 0; i < runs; i++) if (watch(rng, rate, 2 * rate, 2, 10, alpha) > 0) fails += 1;
    // Ville bounds the rate at alpha; 2,000 runs put 3 standard errors at about 1.5 points.
    expect(fails / runs).toBeLessThan(alpha);
  });

  it.each([
    [10, 0.8],
    [100, 0.99],
  ])('catches a 4x error rate at %i errors/min (limit 2x) in 10 polls at least %f of the time', (rate, least) => {
    const rng = mulberry32(99 + rate);
    let caught = 0;
    for (let i = 0; i < runs / 4; i++) if (watch(rng, rate, 4 * rate, 2, 10, alpha) > 0) caught += 1;
    expect(caught / (runs / 4)).toBeGreaterThanOrEqual(least);
  });
});

describe('matchedWindows', () => {
  const min = 60_000;
  const deploy = 100 * min + 20_000; // 20 s into a minute

  it('mirrors whole minutes around the deploy, leaving out the minute it falls in', () => {
    const w = matchedWindows(deploy, deploy + 5 * min, null, min);
    expect(w).toEqual({ after: { start: 101 * min, end: 105 * min }, before: { start: 96 * min, end: 100 * min }, buckets: 4 });
  });

  it('stops the before window at the previous deploy, and the after window with it', () => {
    const w = matchedWindows(deploy, deploy + 30 * min, 97 * min + 1, min);
    expect(w?.buckets).toBe(2);
    expect(w?.before).toEqual({ start: 98 * min, end: 100 * min });
  });

  it('is null before a whole minute has passed', () => {
    expect(matchedWindows(deploy, deploy + 30_000, null, min)).toBeNull();
  });
});
