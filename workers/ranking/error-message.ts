/** A thrown value's message: onnxruntime throws Errors, but Emscripten can throw strings or numbers. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
