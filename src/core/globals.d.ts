// src/core is type-checked against lib ES2022 only (no DOM, no Node types), yet Node, browsers and
// workers all provide the WHATWG TextDecoder globally. Declare just the part core uses, so core
// cannot drift into other DOM APIs by accident.

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  readonly encoding: string;
  readonly fatal: boolean;
  decode(input?: Uint8Array): string;
}
