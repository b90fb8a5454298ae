export { ProtobufError, protoFields, protoVarints } from './proto-fields.ts';
export type { ProtoField } from './proto-fields.ts';
