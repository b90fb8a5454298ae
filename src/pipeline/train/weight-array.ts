/** One exported weight: row-major data and its shape, outermost dimension first (see weights.ts). */
export interface WeightArray {
  shape: number[];
  data: Float32Array;
}
