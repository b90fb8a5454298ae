/**
 * Whether WebAssembly may compile in this worker, probed once with the smallest module there is.
 * WebAssembly.validate() says nothing here: a Content-Security-Policy without 'wasm-unsafe-eval'
 * lets a module validate and refuses to compile it. Probing first names the cause once, instead
 * of onnxruntime failing each provider with its own words ("previous call to 'initWasm()'
 * failed") and logging to the console as it goes.
 */
import { WasmBlockedError } from './errors.ts';

/** The 8-byte header of an empty module: magic "\0asm" and version 1. */
const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

let probed: { reason: string | null } | null = null;

/** Why WebAssembly cannot compile here, in words for status(); null where it can. */
export function wasmBlockedReason(): string | null {
  probed ??= { reason: probe() };
  return probed.reason;
}

/** The error to record for a runtime that needs WebAssembly, or null where it can compile. */
export function wasmBlockedError(): WasmBlockedError | null {
  const reason = wasmBlockedReason();
  return reason === null ? null : new WasmBlockedError(reason);
}

function probe(): string | null {
  if (typeof WebAssembly !== 'object') return 'this runtime has no WebAssembly';
  try {
    new WebAssembly.Module(EMPTY_MODULE);
    return null;
  } catch (err) {
    const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return `WebAssembly cannot compile here (a Content-Security-Policy needs 'wasm-unsafe-eval' in script-src): ${why}`;
  }
}
