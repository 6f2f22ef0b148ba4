import betaln from '@stdlib/math-base-special-betaln';

/** A uniform [0, 1) generator. */
export type Rng = () => number;

/** Mulberry32: a tiny seeded PRNG, good enough for simulation and reproducible across runs. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Above this variance the binomial is indistinguishable from a normal at the scale of one unit. */
const NORMAL_VARIANCE = 1e7;

/**
 * One draw from Binomial(n, p).
 *
 * Exact inversion, but visiting outcomes from the mode outwards (mode, mode+1,
 * mode-1, …) instead of from 0: any fixed order of outcomes gives an exact
 * sample, and this one needs O(sd) steps instead of O(n p), so n = 10^7 costs
 * about as much as n = 10^3. Only for astronomically large variances does it
 * fall back to a rounded normal.
 */
export function binomial(rng: Rng, n: number, p: number): number {
  if (!(n > 0) || !(p > 0)) return 0;
  if (p >= 1) return n;
  n = Math.floor(n);
  const q = 1 - p;
  const variance = n * p * q;
  if (variance > NORMAL_VARIANCE) {
    const z = normal(rng);
    return Math.min(n, Math.max(0, Math.round(n * p + z * Math.sqrt(variance))));
  }
  const mode = Math.min(n, Math.floor((n + 1) * p));
  // log C(n, m) = -log(n + 1) - log B(m + 1, n - m + 1)
  const logPmfMode = -Math.log(n + 1) - betaln(mode + 1, n - mode + 1) + mode * Math.log(p) + (n - mode) * Math.log1p(-p);
  const pmfMode = Math.exp(logPmfMode);
  let u = rng() - pmfMode;
  if (u < 0) return mode;
  const ratio = p / q;
  let hi = mode;
  let pmfHi = pmfMode;
  let lo = mode;
  let pmfLo = pmfMode;
  for (;;) {
    const canUp = hi < n && pmfHi > 0;
    const canDown = lo > 0 && pmfLo > 0;
    if (!canUp && !canDown) return mode; // rounding left u unspent: the rest of the mass is nil
    if (canUp) {
      pmfHi *= ((n - hi) / (hi + 1)) * ratio;
      hi += 1;
      u -= pmfHi;
      if (u < 0) return hi;
    }
    if (canDown) {
      pmfLo *= lo / (n - lo + 1) / ratio;
      lo -= 1;
      u -= pmfLo;
      if (u < 0) return lo;
    }
  }
}

/** Standard normal by Box–Muller. */
function normal(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
