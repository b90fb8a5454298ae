// Types for voy-search's wasm-bindgen glue, which the package ships without a declaration file.
// The peers benchmark imports the glue itself and instantiates the .wasm by hand: the package's
// entry imports the .wasm as an ES module, which Vite serves only with a wasm plugin.
declare module 'voy-search/voy_search_bg.js' {
  import type { Resource, SearchResult } from 'voy-search';

  export function __wbg_set_wasm(exports: WebAssembly.Exports): void;
  export class Voy {
    constructor(resource?: Resource);
    search(query: Float32Array, k: number): SearchResult;
    size(): number;
    free(): void;
  }
}
