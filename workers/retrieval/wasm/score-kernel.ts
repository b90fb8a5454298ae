/**
 * The WASM SIMD scoring kernel, assembled op by op (wasm-encoding.ts).
 *
 *   score(mat, scales, out, rows, chunks, query, qscale: f64, bias: f64)
 *   for each of `rows` rows:
 *     out[r] = f32( (Σ_j v_rj·H_j + 2^-16 · Σ_j v_rj·L_j) · scales[r] · qscale + bias )
 *
 * - mat: int8 rows of `chunks`·16 bytes (dims padded with zeros to a multiple of 16), 16-aligned;
 * - scales, out: one f32 per row;
 * - query: the float query split into two int16 vectors, q_j ≈ qscale·(H_j + L_j/2^16)
 *   (split-query.ts), laid out per 16 dims as H[16], L[16]: 64 bytes per chunk.
 *
 * Why int16 and not f32 lanes: i32x4.dot_i16x8_s does 8 multiply-adds in one instruction, and
 * the int8 row only needs widening to int16 (2 instructions per 16 values), where f32 lanes need
 * widening to int32 and a conversion (8 per 16 values) before 4 multiplies and 4 adds. Why two
 * int16 parts: one would quantise the query to 1/65534 of its largest component, an error
 * (1e-5 relative) large enough to swap near-tied items; with the second part the query error
 * is 2^-31 of its largest component, below float32 rounding, and the integer sums are exact.
 * Exact while |Σ| < 2^31: 128·32767·dim < 2^31, so dim <= 511 (MAX_KERNEL_DIM).
 *
 * Measured in headless Chromium on the 2-core x86 test VM, scoring 100k×64 int8 rows (median of
 * 20 after warm-up): src/core scoreRowsInt8 (JS) 6.0-6.5 ms; an f32-lane variant of this kernel
 * 1.3 ms, with errors up to 1.4e-4 relative on near-zero scores (float32 sums cancel); this
 * kernel 1.0-1.2 ms, within 5.5e-7 of the JS scores; tfjs-backend-wasm (SIMD, dequantised f32
 * matrix, matMul + topk) 7 ms. Hence a hand-written kernel, and this one.
 */
import { ExportKind, FUNC_TYPE, SectionId, ValType, WASM_HEADER, name, op, section, uleb, vec } from './wasm-encoding.ts';

export const MAX_KERNEL_DIM = 511;
/** Bytes per chunk of 16 dims: in a row (int8) and in the split query (H then L, int16). */
export const ROW_CHUNK_BYTES = 16;
export const QUERY_CHUNK_BYTES = 64;

// Parameters, then declared locals, numbered as wasm numbers them.
const MAT = 0;
const SCALES = 1;
const OUT = 2;
const ROWS = 3;
const CHUNKS = 4;
const QUERY = 5;
const QSCALE = 6;
const BIAS = 7;
const C = 8; // chunks left in this row
const QP = 9; // query pointer within the row
const ACC_H = 10; // 4 int32 partial sums of v·H
const ACC_L = 11; // 4 int32 partial sums of v·L
const LO = 12; // dims 0-7 of the chunk, widened to int16
const HI = 13; // dims 8-15

/** acc += dot(lanes, query[offset..offset+16)) + dot(other, query[offset+16..offset+32)) */
function accumulate(acc: number, offset: number): number[] {
  return [
    ...op.localGet(acc),
    ...op.localGet(LO), ...op.localGet(QP), ...op.v128Load(offset), ...op.i32x4DotI16x8S(), ...op.i32x4Add(),
    ...op.localGet(HI), ...op.localGet(QP), ...op.v128Load(offset + 16), ...op.i32x4DotI16x8S(), ...op.i32x4Add(),
    ...op.localSet(acc),
  ];
}

/** Pushes lane0 + lane1 + lane2 + lane3 of an i32x4 local, as f64 (exact: |sum| < 2^31). */
function horizontalSum(acc: number): number[] {
  return [
    ...op.localGet(acc), ...op.i32x4ExtractLane(0),
    ...op.localGet(acc), ...op.i32x4ExtractLane(1), ...op.i32Add(),
    ...op.localGet(acc), ...op.i32x4ExtractLane(2), ...op.i32Add(),
    ...op.localGet(acc), ...op.i32x4ExtractLane(3), ...op.i32Add(),
    ...op.f64ConvertI32S(),
  ];
}

/** local += step (pointers and counters). */
function bump(local: number, step: number): number[] {
  return [...op.localGet(local), ...op.i32Const(step), ...op.i32Add(), ...op.localSet(local)];
}

function kernelBody(): number[] {
  return [
    // block $done: a loop body runs at least once, so zero rows must skip it.
    ...op.block(),
    ...op.localGet(ROWS), ...op.i32Eqz(), ...op.brIf(0),
    // loop $row
    ...op.loop(),
    ...op.v128Zero(), ...op.localSet(ACC_H),
    ...op.v128Zero(), ...op.localSet(ACC_L),
    ...op.localGet(QUERY), ...op.localSet(QP),
    ...op.localGet(CHUNKS), ...op.localSet(C),
    // loop $chunk: 16 dims of this row
    ...op.loop(),
    // LO, HI = the 16 int8 values at MAT, sign-extended to two i16x8
    ...op.localGet(MAT), ...op.v128Load(0), ...op.localTee(LO),
    ...op.i16x8ExtendHighI8x16S(), ...op.localSet(HI),
    ...op.localGet(LO), ...op.i16x8ExtendLowI8x16S(), ...op.localSet(LO),
    ...accumulate(ACC_H, 0),
    ...accumulate(ACC_L, 32),
    ...bump(MAT, ROW_CHUNK_BYTES),
    ...bump(QP, QUERY_CHUNK_BYTES),
    // C -= 1; br_if $chunk (C != 0)
    ...op.localGet(C), ...op.i32Const(1), ...op.i32Sub(), ...op.localTee(C), ...op.brIf(0),
    ...op.end(),
    // out[r] = f32((ΣH + ΣL·2^-16) · scale · qscale + bias), in f64 until the store
    ...op.localGet(OUT),
    ...horizontalSum(ACC_H),
    ...horizontalSum(ACC_L), ...op.f64Const(2 ** -16), ...op.f64Mul(), ...op.f64Add(),
    ...op.localGet(SCALES), ...op.f32Load(0), ...op.f64PromoteF32(), ...op.f64Mul(),
    ...op.localGet(QSCALE), ...op.f64Mul(),
    ...op.localGet(BIAS), ...op.f64Add(),
    ...op.f32DemoteF64(),
    ...op.f32Store(0),
    ...bump(SCALES, 4),
    ...bump(OUT, 4),
    // ROWS -= 1; br_if $row (ROWS != 0)
    ...op.localGet(ROWS), ...op.i32Const(1), ...op.i32Sub(), ...op.localTee(ROWS), ...op.brIf(0),
    ...op.end(),
    ...op.end(),
    // the function's own end
    ...op.end(),
  ];
}

function assemble(): Uint8Array<ArrayBuffer> {
  const { i32, f64, v128 } = ValType;
  const signature = [FUNC_TYPE, ...vec([[i32], [i32], [i32], [i32], [i32], [i32], [f64], [f64]]), ...vec([])];
  // Locals: C, QP (i32); ACC_H, ACC_L, LO, HI (v128), as (count, type) runs.
  const locals = vec([
    [...uleb(2), i32],
    [...uleb(4), v128],
  ]);
  const body = [...locals, ...kernelBody()];
  const bytes = [
    ...WASM_HEADER,
    ...section(SectionId.type, vec([signature])),
    ...section(SectionId.function, vec([uleb(0)])),
    // One memory of at least one 64 KiB page, grown from JS to fit the shards.
    ...section(SectionId.memory, vec([[0x00, ...uleb(1)]])),
    ...section(
      SectionId.export,
      vec([
        [...name('score'), ExportKind.func, ...uleb(0)],
        [...name('memory'), ExportKind.memory, ...uleb(0)],
      ]),
    ),
    ...section(SectionId.code, vec([[...uleb(body.length), ...body]])),
  ];
  return Uint8Array.from(bytes);
}

let cached: Uint8Array<ArrayBuffer> | null = null;

/** The kernel's module bytes, assembled on first use. */
export function scoreKernelBytes(): Uint8Array<ArrayBuffer> {
  cached ??= assemble();
  return cached;
}

/** What the instantiated module exports. */
export interface ScoreKernel {
  score(mat: number, scales: number, out: number, rows: number, chunks: number, query: number, qscale: number, bias: number): void;
  memory: WebAssembly.Memory;
}
