/**
 * Just enough of the WebAssembly binary format (core spec, chapter 5, and the SIMD proposal's
 * opcode table) to write the scoring kernel by hand: LEB128 numbers, sections, and the
 * instructions the kernel uses, named as in the text format. There is no WAT compiler in this
 * build, and a kernel of ~200 bytes does not justify one; writing it through named helpers keeps
 * it reviewable, which a hex blob is not.
 */

/** "\0asm", then format version 1. */
export const WASM_HEADER: readonly number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

export const ValType = Object.freeze({ i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b });
export const SectionId = Object.freeze({ type: 1, function: 3, memory: 5, export: 7, code: 10 });
export const ExportKind = Object.freeze({ func: 0x00, memory: 0x02 });
/** Function type marker in the type section. */
export const FUNC_TYPE = 0x60;
/** Block type of a block or loop that takes and leaves nothing on the stack. */
const EMPTY_BLOCK = 0x40;
/** Prefix of every SIMD instruction; the opcode follows as an unsigned LEB128. */
const SIMD_PREFIX = 0xfd;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A vector: element count, then the elements. */
export function vec(items: readonly (readonly number[])[]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** A section: id, byte size, contents. */
export function section(id: number, contents: readonly number[]): number[] {
  return [id, ...uleb(contents.length), ...contents];
}

/** A name (export names): byte length, UTF-8 bytes (ASCII here). */
export function name(s: string): number[] {
  return vec([...s].map((c) => [c.charCodeAt(0)]));
}

function simd(opcode: number, ...immediates: number[]): number[] {
  return [SIMD_PREFIX, ...uleb(opcode), ...immediates];
}

/** Memory immediate: alignment hint as log2 bytes, then a constant byte offset. */
function memarg(alignLog2: number, offset: number): number[] {
  return [...uleb(alignLog2), ...uleb(offset)];
}

/** Instructions, by text-format name. Each returns its bytes; a body is their concatenation. */
export const op = Object.freeze({
  block: () => [0x02, EMPTY_BLOCK],
  loop: () => [0x03, EMPTY_BLOCK],
  end: () => [0x0b],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  localTee: (i: number) => [0x22, ...uleb(i)],
  f32Load: (offset = 0) => [0x2a, ...memarg(2, offset)],
  f32Store: (offset = 0) => [0x38, ...memarg(2, offset)],
  i32Const: (n: number) => [0x41, ...sleb(n)],
  f64Const: (x: number) => [0x44, ...new Uint8Array(Float64Array.of(x).buffer)],
  i32Eqz: () => [0x45],
  i32Add: () => [0x6a],
  i32Sub: () => [0x6b],
  f64Add: () => [0xa0],
  f64Mul: () => [0xa2],
  f32DemoteF64: () => [0xb6],
  f64ConvertI32S: () => [0xb7],
  f64PromoteF32: () => [0xbb],
  /** v128.load with a 16-byte alignment hint (every v128 the kernel reads is 16-aligned). */
  v128Load: (offset = 0) => simd(0x00, ...memarg(4, offset)),
  v128Zero: () => simd(0x0c, ...new Array<number>(16).fill(0)),
  i32x4ExtractLane: (lane: number) => simd(0x1b, lane),
  i16x8ExtendLowI8x16S: () => simd(0x87),
  i16x8ExtendHighI8x16S: () => simd(0x88),
  i32x4Add: () => simd(0xae),
  i32x4DotI16x8S: () => simd(0xba),
});
