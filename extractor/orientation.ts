// Exact orientation of three points given as doubles: the one geometric primitive of the covers test
// (covers.ts). The floating-point determinant is trusted when it is larger than its worst rounding error
// (the usual static filter); otherwise the determinant is recomputed exactly with integers, which only
// happens for (nearly) collinear points.

const EPSILON = 2 ** -53;
/** Bound on the relative rounding error of the floating-point determinant below (Shewchuk's ccwerrboundA). */
const ERROR_BOUND = (3 + 16 * EPSILON) * EPSILON;

/**
 * Sign of the turn a → b → c: 1 when c is left of the directed line a→b (counterclockwise), -1 when right,
 * 0 when the three points are exactly collinear.
 */
export function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const detLeft = (ax - cx) * (by - cy);
  const detRight = (ay - cy) * (bx - cx);
  const det = detLeft - detRight;
  let detSum: number;
  if (detLeft > 0) {
    if (detRight <= 0) return Math.sign(det);
    detSum = detLeft + detRight;
  } else if (detLeft < 0) {
    if (detRight >= 0) return Math.sign(det);
    detSum = -detLeft - detRight;
  } else {
    return Math.sign(det);
  }
  if (Math.abs(det) >= ERROR_BOUND * detSum) return Math.sign(det);
  return exactOrient(ax, ay, bx, by, cx, cy);
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const MANTISSA_MASK = (1n << 52n) - 1n;

/** A finite double as mantissa × 2^exponent, the mantissa an integer (exact). */
function split(x: number): [bigint, number] {
  f64[0] = x;
  const bits = u64[0];
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & MANTISSA_MASK;
  let exponent: number;
  if (biased === 0) exponent = -1074;
  else {
    mantissa |= 1n << 52n;
    exponent = biased - 1075;
  }
  return [bits >> 63n ? -mantissa : mantissa, exponent];
}

/** The same sign, from integers scaled to the smallest exponent: no rounding at all. */
export function exactOrient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const parts = [ax, ay, bx, by, cx, cy].map(split);
  let minExponent = Infinity;
  for (const [m, e] of parts) if (m !== 0n && e < minExponent) minExponent = e;
  if (minExponent === Infinity) return 0;
  const [iax, iay, ibx, iby, icx, icy] = parts.map(([m, e]) => (m === 0n ? 0n : m << BigInt(e - minExponent)));
  const det = (iax - icx) * (iby - icy) - (iay - icy) * (ibx - icx);
  return det > 0n ? 1 : det < 0n ? -1 : 0;
}
