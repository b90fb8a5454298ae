/**
 * Graph input names for feature tensors. The ONNX IR spec asks for C90 identifiers as value
 * names, and feature tensors are named `history:ids`, `item.id` or `a-b` (STYLE: letters,
 * digits and `._:-`). onnxruntime happens to accept `:` (tf2onnx's `x:0` names rely on it), but
 * other consumers (WebNN's graph builder, the onnx checker in strict mode) do not, so every
 * input gets an identifier and the model's binding list says which tensor feeds it.
 */
import { EXPORT_DEFAULTS } from './defaults.ts';

/** One graph input and the feature tensor (a tensorLayout() name) that feeds it. */
export interface InputBinding {
  name: string;
  tensor: string;
}

/** `history:ids` -> `history__ids`, `item.id` -> `item_id`, `7day` -> `_7day`. */
export function onnxIdentifier(tensor: string): string {
  const id = tensor.replaceAll(':', '__').replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

/**
 * Input names for `tensors`, in order. A name that clashes with `reserved` (the graph's output
 * names) or with an earlier input (`a.b` and `a-b` both give `a_b`) takes a suffix, so every
 * spec exports; the binding list, not the name, is what the device reads.
 */
export function bindInputs(tensors: readonly string[], reserved: readonly string[]): InputBinding[] {
  const taken = new Set(reserved);
  return tensors.map((tensor) => {
    const base = onnxIdentifier(tensor);
    let name = base;
    for (let k = 1; taken.has(name); k++) {
      name = `${base}${EXPORT_DEFAULTS.clashSuffix}${k === 1 ? '' : `_${k}`}`;
    }
    taken.add(name);
    return { name, tensor };
  });
}
