/**
 * The wasm backend: every shard copied once into the kernel's memory (int8 rows padded to 16
 * dims, then the scales), scored per query by the SIMD kernel (score-kernel.ts) into one score
 * buffer, then the same selectTopK as the js backend.
 *
 *   memory: [split query: chunks·64 B] [shard 0 rows | scales] [shard 1 ...] ... [scores: count·4 B]
 *
 * The memory is sized once, at creation, and never grown afterwards, so the typed-array views
 * made here stay valid (growing a memory detaches its old buffer).
 */
import { dotF32 } from '../../../src/core/vectors/index.ts';
import type { Shard } from '../../../src/core/shard/index.ts';
import { BackendUnavailableError, RetrievalError } from '../errors.ts';
import { checkSearchArgs, createShardSet } from '../shard-set.ts';
import { selectTopK } from '../select-top-k.ts';
import type { ExcludeFn, Retriever, SearchResult } from '../types.ts';
import { MAX_KERNEL_DIM, QUERY_CHUNK_BYTES, ROW_CHUNK_BYTES, scoreKernelBytes, type ScoreKernel } from './score-kernel.ts';
import { splitQuery } from './split-query.ts';

const PAGE_BYTES = 65536;

/** Where one shard lives in the kernel's memory. */
interface ShardBlock {
  rows: number;
  mat: number;
  scales: number;
  /** The shard's centroid for residual quantisation: its q·centroid is the kernel's bias. */
  centroid: Float32Array | null;
}

let compiled: Promise<WebAssembly.Module> | null = null;

/** Compiles the kernel once per worker; each retriever instantiates it with its own memory. */
function kernelModule(): Promise<WebAssembly.Module> {
  compiled ??= WebAssembly.compile(scoreKernelBytes()).catch((err: unknown) => {
    compiled = null;
    throw err;
  });
  return compiled;
}

/** Why the kernel cannot run here, or null when it can. */
export function wasmUnavailableReason(dim: number): string | null {
  if (typeof WebAssembly !== 'object') return 'this runtime has no WebAssembly';
  if (!WebAssembly.validate(scoreKernelBytes())) return 'this runtime has no WebAssembly SIMD (the kernel does not validate)';
  if (dim > MAX_KERNEL_DIM) return `dim ${dim} exceeds the kernel's exact int32 range (at most ${MAX_KERNEL_DIM})`;
  return null;
}

export async function createWasmRetriever(shards: readonly Shard[]): Promise<Retriever> {
  const set = createShardSet(shards);
  const why = wasmUnavailableReason(set.dim);
  if (why !== null) throw new BackendUnavailableError('wasm', why);

  const chunks = Math.ceil(set.dim / 16);
  const stride = chunks * ROW_CHUNK_BYTES;
  const blocks: ShardBlock[] = [];
  let at = chunks * QUERY_CHUNK_BYTES;
  for (const s of set.shards) {
    const mat = at;
    const scales = mat + s.count * stride; // stride is a multiple of 16: scales stay aligned
    at = align16(scales + s.count * 4);
    blocks.push({ rows: s.count, mat, scales, centroid: s.quantization === 'int8-residual' ? s.centroid : null });
  }
  const scoresAt = at;
  const bytes = scoresAt + set.count * 4;

  const instance = await WebAssembly.instantiate(await kernelModule());
  const kernel = instance.exports as unknown as ScoreKernel;
  const pages = Math.ceil(bytes / PAGE_BYTES);
  try {
    const have = kernel.memory.buffer.byteLength / PAGE_BYTES;
    if (pages > have) kernel.memory.grow(pages - have);
  } catch (cause) {
    throw new BackendUnavailableError('wasm', `could not allocate ${(bytes / 2 ** 20).toFixed(1)} MiB of WASM memory`, { cause });
  }

  const buffer = kernel.memory.buffer;
  set.shards.forEach((s, i) => copyShard(buffer, blocks[i]!, s, stride));
  // Everything that holds the memory, dropped at once by dispose().
  let state: { kernel: ScoreKernel; query16: Int16Array; scores: Float32Array } | null = {
    kernel,
    query16: new Int16Array(buffer, 0, chunks * 32),
    scores: new Float32Array(buffer, scoresAt, set.count),
  };

  const retriever: Retriever = {
    backend: 'wasm',
    count: set.count,
    dim: set.dim,
    async search(query: Float32Array, k: number, exclude?: ExcludeFn): Promise<SearchResult> {
      if (state === null) throw new RetrievalError('search() on a disposed wasm retriever');
      checkSearchArgs(set, query, k);
      const { kernel, query16, scores } = state;
      const qscale = splitQuery(query, query16);
      blocks.forEach((b, i) => {
        if (b.rows === 0) return;
        // q · (centroid + r_i) = q · centroid + q · r_i: the shard's one extra dot is the bias.
        const bias = b.centroid ? dotF32(query, b.centroid) : 0;
        kernel.score(b.mat, b.scales, scoresAt + set.offsets[i]! * 4, b.rows, chunks, 0, qscale, bias);
      });
      return selectTopK(set, scores, k, exclude);
    },
    dispose() {
      // The memory goes with the instance once nothing references it.
      state = null;
    },
  };
  return Object.freeze(retriever);
}

function copyShard(buffer: ArrayBuffer, b: ShardBlock, s: Shard, stride: number): void {
  const dim = s.dim;
  if (stride === dim) new Int8Array(buffer, b.mat, s.count * dim).set(s.embeddings);
  else {
    // Rows padded with zeros to whole 16-dim chunks (fresh memory is zeroed; zeros add nothing).
    const mat = new Int8Array(buffer, b.mat, s.count * stride);
    for (let r = 0; r < s.count; r++) mat.set(s.embeddings.subarray(r * dim, (r + 1) * dim), r * stride);
  }
  new Float32Array(buffer, b.scales, s.count).set(s.scales);
}

function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}
