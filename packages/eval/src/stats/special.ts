// biome-ignore-all lint/correctness/noPrecisionLoss: published coefficients are kept digit for digit, so they can be checked against their sources.
/**
 * Special functions the interval code needs: log-gamma (beta-binomial mixtures), the normal tail
 * (p-values) and Student's t (Welch intervals). Each is checked against scipy in
 * test/stats/special.test.ts.
 */

import { normalQuantile } from "./normal.ts";

const HALF_LOG_2PI = 0.91893853320467274178;

/** Godfrey's Lanczos coefficients for g = 607/128 (as in Apache Commons Math `Gamma.logGamma`). */
const LANCZOS_G = 607 / 128;
const LANCZOS = [
  0.99999999999999709182, 57.156235665862923517, -59.597960355475491248, 14.136097974741747174, -0.49191381609762019978,
  0.33994649984811888699e-4, 0.46523628927048575665e-4, -0.98374475304879564677e-4, 0.15808870322491248884e-3, -0.21026444172410488319e-3,
  0.2174396181152126432e-3, -0.16431810653676389022e-3, 0.84418223983852743293e-4, -0.2619083840158140867e-4, 0.36899182659531622704e-5,
];

/** Stirling's series coefficients B_2k / (2k (2k − 1)), k = 1..7 (Abramowitz & Stegun 6.1.40). */
const STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156];

/** Stirling's correction ln Γ(x) − [(x − 1/2) ln x − x + ln √(2π)], for x ≥ 10. */
function stirlingCorrection(x: number): number {
  const inverse = 1 / x;
  const inverse2 = inverse * inverse;
  let series = 0;
  for (let i = STIRLING.length - 1; i >= 0; i--) series = series * inverse2 + (STIRLING[i] as number);
  return series * inverse;
}

/**
 * ln Γ(x) for x > 0. Stirling's series from x = 10 on (the first omitted term is below 1e-16
 * there, and it has fewer roundings than Lanczos for the huge arguments counts produce); Godfrey's
 * Lanczos approximation on [0.5, 10); ln Γ(x + 1) − ln x below 0.5.
 */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma: x must be positive, got ${x}`);
  if (x === Number.POSITIVE_INFINITY) return x;
  if (x < 0.5) return logGamma(x + 1) - Math.log(x);
  if (x < 10) {
    let sum = LANCZOS[0] as number;
    for (let i = LANCZOS.length - 1; i > 0; i--) sum += (LANCZOS[i] as number) / (x + i);
    const t = x + LANCZOS_G + 0.5;
    return (x + 0.5) * Math.log(t) - t + HALF_LOG_2PI + Math.log(sum / x);
  }
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + stirlingCorrection(x);
}

/**
 * ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). When one argument is large, ln Γ(b) − ln Γ(a + b)
 * is taken from Stirling's series as one difference, −(b − 1/2) log1p(a/b) − a ln(a + b) + a + …,
 * instead of subtracting two numbers of size b ln b: with b = 10⁹ the plain difference keeps only
 * six digits, which moved a confidence sequence's end in the seventh.
 */
export function logBeta(a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`logBeta: a and b must be positive, got a=${a}, b=${b}`);
  const small = Math.min(a, b);
  const large = Math.max(a, b);
  if (large < 10) return logGamma(small) + logGamma(large) - logGamma(small + large);
  const sum = small + large;
  if (small >= 10) {
    // Both large: Stirling for all three, with the logarithms of ratios, which stay moderate.
    const logs = (small - 0.5) * Math.log(small / sum) + (large - 0.5) * Math.log1p(-small / sum) - 0.5 * Math.log(sum);
    return HALF_LOG_2PI + logs + stirlingCorrection(small) + stirlingCorrection(large) - stirlingCorrection(sum);
  }
  const ratio =
    -(large - 0.5) * Math.log1p(small / large) - small * Math.log(sum) + small + stirlingCorrection(large) - stirlingCorrection(sum);
  return logGamma(small) + ratio;
}

// W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969),
// as in his CALERF (netlib specfun), accurate to about 1e-16 relative in double precision.
const ERF_A = [3.1611237438705656, 113.864154151050156, 377.485237685302021, 3209.37758913846947, 0.185777706184603153];
const ERF_B = [23.6012909523441209, 244.024637934444173, 1282.61652607737228, 2844.23683343917062];
const ERF_C = [
  0.564188496988670089, 8.88314979438837594, 66.1191906371416295, 298.635138197400131, 881.95222124176909, 1712.04761263407058,
  2051.07837782607147, 1230.33935479799725, 2.15311535474403846e-8,
];
const ERF_D = [
  15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019, 3290.79923573345963, 4362.61909014324716,
  3439.36767414372164, 1230.33935480374942,
];
const ERF_P = [
  0.305326634961232344, 0.360344899949804439, 0.125781726111229246, 0.0160837851487422766, 6.58749161529837803e-4, 0.0163153871373020978,
];
const ERF_Q = [2.56852019228982242, 1.87295284992346047, 0.527905102951428412, 0.0605183413124413191, 0.00233520497626869185];
const INV_SQRT_PI = 0.56418958354775628695;

/** exp(−y²) without the rounding error of squaring y (Cody's split of y into a 1/16 grid point and a rest). */
function expMinusSquare(y: number): number {
  const grid = Math.trunc(y * 16) / 16;
  return Math.exp(-grid * grid) * Math.exp(-(y - grid) * (y + grid));
}

/** The complementary error function, erfc(x) = 1 − erf(x), Cody's CALERF with JINT = 1. */
export function erfc(x: number): number {
  const y = Math.abs(x);
  let result: number;
  if (y <= 0.46875) {
    const ysq = y > 1.11e-16 ? y * y : 0;
    let num = (ERF_A[4] as number) * ysq;
    let den = ysq;
    for (let i = 0; i < 3; i++) {
      num = (num + (ERF_A[i] as number)) * ysq;
      den = (den + (ERF_B[i] as number)) * ysq;
    }
    return 1 - (x * (num + (ERF_A[3] as number))) / (den + (ERF_B[3] as number));
  }
  if (y <= 4) {
    let num = (ERF_C[8] as number) * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + (ERF_C[i] as number)) * y;
      den = (den + (ERF_D[i] as number)) * y;
    }
    result = expMinusSquare(y) * ((num + (ERF_C[7] as number)) / (den + (ERF_D[7] as number)));
  } else if (y >= 26.543) {
    result = 0;
  } else {
    const ysq = 1 / (y * y);
    let num = (ERF_P[5] as number) * ysq;
    let den = ysq;
    for (let i = 0; i < 4; i++) {
      num = (num + (ERF_P[i] as number)) * ysq;
      den = (den + (ERF_Q[i] as number)) * ysq;
    }
    const tail = (ysq * (num + (ERF_P[4] as number))) / (den + (ERF_Q[4] as number));
    result = expMinusSquare(y) * ((INV_SQRT_PI - tail) / y);
  }
  return x < 0 ? 2 - result : result;
}

/** P(Z > z) for a standard normal Z, accurate in the far tail (no 1 − Φ cancellation). */
export function normalSf(z: number): number {
  return 0.5 * erfc(z * Math.SQRT1_2);
}

/** P(Z ≤ z) for a standard normal Z. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z * Math.SQRT1_2);
}

/**
 * Continued fraction of the incomplete beta function, modified Lentz's method (Press et al.,
 * Numerical Recipes, 3rd ed., §6.4, `betacf`). Converges fast for x < (a + 1) / (a + b + 2).
 */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) return h;
  }
  throw new RangeError(`incomplete beta: no convergence for a=${a}, b=${b}, x=${x}`);
}

/**
 * The regularized incomplete beta function I_x(a, b). `complement` is 1 − x when the caller has it
 * more precisely than `1 - x` (x close to 1).
 */
export function regularizedBeta(x: number, a: number, b: number, complement = 1 - x): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`regularizedBeta: a and b must be positive, got a=${a}, b=${b}`);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`regularizedBeta: x must be in [0, 1], got ${x}`);
  if (x === 0) return 0;
  if (complement === 0) return 1;
  // The logarithm of whichever of x and 1 − x is near 1 comes from the other one: log(0.99996)
  // from the rounded number keeps only 11 digits, log1p(−0.00004) keeps them all.
  const logX = x > 0.5 ? Math.log1p(-complement) : Math.log(x);
  const logComplement = complement > 0.5 ? Math.log1p(-x) : Math.log(complement);
  const front = Math.exp(a * logX + b * logComplement - logBeta(a, b));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, complement)) / b;
}

/** P(T > t) for Student's t with `df` degrees of freedom (any positive real df, as Welch's test needs). */
export function studentTSf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`studentTSf: df must be positive, got ${df}`);
  if (Number.isNaN(t)) return Number.NaN;
  if (t === Number.POSITIVE_INFINITY) return 0;
  if (t === Number.NEGATIVE_INFINITY) return 1;
  const t2 = t * t;
  // P(|T| > |t|) = I_{df/(df+t²)}(df/2, 1/2); both arguments computed without cancellation.
  const twoSided = regularizedBeta(df / (df + t2), df / 2, 0.5, t2 / (df + t2));
  return t > 0 ? twoSided / 2 : 1 - twoSided / 2;
}

/** Density of Student's t, for Newton steps on the quantile. */
function studentTDensity(t: number, df: number): number {
  return Math.exp(-((df + 1) / 2) * Math.log1p((t * t) / df) - 0.5 * Math.log(df) - logBeta(df / 2, 0.5));
}

/**
 * Quantile of Student's t: the t with P(T ≤ t) = p. Newton's method on the CDF from the normal
 * quantile's Cornish–Fisher correction (Abramowitz & Stegun 26.7.5), kept inside a bracket that
 * bisection narrows when a step leaves it. Beyond df = 1e7 the expansion alone is exact to double
 * precision (its first omitted term is of order df⁻⁵).
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`studentTQuantile: df must be positive, got ${df}`);
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    throw new RangeError(`studentTQuantile: p must be in [0, 1], got ${p}`);
  }
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  const z = normalQuantile(p);
  const z2 = z * z;
  const g1 = (z2 * z + z) / 4;
  const g2 = (((5 * z2 + 16) * z2 + 3) * z) / 96;
  const g3 = ((((3 * z2 + 19) * z2 + 17) * z2 - 15) * z) / 384;
  const g4 = (((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z) / 92160;
  const expansion = z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
  if (df > 1e7) return expansion;
  const tail = 1 - p;
  // Bracket [low, high] with sf(low) >= tail >= sf(high).
  let low = 0;
  let high = Math.max(1, expansion);
  while (studentTSf(high, df) > tail) {
    low = high;
    high *= 2;
    if (!Number.isFinite(high)) return Number.POSITIVE_INFINITY;
  }
  let t = Number.isFinite(expansion) && expansion > low && expansion < high ? expansion : (low + high) / 2;
  for (let i = 0; i < 200; i++) {
    const sf = studentTSf(t, df);
    if (sf > tail) low = t;
    else high = t;
    const density = studentTDensity(t, df);
    let next = t + (sf - tail) / density;
    if (!(next > low && next < high)) next = (low + high) / 2;
    if (Math.abs(next - t) <= 1e-15 * Math.abs(t) || high - low <= 1e-15 * high) return next;
    t = next;
  }
  return t;
}
