import { OnnxGraphError } from './errors.ts';
import type { ProtoAttribute } from './onnx-proto.ts';

/**
 * Node attributes as the builder takes them. A plain number is an INT and a number array INTS,
 * since nearly every attribute our layers set is an axis, a flag or a type code; floats must be
 * wrapped with `floatAttr` / `floatsAttr`. Guessing from the value would encode `alpha: 1` as an
 * INT, which ORT then rejects at load, far from the line that wrote it.
 */
export type AttrValue = number | string | readonly number[] | FloatAttr | FloatsAttr;
export type Attrs = Readonly<Record<string, AttrValue>>;

export interface FloatAttr {
  readonly kind: 'float';
  readonly value: number;
}

export interface FloatsAttr {
  readonly kind: 'floats';
  readonly value: readonly number[];
}

export function floatAttr(value: number): FloatAttr {
  return { kind: 'float', value };
}

export function floatsAttr(value: readonly number[]): FloatsAttr {
  return { kind: 'floats', value: [...value] };
}

/** Converts and checks `attrs`; `where` prefixes the field of any error, e.g. `node Gemm_3`. */
export function toProtoAttributes(attrs: Attrs | undefined, where: string): ProtoAttribute[] {
  if (attrs === undefined) return [];
  const out: ProtoAttribute[] = [];
  for (const [name, v] of Object.entries(attrs)) {
    const field = `${where}.attrs.${name}`;
    if (typeof v === 'string') {
      out.push({ name, kind: 'string', value: v });
    } else if (typeof v === 'number') {
      checkInt(v, field);
      out.push({ name, kind: 'int', value: v });
    } else if (isNumberArray(v)) {
      v.forEach((x, i) => checkInt(x, `${field}[${i}]`));
      out.push({ name, kind: 'ints', value: [...v] });
    } else if (v.kind === 'float') {
      checkFinite(v.value, field);
      out.push({ name, kind: 'float', value: v.value });
    } else {
      v.value.forEach((x, i) => checkFinite(x, `${field}[${i}]`));
      out.push({ name, kind: 'floats', value: v.value });
    }
  }
  return out;
}

function isNumberArray(v: AttrValue): v is readonly number[] {
  return Array.isArray(v);
}

function checkInt(v: number, field: string): void {
  if (!Number.isSafeInteger(v)) {
    throw new OnnxGraphError(field, `${v} is not an integer; wrap float attributes in floatAttr()/floatsAttr()`);
  }
}

function checkFinite(v: number, field: string): void {
  if (!Number.isFinite(v)) throw new OnnxGraphError(field, `${v} is not a finite number`);
}
