import { ValidationError } from '../../core/errors.ts';

/**
 * Exported weights that cannot become an ONNX model as they are: another format or version,
 * a weight missing or of the wrong shape, parts whose offsets do not tile x0, two tensors that
 * map to one input name. `field` names the offending part, e.g. `weights["cross.0.W"]`.
 * Thrown before any graph is built, so a broken trainer fails at export, not on the device.
 */
export class OnnxExportError extends ValidationError {
  override name = 'OnnxExportError';
}
