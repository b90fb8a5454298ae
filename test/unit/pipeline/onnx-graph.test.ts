import { describe, expect, it } from 'vitest';
import { OndeckError } from '../../../src/core/errors.ts';
import { OnnxGraph, createNodeSession, ortForNode } from '../../../src/pipeline/onnx/index.ts';
import { floatAttr } from '../../../src/pipeline/onnx/attributes.ts';
import { OnnxDuplicateNameError, OnnxGraphError, OnnxUnknownNameError, OnnxUnsupportedOpError } from '../../../src/pipeline/onnx/errors.ts';

const ort = ortForNode();

/** The builder call must throw the named error; returns it for further checks. */
function thrown<E extends Error>(fn: () => unknown, type: new (...args: never[]) => E, name: string): E {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    expect(err).toBeInstanceOf(OndeckError);
    expect((err as Error).name).toBe(name);
    // The stable name is the class's own (the untyped ONNX_ERROR_NAMES list this checked is gone).
    expect(type.name).toBe(name);
    return err as E;
  }
  throw new Error(`expected ${name}, nothing was thrown`);
}

async function run(bytes: Uint8Array, feeds: Record<string, InstanceType<typeof ort.Tensor>>) {
  const session = await createNodeSession(bytes);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

describe('OnnxGraph serialisation, loaded by onnxruntime-web (wasm, Node)', () => {
  it('runs a graph with float, int32 and int64 inputs, float attributes and negative ints', async () => {
    const g = new OnnxGraph('probe');
    const x = g.input('x', 'float32', ['N', 3]);
    const ids = g.input('ids', 'int32', ['N']);
    const ids64 = g.input('ids64', 'int64', ['N']);
    const table = g.initializer('table', Float32Array.from([0, 0, 1, 10, 2, 20, 3, 30]), [4, 2]);
    const W = g.initializer('W', Float32Array.from([1, 0, 0, 1, 1, 1]), [3, 2]);
    const b = g.initializer('b', Float32Array.from([0.5, -0.5]), [2]);
    // alpha = 2 as a FLOAT attribute: ORT refuses a Gemm whose alpha is an INT.
    const [y] = g.node('Gemm', [x, W, b], { alpha: floatAttr(2), transB: 0 });
    const [e32] = g.node('Gather', [table, ids], { axis: 0 });
    const [e64] = g.node('Gather', [table, ids64], { axis: 0 });
    // axis = -1 takes a ten-byte varint: a check on the negative int64 encoding.
    const [cat] = g.node('Concat', [y!, e32!, e64!], { axis: -1 });
    g.output('out', 'float32', ['N', 6], cat);
    g.output('ids_echo', 'int32', ['N'], ids); // an input as output goes through Identity
    expect(g.signature()).toEqual({
      inputs: [
        { name: 'x', type: 'float32', dims: ['N', 3] },
        { name: 'ids', type: 'int32', dims: ['N'] },
        { name: 'ids64', type: 'int64', dims: ['N'] },
      ],
      outputs: [
        { name: 'out', type: 'float32', dims: ['N', 6] },
        { name: 'ids_echo', type: 'int32', dims: ['N'] },
      ],
    });

    const bytes = g.toBytes({ opset: 13, producer: 'ondeck', metadata: { release: 'r1' } });
    const session = await createNodeSession(bytes);
    expect(session.inputNames).toEqual(['x', 'ids', 'ids64']);
    expect(session.outputNames).toEqual(['out', 'ids_echo']);
    const r = await session.run({
      x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, -1, 0, 1]), [2, 3]),
      ids: new ort.Tensor('int32', Int32Array.from([3, 1]), [2]),
      ids64: new ort.Tensor('int64', BigInt64Array.from([2n, 0n]), [2]),
    });
    await session.release();
    expect(r.out!.dims).toEqual([2, 6]);
    // Row 0: 2·([1,2,3]·W) + b = 2·[4, 5] + [0.5, -0.5], then E[3], E[2]; row 1: 2·[0, 1] + b.
    expect(Array.from(r.out!.data as Float32Array)).toEqual([8.5, 9.5, 3, 30, 2, 20, 0.5, 1.5, 1, 10, 0, 0]);
    expect(Array.from(r.ids_echo!.data as Int32Array)).toEqual([3, 1]);
  });

  it('renames a node output in place when it becomes a graph output, and keeps later readers', async () => {
    const g = new OnnxGraph('rename');
    const x = g.input('x', 'float32', ['N', 2]);
    const [s] = g.node('Sigmoid', [x]);
    const [d] = g.node('Add', [s!, s!]);
    g.output('p', 'float32', ['N', 2], s);
    g.output('twice', 'float32', ['N', 2], d);
    expect(g.nodeCount).toBe(2); // no Identity added
    const x0 = new ort.Tensor('float32', new Float32Array(4), [2, 2]);
    const r = await run(g.toBytes({ opset: 13 }), { x: x0 });
    expect(Array.from(r.p!.data as Float32Array)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(Array.from(r.twice!.data as Float32Array)).toEqual([1, 1, 1, 1]);
    // The old name is gone: a node that still uses it fails at once, by name.
    thrown(() => g.node('Relu', [s!]), OnnxUnknownNameError, 'OnnxUnknownNameError');
  });

  it('serialises a large initializer byte for byte (a 100k-row table, int32 gather at the end)', async () => {
    const rows = 100_000;
    const data = new Float32Array(rows * 2);
    for (let i = 0; i < data.length; i++) data[i] = i * 0.25 - 7;
    const g = new OnnxGraph('big');
    const ids = g.input('ids', 'int32', [3]);
    const [e] = g.node('Gather', [g.initializer('t', data, [rows, 2]), ids], { axis: 0 });
    g.output('e', 'float32', [3, 2], e);
    const bytes = g.toBytes({ opset: 13 });
    expect(bytes.length).toBeGreaterThan(data.byteLength);
    expect(bytes.length).toBeLessThan(data.byteLength + 512);
    const r = await run(bytes, { ids: new ort.Tensor('int32', Int32Array.from([0, 54321, rows - 1]), [3]) });
    const want = [0, 1, 108642, 108643, 2 * rows - 2, 2 * rows - 1].map((i) => i * 0.25 - 7);
    expect(Array.from(r.e!.data as Float32Array)).toEqual(want);
  });

  it('generates unique names and shares equal small constants', () => {
    const g = new OnnxGraph('names');
    const x = g.input('Relu', 'float32', ['N']); // collides with the first auto name on purpose
    const [a] = g.node('Relu', [x]);
    const [b] = g.node('Relu', [a!]);
    expect(new Set([x, a, b]).size).toBe(3);
    const c1 = g.constant(BigInt64Array.of(1n), [1], 'axes');
    const c2 = g.constant(BigInt64Array.of(1n), [1], 'axes');
    const c3 = g.constant(Int32Array.of(1), [1], 'axes');
    expect(c1).toBe(c2);
    expect(c3).not.toBe(c1);
    expect(g.scope('dense')).toBe('dense');
    expect(g.scope('dense')).toBe('dense_1');
  });
});

describe('OnnxGraph validation errors', () => {
  const base = () => {
    const g = new OnnxGraph('bad');
    g.input('x', 'float32', ['N', 2]);
    g.initializer('w', new Float32Array(4), [2, 2]);
    return g;
  };

  it('names an unknown value a node reads, and where', () => {
    const g = base();
    const err = thrown(() => g.node('MatMul', ['x', 'W']), OnnxUnknownNameError, 'OnnxUnknownNameError');
    expect(err.valueName).toBe('W');
    expect(err.field).toBe('node MatMul.inputs[1]');
    expect(err.message).toContain('"W"');
    thrown(() => g.output('nope', 'float32', ['N']), OnnxUnknownNameError, 'OnnxUnknownNameError');
    thrown(() => g.output('y', 'float32', ['N'], 'nope'), OnnxUnknownNameError, 'OnnxUnknownNameError');
  });

  it('refuses a name used twice, whatever defined it first', () => {
    const g = base();
    const dup = (fn: () => unknown) => thrown(fn, OnnxDuplicateNameError, 'OnnxDuplicateNameError');
    expect(dup(() => g.input('x', 'float32', [1])).valueName).toBe('x');
    dup(() => g.initializer('x', new Float32Array(1), [1]));
    dup(() => g.input('w', 'float32', [1]));
    dup(() => g.node('Relu', ['x'], undefined, ['w']));
    g.node('Relu', ['x'], undefined, ['y']);
    dup(() => g.node('Sigmoid', ['x'], undefined, ['y']));
    g.output('y', 'float32', ['N', 2]);
    dup(() => g.output('y', 'float32', ['N', 2]));
  });

  it('refuses ops outside the portable set, listing the allowed ones', () => {
    const err = thrown(() => base().node('NonMaxSuppression', ['x']), OnnxUnsupportedOpError, 'OnnxUnsupportedOpError');
    expect(err.opType).toBe('NonMaxSuppression');
    expect(err.message).toContain('Gather');
  });

  it('refuses bad dims, data that does not fill them, non-finite weights, float ints, bad opset', () => {
    const g = base();
    const bad = (fn: () => unknown) => thrown(fn, OnnxGraphError, 'OnnxGraphError');
    expect(bad(() => g.input('a', 'float32', [-1])).field).toBe('input "a".dims[0]');
    bad(() => g.input('b', 'float64' as 'float32', [1]));
    expect(bad(() => g.initializer('c', new Float32Array(3), [2, 2])).field).toBe('initializer "c".data');
    bad(() => g.initializer('d', Float32Array.of(1, Number.NaN), [2]));
    expect(bad(() => g.node('Gemm', ['x', 'w'], { alpha: 0.5 })).field).toBe('node Gemm.attrs.alpha');
    bad(() => new OnnxGraph(''));
    bad(() => base().toBytes({ opset: 13 })); // no outputs
    g.node('Relu', ['x'], undefined, ['r']);
    g.output('r', 'float32', ['N', 2]);
    expect(bad(() => g.toBytes({ opset: 12 as 13 })).field).toBe('opset');
    expect(g.toBytes({ opset: 13 }).length).toBeGreaterThan(0);
  });
});
