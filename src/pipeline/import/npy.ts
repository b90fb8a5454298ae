/**
 * Item embeddings as NumPy writes them (`numpy.save("items.npy", emb.astype("float32"))`): the
 * .npy format, versions 1-3, a 2-D C-order array of little-endian float32 ('<f4') or float64
 * ('<f8', narrowed to float32). Row i is the item on line i of the items CSV.
 * Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { ImportError } from './errors.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export interface NpyMatrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

export function readNpy(bytes: Uint8Array, file: string): NpyMatrix {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new ImportError(file, 'magic', 'not a .npy file (it must start with \\x93NUMPY; save it with numpy.save)');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true);
    start = 12;
  } else throw new ImportError(file, 'version', `.npy format version ${major}; versions 1-3 are read`);
  if (start + headerLen > bytes.length) throw new ImportError(file, 'header', 'runs past the end of the file');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr !== '<f4' && descr !== '<f8') {
    throw new ImportError(file, 'header.descr', `"${descr ?? '?'}"; expected little-endian float32 ('<f4') or float64 ('<f8'): emb.astype("float32")`);
  }
  if (fortran !== 'False') throw new ImportError(file, 'header.fortran_order', `${fortran ?? '?'}; save a C-order array (numpy.ascontiguousarray)`);
  const shape = (shapeText ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.length !== 2 || !shape.every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw new ImportError(file, 'header.shape', `(${shapeText ?? ''}); expected (items, dim), both positive`);
  }
  const [rows, cols] = shape as [number, number];
  const size = descr === '<f4' ? 4 : 8;
  const body = start + headerLen;
  if (bytes.length - body !== rows * cols * size) {
    throw new ImportError(file, 'data', `${bytes.length - body} bytes after the header; shape (${rows}, ${cols}) of ${descr} needs ${rows * cols * size}`);
  }
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) {
    const x = size === 4 ? view.getFloat32(body + i * 4, true) : view.getFloat64(body + i * 8, true);
    if (!Number.isFinite(x) || !Number.isFinite(Math.fround(x))) {
      throw new ImportError(file, `data[${Math.floor(i / cols)}][${i % cols}]`, `${x} is not a finite float32`);
    }
    data[i] = x;
  }
  return { rows, cols, data };
}

/** A .npy v1.0 file of a C-order float32 matrix, as numpy.save writes it (for tests and examples). */
export function encodeNpy(data: Float32Array, rows: number, cols: number): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  // The header ends with '\n' and is padded with spaces so the data starts 64-byte aligned.
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = `${header}${' '.repeat(pad % 64)}\n`;
  const out = new Uint8Array(10 + header.length + data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  for (let i = 0; i < data.length; i++) view.setFloat32(10 + header.length + i * 4, data[i]!, true);
  return out;
}
