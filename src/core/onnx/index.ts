export { ProtobufError, protoFields } from './proto-fields.ts';
export type { ProtoField } from './proto-fields.ts';
