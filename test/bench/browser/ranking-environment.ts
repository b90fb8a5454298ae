/**
 * What the benchmark pages report about where they ran: the browser's full version (the
 * user-agent string is frozen to "156.0.0.0"-style values) and the WebGPU adapter, so a figure
 * from SwiftShader, the CPU rasteriser headless Chromium falls back to, is never read as a GPU's.
 */

interface UaData {
  getHighEntropyValues(hints: string[]): Promise<{ fullVersionList?: { brand: string; version: string }[]; platform?: string }>;
}

export async function browserInfo(): Promise<string> {
  const ua = (navigator as Navigator & { userAgentData?: UaData }).userAgentData;
  if (ua) {
    const v = await ua.getHighEntropyValues(['fullVersionList', 'platform']);
    const brand = v.fullVersionList?.find((b) => /Chrom/.test(b.brand));
    if (brand) return `${brand.brand} ${brand.version}${v.platform ? ` (${v.platform})` : ''}`;
  }
  return navigator.userAgent;
}

export type WebGpuInfo =
  | { available: true; vendor: string; architecture: string; description: string; swiftShader: boolean; fallback: boolean }
  | { available: false; why: string };

export async function webGpuInfo(): Promise<WebGpuInfo> {
  if (!('gpu' in navigator) || !navigator.gpu) return { available: false, why: 'navigator.gpu is missing (no WebGPU in this browser)' };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { available: false, why: 'navigator.gpu.requestAdapter() returned null (no adapter)' };
  const info = adapter.info;
  const text = `${info.vendor} ${info.architecture} ${info.description}`;
  return {
    available: true,
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    swiftShader: /swiftshader/i.test(text),
    fallback: (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter === true,
  };
}
