/**
 * Whether this runtime has WebGPU with an adapter. navigator.gpu alone is not enough: Chromium
 * exposes it on machines whose GPU is blocklisted, where requestAdapter() answers null.
 * Probed once per worker, at the first call, never at module load (STYLE.md rule 5).
 */
let probed: Promise<string | null> | null = null;

/** Why WebGPU is unavailable here, or null when an adapter was returned. */
export function webgpuUnavailableReason(): Promise<string | null> {
  probed ??= probe();
  return probed;
}

async function probe(): Promise<string | null> {
  // Structural: Navigator (page) and WorkerNavigator (worker) both carry `gpu` where it exists.
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) return 'navigator.gpu is missing (no WebGPU in this runtime)';
  try {
    const adapter = await gpu.requestAdapter();
    return adapter === null ? 'navigator.gpu.requestAdapter() returned no adapter' : null;
  } catch (err) {
    return `navigator.gpu.requestAdapter() failed: ${err instanceof Error ? err.message : String(err)}`;
  }
}
