/**
 * Lazy Adam for large embedding tables: each step updates only the rows the batch read.
 *
 * A batch of 512 DCN rows reads a few thousand rows of an item table. Dense Adam, as tfjs runs it,
 * updates every row at every step: at 50,000 items (a 400,000-row hashed table) the table-sized
 * gradient and the update of every row were 71 % of the DCN's training time
 * (test/bench/dcn-table-size.ts), and that share grows with the catalogue. Lazy Adam (TensorFlow's
 * LazyAdamOptimizer, PyTorch's SparseAdam) keeps the moments of the rows a step did not touch as
 * they are and leaves those rows alone, so a step costs what the batch reads.
 *
 * The table's values live here, in a JS array, while it trains: embed-x0.ts reads the rows from it
 * and adds each row's gradient into this table's slots, and `step` applies Adam to those rows.
 * `handle` is a scalar variable the fused first-layer operation takes as its input in place of the
 * table, so that backpropagation reaches it; its gradient is always zero. `finish` writes the
 * values back into the model's variable.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface AdamSettings {
  learningRate: number;
  adamBeta1: number;
  adamBeta2: number;
  adamEpsilon: number;
}

export class LazyAdamTable {
  readonly rows: number;
  readonly dim: number;
  /** The table, row-major [rows × dim]; updated in place by `step`. */
  readonly values: Float32Array;
  /** Stands in for the table among the fused operation's inputs (see the file comment). */
  readonly handle: tf.Variable;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  /** Slot of each row in `grad` this step, -1 when the step has not touched it. */
  private readonly slotOf: Int32Array;
  private touched = new Int32Array(1024);
  private count = 0;
  private grad: Float32Array;
  /** β^t of the steps taken so far, as tfjs's Adam keeps them (β after the first step's update). */
  private beta1Power: number;
  private beta2Power: number;

  constructor(
    readonly variable: tf.Variable,
    private readonly o: AdamSettings,
  ) {
    const [rows, dim] = variable.shape as [number, number];
    this.rows = rows;
    this.dim = dim;
    this.values = Float32Array.from(variable.dataSync() as Float32Array);
    this.m = new Float32Array(rows * dim);
    this.v = new Float32Array(rows * dim);
    this.slotOf = new Int32Array(rows).fill(-1);
    this.grad = new Float32Array(1024 * dim);
    this.beta1Power = o.adamBeta1;
    this.beta2Power = o.adamBeta2;
    this.handle = tf.tidy(() => tf.variable(tf.scalar(0), true));
  }

  /** Offset in `gradient` of row `row`'s gradient this step (zeros the first time it is asked). */
  slot(row: number): number {
    let s = this.slotOf[row]!;
    if (s < 0) {
      s = this.count++;
      if (s === this.touched.length) {
        const grown = new Int32Array(s * 2);
        grown.set(this.touched);
        this.touched = grown;
      }
      if ((s + 1) * this.dim > this.grad.length) {
        const grown = new Float32Array(this.grad.length * 2);
        grown.set(this.grad);
        this.grad = grown;
      }
      this.touched[s] = row;
      this.slotOf[row] = s;
      this.grad.fill(0, s * this.dim, (s + 1) * this.dim);
    }
    return s * this.dim;
  }

  /** The gradients of the rows this step touched, at the offsets `slot` gave. */
  get gradient(): Float32Array {
    return this.grad;
  }

  /** Rows touched since the last step. */
  get touchedRows(): number {
    return this.count;
  }

  /** One Adam update of the touched rows, then a fresh step. */
  step(): void {
    const { learningRate: lr, adamBeta1: b1, adamBeta2: b2, adamEpsilon: eps } = this.o;
    const c1 = 1 - this.beta1Power;
    const c2 = 1 - this.beta2Power;
    const dim = this.dim;
    for (let s = 0; s < this.count; s++) {
      const row = this.touched[s]!;
      const at = row * dim;
      const g0 = s * dim;
      for (let k = 0; k < dim; k++) {
        const g = this.grad[g0 + k]!;
        const m = b1 * this.m[at + k]! + (1 - b1) * g;
        const v = b2 * this.v[at + k]! + (1 - b2) * g * g;
        this.m[at + k] = m;
        this.v[at + k] = v;
        this.values[at + k]! -= (lr * (m / c1)) / (Math.sqrt(v / c2) + eps);
      }
      this.slotOf[row] = -1;
    }
    this.count = 0;
    this.beta1Power *= b1;
    this.beta2Power *= b2;
  }

  /** Writes the trained values into the model's variable and frees the handle. */
  finish(): void {
    tf.tidy(() => this.variable.assign(tf.tensor(this.values, this.variable.shape, 'float32')));
    this.handle.dispose();
  }
}

/** A table as the fused first layer reads it: a tensor, or a table training with lazy Adam. */
export type TableSource = tf.Tensor | LazyAdamTable;
