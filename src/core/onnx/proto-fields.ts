/**
 * The protobuf wire format, as far as reading ONNX needs it: a buffer's fields in order. Shared
 * by the device's ONNX reader (workers/ranking/js) and the import's contract reader
 * (src/pipeline/import), which read different things from the same bytes.
 */
import { OndeckError } from '../errors.ts';

/** Bytes that are not protobuf: a varint or a length runs past the end, or an unknown wire type. */
export class ProtobufError extends OndeckError {
  override name = 'ProtobufError';
}

/** A protobuf field: wire type 0 gives `value`, type 2 gives `bytes`, types 1/5 give `bytes` of 8/4. */
export interface ProtoField {
  no: number;
  wire: number;
  value: bigint;
  bytes: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** The fields of `buf`, in order; nested messages are the `bytes` of wire-type-2 fields. */
export function* protoFields(buf: Uint8Array): Generator<ProtoField> {
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (at >= buf.length) throw new ProtobufError('a varint runs past the end');
      const b = buf[at++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (at < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) yield { no, wire, value: varint(), bytes: EMPTY };
    else if (wire === 2 || wire === 1 || wire === 5) {
      const len = wire === 2 ? Number(varint()) : wire === 1 ? 8 : 4;
      if (at + len > buf.length) throw new ProtobufError(`field ${no}: length ${len} runs past the end`);
      yield { no, wire, value: 0n, bytes: buf.subarray(at, at + len) };
      at += len;
    } else throw new ProtobufError(`wire type ${wire} (field ${no}) is not protobuf`);
  }
}

/** The varints of a repeated field, packed (wire 2) or not (wire 0), unsigned as written. */
export function protoVarints(f: ProtoField): bigint[] {
  if (f.wire === 0) return [f.value];
  const out: bigint[] = [];
  let value = 0n;
  let shift = 0n;
  for (const b of f.bytes) {
    value |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if ((b & 0x80) === 0) {
      out.push(value);
      value = 0n;
      shift = 0n;
    }
  }
  return out;
}
