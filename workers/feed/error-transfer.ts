/**
 * Errors that keep their fields across the worker boundary. comlink sends a thrown Error as
 * { message, name, stack } and the page rebuilds it with Object.assign(new Error(message), …),
 * so ondeck's fields (`field`, `reason`, `expected`, …) were lost on the way. The worker's
 * 'throw' handler adds every own enumerable field that the structured clone can carry; comlink's
 * page side assigns them back unchanged.
 */
import * as Comlink from 'comlink';

/** The fields of a thrown error that travel: own, enumerable and cloneable. */
export function transferableFields(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(err)) {
    if (typeof value === 'function' || typeof value === 'symbol') continue;
    try {
      out[key] = structuredClone(value);
    } catch {
      // A field the structured clone cannot carry (a DOM node, a class with methods) stays behind.
    }
  }
  return out;
}

type Thrown = { value: unknown };
type Serialized = { isError: true; value: Record<string, unknown> } | { isError: false; value: unknown };

/** Replaces comlink's 'throw' handler in this realm (the worker) with one that keeps fields. */
export function keepErrorFields(): void {
  const base = Comlink.transferHandlers.get('throw') as Comlink.TransferHandler<Thrown, Serialized>;
  Comlink.transferHandlers.set('throw', {
    canHandle: base.canHandle,
    deserialize: base.deserialize,
    serialize({ value }: Thrown): [Serialized, Transferable[]] {
      if (!(value instanceof Error)) return base.serialize({ value });
      return [{ isError: true, value: { ...transferableFields(value), message: value.message, name: value.name, stack: value.stack } }, []];
    },
  } satisfies Comlink.TransferHandler<Thrown, Serialized>);
}
