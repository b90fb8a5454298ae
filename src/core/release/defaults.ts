/**
 * Tunables of the release contract on the device side, in one place (STYLE.md rule 8).
 */
export const RELEASE_CONTRACT_DEFAULTS = Object.freeze({
  /**
   * Largest |device - pipeline| a golden-vector output may differ by (absolute), for model
   * outputs and retrieval scores alike. WebGPU, WASM and plain JS sum in other orders than the
   * pipeline; their float32 differences on these models are ~1e-6, so 1e-4 passes every honest
   * runtime and fails an unwritten buffer (sigmoid(1) for every row) or a wrong kernel.
   */
  goldenTolerance: 1e-4,
});
