// Byte-level reader of one JSON number, giving exactly the double JSON.parse gives (the EWKB the importer stores
// must not depend on which parser read the file). Why by hand: the load parses tens of millions of coordinates
// straight from the file's bytes into EWKB (multipolygon-text.ts) instead of building nested arrays with
// JSON.parse; bench/import/json-reader.bench.ts measures the parser built on it against JSON.parse.
//
// Correct rounding, cheaply:
//   - mantissa m < 2^53 and |decimal exponent| <= 22: m and 10^e are exact doubles, so one division or
//     multiplication rounds once and is correctly rounded (Clinger's fast path);
//   - 16 to 19 significant digits with 1..22 decimals (coordinates printed with full double precision, the usual
//     case for generated and reprojected data): m is split into two exact doubles and divided by 10^k in
//     double-double arithmetic (error ~2^-100 relative); the nearest double is the leading part unless the exact
//     value sits within 2^-80 (relative) of a rounding midpoint, in which case we fall back;
//   - anything else (longer mantissas, large exponents, the rare near-midpoint case): Number() on the text.

const ZERO = 0x30;
const NINE = 0x39;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;

const TWO_53 = 9007199254740992;
/** 10^0 … 10^22: all exact doubles. */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
const INV_POW10 = POW10.map((p) => 1 / p);
/** Veltkamp split of each power of ten (hi + lo == 10^k exactly, each with <= 26 significant bits). */
const SPLITTER = 134217729; // 2^27 + 1
const POW10_HI = POW10.map((p) => {
  const c = SPLITTER * p;
  return c - (c - p);
});
const POW10_LO = POW10.map((p, i) => p - POW10_HI[i]);
/**
 * Relative width of the interval around the double-double result that must round to one double: far above the
 * result's error (~2^-100), far below an ulp (2^-53).
 */
const MARGIN = 2 ** -80;

/**
 * (h * 10^j + l) / 10^k correctly rounded, for a mantissa of 16 to 19 digits (h: its first 8 digits, l: the next
 * j <= 11) that is >= 2^53, and 1 <= k <= 22; NaN in the rare case where the double-double result is too close to
 * a rounding midpoint to be sure.
 */
function divideLongMantissa(h: number, j: number, l: number, k: number): number {
  // m as the sum of two exact doubles: h * 10^j = (h * 5^j) * 2^j with h * 5^j < 10^8 * 5^11 < 2^53, l < 10^11
  const x = h * POW10[j];
  const mHi = x + l;
  const lv = mHi - x;
  const mLo = x - (mHi - lv) + (l - lv); // TwoSum: m == mHi + mLo exactly
  return divideDoubleDouble(mHi, mLo, k);
}

/**
 * (mHi + mLo) / 10^k correctly rounded, for an integer m == mHi + mLo (to within 2^-100 relative; mLo within an ulp
 * or two of mHi) and 1 <= k <= 22; NaN when the double-double quotient is too close to a rounding midpoint.
 */
function divideDoubleDouble(mHi: number, mLo: number, k: number): number {
  // q1 ≈ m / p; the remainder m - q1 * p is computed exactly enough with Dekker's TwoProduct for q1 * p
  const q1 = mHi * INV_POW10[k];
  const c = SPLITTER * q1;
  const qh = c - (c - q1);
  const ql = q1 - qh;
  const th = q1 * POW10[k];
  const tl = qh * POW10_HI[k] - th + qh * POW10_LO[k] + ql * POW10_HI[k] + ql * POW10_LO[k];
  const q2 = (mHi - th - tl + mLo) * INV_POW10[k];
  // the exact quotient lies within MARGIN * s of s + rest; if that whole interval rounds to s, s is the answer
  const s = q1 + q2;
  const rest = q2 - (s - q1);
  const margin = s * MARGIN;
  if (s + (rest + margin) !== s || s + (rest - margin) !== s) return Number.NaN;
  return s;
}

/** Whether the 4 bytes of w (little-endian) are all ASCII digits. */
function isFourDigits(w: number): boolean {
  return ((w & 0xf0f0f0f0) | (((w + 0x06060606) & 0xf0f0f0f0) >>> 4)) === 0x33333333;
}
/** The value of 4 ASCII digits read as a little-endian word (first digit in the low byte). */
function fourDigits(w: number): number {
  let v = w & 0x0f0f0f0f;
  v = (v * 10 + (v >>> 8)) & 0x00ff00ff;
  return (v * 100 + (v >>> 16)) & 0xffff;
}

/**
 * Per byte of w (little-endian), zero where the byte is an ASCII digit: the byte's high nibble and that of byte + 6
 * are both 3 only for 0x30-0x39. (A byte >= 0xfa carries into the next one up, which only matters past the first
 * non-digit: callers look at the lowest non-digit byte.)
 */
function nonDigits(w: number): number {
  return ((w & 0xf0f0f0f0) | (((w + 0x06060606) & 0xf0f0f0f0) >>> 4)) ^ 0x33333333;
}
/**
 * Whether the 12 bytes of w0, w1, w2 are all digits, given that every byte's high nibble has the bits of 3
 * (`any` is w0 | w1 | w2): no byte's high nibble has another bit, and adding 6 to the low nibble does not carry.
 */
function areDigitsIfHighNibble3(any: number, w0: number, w1: number, w2: number): boolean {
  return ((any | ((w0 + 0x06060606) | (w1 + 0x06060606) | (w2 + 0x06060606))) & 0xf0f0f0f0) === 0x30303030;
}
/** How many of w's bytes, from the low one, come before the first nonzero one of nonDigits(w) (x !== 0). */
function digitRun(x: number): number {
  return (31 - Math.clz32(x & -x)) >> 3;
}
/** The value of the first k (0..3) digits of w (first digit in the low byte): the others shifted out. */
function leadingDigits(w: number, k: number): number {
  return fourDigits((w << (24 - 8 * k)) << 8); // two shifts: a shift by 32 would be a shift by 0
}

/**
 * Reads the JSON number whose text starts at buf[pos] (grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?)
 * into out[at], as JSON.parse would read it (±Infinity when out of range). Returns the offset after the number,
 * or -1 when the bytes there are not a JSON number. (The value goes into an array, not out as a return value:
 * returning doubles from a call that is not inlined boxes each one.) `view` is a DataView of the same bytes as
 * `buf`: fraction digits are read four at a time through it (one load and a few integer operations instead of
 * four rounds of the byte loop).
 */
export function readJsonNumber(buf: Buffer, pos: number, out: Float64Array, at: number, view: DataView): number {
  let i = pos;
  let c = buf[i];
  let negative = false;
  if (c === MINUS) {
    negative = true;
    c = buf[++i];
  }
  // Mantissa: significant digits 1-8 in h, 9-16 in l (jl of them), 17-19 in t (jt); more: no fast path.
  // The hot loop: int32 accumulators (a floating-point multiply-add per digit made every digit wait ~8 cycles
  // for the previous one), stages bounded by offsets rather than counted per digit.
  let h = 0;
  let l = 0;
  let t = 0;
  let jl = 0;
  let jt = 0;
  let significant = 0;
  let fraction = 0;
  if (c === ZERO) {
    c = buf[++i];
    if (c >= ZERO && c <= NINE) return -1; // no leading zeros in JSON
  } else if (c > ZERO && c <= NINE) {
    do {
      // the integer part: a few digits in coordinates, one loop for all stages
      if (significant < 8) h = (h * 10 + (c - ZERO)) | 0;
      else if (significant < 16) {
        l = (l * 10 + (c - ZERO)) | 0;
        jl++;
      } else if (significant < 19) {
        t = (t * 10 + (c - ZERO)) | 0;
        jt++;
      }
      significant++;
      c = buf[++i];
    } while (c >= ZERO && c <= NINE);
  } else return -1;
  if (c === DOT) {
    c = buf[++i];
    if (!(c >= ZERO && c <= NINE)) return -1;
    const first = i;
    if (significant === 0) while (c === ZERO) c = buf[++i]; // 0.00…: not significant
    const limit = buf.length - 4;
    // h: blocks of 4 digits while they fit in its 8, then single digits
    while (significant <= 4 && i <= limit) {
      const w = view.getUint32(i, true);
      if (!isFourDigits(w)) break;
      h = h * 10000 + fourDigits(w);
      significant += 4;
      i += 4;
    }
    c = buf[i];
    if (significant < 8) {
      const start = i;
      const stop = i + 8 - significant;
      while (c >= ZERO && c <= NINE && i < stop) {
        h = (h * 10 + (c - ZERO)) | 0;
        c = buf[++i];
      }
      significant += i - start;
    }
    if (significant === 8) {
      while (significant <= 12 && i <= limit) {
        const w = view.getUint32(i, true);
        if (!isFourDigits(w)) break;
        l = l * 10000 + fourDigits(w);
        jl += 4;
        significant += 4;
        i += 4;
      }
      c = buf[i];
    }
    if (significant < 16) {
      const start = i;
      const stop = i + 16 - significant;
      while (c >= ZERO && c <= NINE && i < stop) {
        l = (l * 10 + (c - ZERO)) | 0;
        c = buf[++i];
      }
      jl += i - start;
      significant += i - start;
    }
    if (significant < 19) {
      const start = i;
      const stop = i + 19 - significant;
      while (c >= ZERO && c <= NINE && i < stop) {
        t = (t * 10 + (c - ZERO)) | 0;
        c = buf[++i];
      }
      jt += i - start;
      significant += i - start;
    }
    const start = i;
    while (c >= ZERO && c <= NINE) c = buf[++i];
    significant += i - start;
    fraction = i - first;
  }
  let exponent = 0;
  if (c === 0x65 || c === 0x45) {
    c = buf[++i];
    let expNegative = false;
    if (c === MINUS || c === PLUS) {
      expNegative = c === MINUS;
      c = buf[++i];
    }
    if (!(c >= ZERO && c <= NINE)) return -1;
    do {
      if (exponent < 100000) exponent = exponent * 10 + (c - ZERO);
      c = buf[++i];
    } while (c >= ZERO && c <= NINE);
    if (expNegative) exponent = -exponent;
  }
  let v = Number.NaN;
  if (significant === 0) v = 0;
  else if (significant <= 19) {
    const e10 = exponent - fraction;
    const j = jl + jt;
    const low = l * POW10[jt] + t; // < 10^11: exact
    const m = h * POW10[j] + low; // exact when below 2^53 (and then it compares below it)
    if (m < TWO_53) {
      if (e10 <= 0 && e10 >= -22) v = m / POW10[-e10];
      else if (e10 > 0 && e10 <= 22) v = m * POW10[e10];
    } else if (e10 < 0 && e10 >= -22) v = divideLongMantissa(h, j, low, -e10);
  }
  if (Number.isNaN(v)) v = Math.abs(Number(buf.toString("latin1", pos, i))); // NaN: no fast path applies
  out[at] = negative ? -v : v;
  return i;
}

/**
 * For readPositions: the decimals in w0, w1, w2 (little-endian words of the bytes after the point) when not all 12
 * bytes are digits. Returns the value of the first 8 at most; sets state[1] to their count (0: none, not a
 * number), state[2] to the value of the next ones, state[3] to their count.
 */
function shortDecimals(w0: number, w1: number, w2: number, state: Int32Array): number {
  let high: number;
  let nHigh = 8;
  let low = 0;
  let nLow = 0;
  let x = nonDigits(w0);
  if (x !== 0) {
    nHigh = digitRun(x);
    high = leadingDigits(w0, nHigh);
  } else {
    x = nonDigits(w1);
    if (x !== 0) {
      const k = digitRun(x);
      high = fourDigits(w0) * POW10[k] + leadingDigits(w1, k);
      nHigh = 4 + k;
    } else {
      high = fourDigits(w0) * 10000 + fourDigits(w1);
      nLow = digitRun(nonDigits(w2)); // w2 has a non-digit: not all three words are digits
      low = leadingDigits(w2, nLow);
    }
  }
  state[1] = nHigh;
  state[2] = low;
  state[3] = nLow;
  return high;
}

const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;

/**
 * Reads positions written as "[x,y]" back to back ("[x,y],[x,y]…", no spaces) from buf[state[0]] (a "[") into
 * xy[n…], as long as both numbers have the usual shape of coordinates, -?ddd.ddddddddddddddddd (1 to 3 integer
 * digits, 1 to 17 decimals, no exponent), and xy has room. Returns the new n (n when nothing was read) and leaves
 * in state[0] the offset after the last "]" read (state has 4 entries: the others are scratch). It stops before any
 * other position (spaces, other numbers) and at the end of the ring, which the caller reads the general way
 * (readJsonNumber).
 *
 * Why: this is where the load spends most of its time. One loop with no calls in the usual case (full double
 * precision: 12 decimals or more), digits read four at a time through `view` (a DataView of buf's bytes) by a fixed
 * sequence of word reads rather than a loop per digit, the mantissa assembled from three exact parts, and the same
 * correctly rounded division as readJsonNumber: the same doubles as JSON.parse, at about two thirds of the cost.
 */
export function readPositions(buf: Buffer, view: DataView, state: Int32Array, xy: Float64Array, n: number): number {
  let i = state[0];
  let end = i; // after the last "]" read
  // a position takes at most 1 + 2 * 21 + 2 bytes; the word reads go up to 24 bytes past a number's start
  const limit = buf.length - 50;
  const cap = xy.length - 2;
  while (i <= limit && n <= cap && buf[i] === LBRACKET) {
    let p = i + 1;
    let c = 0;
    for (; c < 2; c++) {
      const negative = buf[p] === MINUS;
      if (negative) p++;
      let w = view.getUint32(p, true);
      let x = nonDigits(w);
      if (x === 0) break;
      let k = digitRun(x);
      if (k === 0 || ((w >>> (8 * k)) & 0xff) !== DOT || (k > 1 && (w & 0xff) === ZERO)) break;
      const integer = leadingDigits(w, k);
      p += k + 1;
      // decimals: the first 8 in `high`, the next 9 at most in `low`
      const w0 = view.getUint32(p, true);
      const w1 = view.getUint32(p + 4, true);
      const w2 = view.getUint32(p + 8, true);
      let high: number;
      let nHigh = 8;
      let low: number;
      let nLow: number;
      if (((w0 & w1 & w2 & 0xf0f0f0f0) | 0) === 0x30303030 && areDigitsIfHighNibble3(w0 | w1 | w2, w0, w1, w2)) {
        // 12 decimals or more (numbers printed with full double precision)
        high = fourDigits(w0) * 10000 + fourDigits(w1);
        w = view.getUint32(p + 12, true);
        x = nonDigits(w);
        if (x !== 0) {
          k = digitRun(x);
          low = fourDigits(w2) * POW10[k] + leadingDigits(w, k);
          nLow = 4 + k;
        } else {
          low = fourDigits(w2) * 10000 + fourDigits(w);
          nLow = 8;
          const d = buf[p + 16];
          if (d >= ZERO && d <= NINE) {
            low = low * 10 + (d - ZERO);
            nLow = 9;
          }
        }
      } else {
        // 1 to 11 decimals (such as OSM's 7): out of the loop, which runs faster without this code
        high = shortDecimals(w0, w1, w2, state);
        nHigh = state[1];
        low = state[2];
        nLow = state[3];
        if (nHigh === 0) break; // "1." is not JSON
      }
      const digits = nHigh + nLow;
      p += digits;
      // the number must end at the position's separator: "," after x, "]" after y
      if (buf[p] !== (c === 0 ? COMMA : RBRACKET)) break;
      // the mantissa integer * 10^digits + high * 10^nLow + low from exact doubles (integer * 5^digits <
      // 10^3 * 5^17 and high * 5^nLow < 10^8 * 5^9 are below 2^53); below 2^53 it is exact and one division rounds
      // it correctly (as in readJsonNumber)
      const a = integer * POW10[digits];
      const b = high * POW10[nLow];
      const m = a + b + low;
      let v: number;
      if (m < TWO_53) v = m / POW10[digits];
      else {
        // Fast2Sum twice (a is 0 or above b, a + b is 0 or above low): m == s + e1 + e2 exactly
        const s1 = a + b;
        const e1 = b - (s1 - a);
        const s = s1 + low;
        const e2 = low - (s - s1);
        v = divideDoubleDouble(s, e1 + e2, digits);
        if (Number.isNaN(v)) break; // too near a rounding midpoint: readJsonNumber decides
      }
      xy[n + c] = negative ? -v : v;
      p++;
    }
    if (c < 2) break; // this position is left to the caller
    n += 2;
    end = p;
    if (buf[end] !== COMMA) break;
    i = end + 1;
  }
  state[0] = end;
  return n;
}
