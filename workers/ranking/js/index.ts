export { createJsSession } from './js-session.ts';
export type { JsSession } from './js-session.ts';
export { JsOpError } from './ops.ts';
export type { JsTensor } from './ops.ts';
export { OnnxReadError, readOnnx } from './onnx-reader.ts';
export type { OnnxModel, OnnxNode, OnnxTensor } from './onnx-reader.ts';
