import { ValidationError } from '../../core/errors.ts';

/**
 * A graph that cannot be exported as built: bad dims, data that does not fill its shape, a bad
 * attribute, no outputs, an opset other than the one supported. `field` names the offending
 * part, e.g. `initializer "item_table".data` or `node Gemm_3.attrs.alpha`.
 */
export class OnnxGraphError extends ValidationError {
  override name = 'OnnxGraphError';
}

/** A node (or graph output) refers to a value no input, initializer or earlier node defines. */
export class OnnxUnknownNameError extends OnnxGraphError {
  override name = 'OnnxUnknownNameError';
  readonly valueName: string;
  constructor(field: string, valueName: string) {
    super(field, `unknown value "${valueName}"; define it as an input, initializer or node output first`);
    this.valueName = valueName;
  }
}

/** A second value, or a second graph output, with a name already taken. */
export class OnnxDuplicateNameError extends OnnxGraphError {
  override name = 'OnnxDuplicateNameError';
  readonly valueName: string;
  constructor(field: string, valueName: string) {
    super(field, `name "${valueName}" is already used in this graph`);
    this.valueName = valueName;
  }
}

/** An operator outside the portable set (see ops.ts); the message lists the allowed ones. */
export class OnnxUnsupportedOpError extends OnnxGraphError {
  override name = 'OnnxUnsupportedOpError';
  readonly opType: string;
  constructor(field: string, opType: string, allowed: readonly string[]) {
    super(field, `operator "${opType}" is not in the portable set: ${allowed.join(', ')}`);
    this.opType = opType;
  }
}

/** Layer weights whose shapes do not fit together, e.g. a bias of 8 after a W of [16, 4]. */
export class OnnxShapeError extends OnnxGraphError {
  override name = 'OnnxShapeError';
}

/**
 * A node that reads and writes more tensors than a default WebGPU device binds in one shader
 * (ONNX_DEFAULTS.maxTensorsPerNode). `nodeName` names it; the fix is in the layer that built it.
 */
export class OnnxDeviceLimitError extends OnnxGraphError {
  override name = 'OnnxDeviceLimitError';
  readonly nodeName: string;
  readonly tensors: number;
  constructor(nodeName: string, opType: string, tensors: number, limit: number) {
    super(
      `node ${nodeName}`,
      `${opType} binds ${tensors} tensors (inputs + outputs); a WebGPU device with default limits binds at most ${limit} storage buffers per shader`,
    );
    this.nodeName = nodeName;
    this.tensors = tensors;
  }
}
