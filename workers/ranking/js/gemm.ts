/**
 * y = alpha · (x · W) + beta · c for x [m, k] and W [k, n] (the exporter's weights, row-major):
 * the plain-JS ranker's main cost (the DCN's cross and deep layers). W is transposed once per
 * weight tensor (cached), so each output is a dot product of two contiguous rows summed in
 * registers; a 4 × 4 block of outputs at a time shares each load of x and of Wᵀ. Several times
 * the naive i-k-j loop, which stores into the output on every multiply-add.
 */
const transposed = new WeakMap<Float32Array, Float32Array>();

/** W [k, n] as Wᵀ [n, k], computed once per weight array (weights are initializers: never mutated). */
function transposeOf(w: Float32Array, k: number, n: number): Float32Array {
  let t = transposed.get(w);
  if (t === undefined || t.length !== w.length) {
    t = new Float32Array(k * n);
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) t[j * k + p] = w[p * n + j]!;
    transposed.set(w, t);
  }
  return t;
}

/**
 * x [m, k] · W [k, n] into a new [m, n] array; then, when `bias` is given (n values, broadcast
 * over rows), alpha · xW + beta · bias.
 */
export function matmulBias(x: Float32Array, m: number, k: number, w: Float32Array, n: number, bias: Float32Array | null, alpha = 1, beta = 1): Float32Array {
  const split = m >= MIN_ROWS_TO_SPLIT ? constantColumns(x, m, k) : null;
  if (split !== null) return splitConstant(x, m, k, w, n, bias, alpha, beta, split);
  return product(x, m, k, transposeOf(w, k, n), n, bias, alpha, beta);
}

/**
 * Columns of x equal in every row: in a feed, the user's features (history pooling, profile) are
 * the same for all candidates, and they are a third of the ranker's input. Their share of x·W is
 * one vector, computed once and folded into the bias; the product runs over the other columns.
 */
const MIN_ROWS_TO_SPLIT = 16;
const MIN_CONSTANT_SHARE = 1 / 8;

function constantColumns(x: Float32Array, m: number, k: number): Uint8Array | null {
  const constant = new Uint8Array(k).fill(1);
  let left = k;
  for (let i = 1; i < m && left > 0; i++) {
    const o = i * k;
    for (let p = 0; p < k; p++) {
      if (constant[p] === 1 && x[o + p] !== x[p]) {
        constant[p] = 0;
        left--;
      }
    }
  }
  return left >= Math.max(1, k * MIN_CONSTANT_SHARE) ? constant : null;
}

function splitConstant(x: Float32Array, m: number, k: number, w: Float32Array, n: number, bias: Float32Array | null, alpha: number, beta: number, constant: Uint8Array): Float32Array {
  const varying: number[] = [];
  for (let p = 0; p < k; p++) if (constant[p] === 0) varying.push(p);
  const kv = varying.length;
  // Folded bias: beta · b + alpha · (constant part of row 0) · W.
  const folded = new Float64Array(n);
  if (bias !== null) for (let j = 0; j < n; j++) folded[j] = beta * bias[j]!;
  for (let p = 0; p < k; p++) {
    if (constant[p] === 0 || x[p] === 0) continue;
    const v = alpha * x[p]!;
    for (let j = 0; j < n; j++) folded[j]! += v * w[p * n + j]!;
  }
  const xv = new Float32Array(m * kv);
  for (let i = 0; i < m; i++) for (let q = 0; q < kv; q++) xv[i * kv + q] = x[i * k + varying[q]!]!;
  const wt = transposeOf(w, k, n);
  const wv = new Float32Array(n * kv);
  for (let j = 0; j < n; j++) for (let q = 0; q < kv; q++) wv[j * kv + q] = wt[j * k + varying[q]!]!;
  return product(xv, m, kv, wv, n, Float32Array.from(folded), alpha, 1);
}

/** x [m, k] · (Wᵀ [n, k])ᵀ, then alpha · y + beta · bias. */
function product(x: Float32Array, m: number, k: number, wt: Float32Array, n: number, bias: Float32Array | null, alpha: number, beta: number): Float32Array {
  const out = new Float32Array(m * n);
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const xa = i * k;
    const xb = xa + k;
    const xc = xb + k;
    const xd = xc + k;
    let j = 0;
    for (; j < n4; j += 4) {
      const w0 = j * k;
      const w1 = w0 + k;
      const w2 = w1 + k;
      const w3 = w2 + k;
      // 16 sums in registers; each x and Wᵀ value loaded once per block.
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0; // prettier-ignore
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0, d0 = 0, d1 = 0, d2 = 0, d3 = 0; // prettier-ignore
      for (let p = 0; p < k; p++) {
        const u = x[xa + p]!;
        const v = x[xb + p]!;
        const s = x[xc + p]!;
        const t = x[xd + p]!;
        const e0 = wt[w0 + p]!;
        const e1 = wt[w1 + p]!;
        const e2 = wt[w2 + p]!;
        const e3 = wt[w3 + p]!;
        a0 += u * e0;
        a1 += u * e1;
        a2 += u * e2;
        a3 += u * e3;
        b0 += v * e0;
        b1 += v * e1;
        b2 += v * e2;
        b3 += v * e3;
        c0 += s * e0;
        c1 += s * e1;
        c2 += s * e2;
        c3 += s * e3;
        d0 += t * e0;
        d1 += t * e1;
        d2 += t * e2;
        d3 += t * e3;
      }
      const ya = i * n + j;
      const yb = ya + n;
      const yc = yb + n;
      const yd = yc + n;
      out[ya] = a0;
      out[ya + 1] = a1;
      out[ya + 2] = a2;
      out[ya + 3] = a3;
      out[yb] = b0;
      out[yb + 1] = b1;
      out[yb + 2] = b2;
      out[yb + 3] = b3;
      out[yc] = c0;
      out[yc + 1] = c1;
      out[yc + 2] = c2;
      out[yc + 3] = c3;
      out[yd] = d0;
      out[yd + 1] = d1;
      out[yd + 2] = d2;
      out[yd + 3] = d3;
    }
    for (; j < n; j++) {
      const wo = j * k;
      let a = 0, b = 0, c = 0, d = 0; // prettier-ignore
      for (let p = 0; p < k; p++) {
        const e = wt[wo + p]!;
        a += x[xa + p]! * e;
        b += x[xb + p]! * e;
        c += x[xc + p]! * e;
        d += x[xd + p]! * e;
      }
      const y = i * n + j;
      out[y] = a;
      out[y + n] = b;
      out[y + 2 * n] = c;
      out[y + 3 * n] = d;
    }
  }
  for (let i = m4; i < m; i++) {
    const xo = i * k;
    const yo = i * n;
    for (let j = 0; j < n; j++) {
      const wo = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += x[xo + p]! * wt[wo + p]!;
      out[yo + j] = s;
    }
  }
  if (bias !== null || alpha !== 1) {
    for (let i = 0; i < m; i++) {
      const yo = i * n;
      for (let j = 0; j < n; j++) out[yo + j] = alpha * out[yo + j]! + (bias === null ? 0 : beta * bias[j]!);
    }
  }
  return out;
}
