// ESM entry for Node and Bun. The nodejs build (CommonJS, next to this file) loads its wasm
// synchronously from disk when first imported, so `init()` has nothing left to do; it exists so
// code written for the web build (`await init()`) runs here unchanged.
export * from "./openiap_wasm.js";
export default async function init() {}
