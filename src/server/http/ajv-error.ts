/**
 * One Ajv error as a RequestValidationError: the JSON path in the form the device's code uses
 * (`events[3].type`) and a message that names the allowed values.
 */
import { SYNC_MODES } from '../../core/sync/wire.ts';
import { PATTERN_HINTS } from '../routes/events/schema.ts';
import { RequestValidationError } from '../errors.ts';

export interface AjvErrorLike {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: { properties?: Record<string, unknown> };
}

/** `/events/3/type` -> `events[3].type` (JSON pointer escapes undone). */
export function pointerToPath(pointer: string, root = ''): string {
  let out = root;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

export function ajvToValidationError(e: AjvErrorLike, root = ''): RequestValidationError {
  const path = pointerToPath(e.instancePath, root);
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return new RequestValidationError(child(path, String(p.missingProperty)), 'is required');
    case 'additionalProperties': {
      const allowed = Object.keys(e.parentSchema?.properties ?? {});
      const hint = allowed.length > 0 ? `; allowed fields: ${allowed.join(', ')}` : '';
      return new RequestValidationError(child(path, String(p.additionalProperty)), `is not an allowed field${hint}`);
    }
    case 'enum':
      return new RequestValidationError(path, `must be one of ${(p.allowedValues as unknown[]).join(', ')}`);
    case 'const':
      return new RequestValidationError(path, `must be ${JSON.stringify(p.allowedValue)}`);
    case 'discriminator':
      return new RequestValidationError(child(path, String(p.tag)), `must be one of ${SYNC_MODES.join(', ')}`);
    case 'type':
      return new RequestValidationError(path, `must be of type ${String(p.type)}`);
    case 'pattern':
      return new RequestValidationError(path, PATTERN_HINTS[String(p.pattern)] ?? `must match ${String(p.pattern)}`);
    case 'maxLength':
      return new RequestValidationError(path, `must be at most ${String(p.limit)} characters`);
    case 'minLength':
      return new RequestValidationError(path, `must be at least ${String(p.limit)} characters`);
    case 'maxItems':
      return new RequestValidationError(path, `must have at most ${String(p.limit)} entries`);
    case 'minItems':
      return new RequestValidationError(path, `must have at least ${String(p.limit)} entries`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return new RequestValidationError(path, `must be ${String(p.comparison)} ${String(p.limit)}`);
    default:
      return new RequestValidationError(path || undefined, e.message ?? `fails ${e.keyword}`);
  }
}
