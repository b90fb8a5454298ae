/**
 * The protobuf wire format, write side only, for the handful of ONNX messages the exporter emits.
 *
 * Why hand-written rather than the `onnx-proto` package: we only ever encode, the subset is nine
 * messages and four wire types, and `onnx-proto` (last release 8.0.1, 2021) pins protobufjs 6 and
 * `long`, a second protobuf runtime beside the one onnxruntime-web already bundles. ORT's own
 * parser is the test of correctness here: every test loads what this writes.
 *
 * A message is built as a list of byte chunks with a known total length, so nesting a message
 * costs one length prefix and no copy: a 10 MB embedding table is copied once, in `finish()`.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED32 = 5;
const WIRE_LEN = 2;

const textEncoder = new TextEncoder();

export class ProtoWriter {
  readonly #chunks: Uint8Array[] = [];
  /** Small scalars collect here and are flushed as one chunk before any large one is appended. */
  #scratch: number[] = [];
  #bytes = 0;

  get length(): number {
    return this.#bytes + this.#scratch.length;
  }

  /** int32, int64, enum and bool fields. Negative numbers take ten bytes, as protobuf requires. */
  varint(field: number, value: number | bigint): this {
    this.#tag(field, WIRE_VARINT);
    this.#rawVarint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.#tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    for (const x of b) this.#scratch.push(x);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytesField(field, textEncoder.encode(value));
  }

  bytesField(field: number, value: Uint8Array): this {
    this.#tag(field, WIRE_LEN);
    this.#rawVarint(value.length);
    this.#append(value);
    return this;
  }

  /** An embedded message: its chunks are adopted, not copied. */
  message(field: number, child: ProtoWriter): this {
    this.#tag(field, WIRE_LEN);
    this.#rawVarint(child.length);
    child.#flush();
    for (const c of child.#chunks) this.#append(c);
    return this;
  }

  /** The encoded message as one contiguous array (the only full copy). */
  finish(): Uint8Array {
    this.#flush();
    const out = new Uint8Array(this.#bytes);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  #tag(field: number, wire: number): void {
    // Field numbers in onnx.proto are below 2^28, so `field << 3` stays a positive int32.
    this.#rawVarint((field << 3) | wire);
  }

  #rawVarint(value: number | bigint): void {
    if (typeof value === 'number' && value >= 0 && value < 2 ** 31) {
      let v = value;
      while (v > 0x7f) {
        this.#scratch.push((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      this.#scratch.push(v);
      return;
    }
    // Large or negative: two's complement over 64 bits, as int64 fields are encoded.
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 0x7fn) {
      this.#scratch.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.#scratch.push(Number(v));
  }

  #append(chunk: Uint8Array): void {
    this.#flush();
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
  }

  #flush(): void {
    if (this.#scratch.length === 0) return;
    this.#chunks.push(Uint8Array.from(this.#scratch));
    this.#bytes += this.#scratch.length;
    this.#scratch = [];
  }
}
