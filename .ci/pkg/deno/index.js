// Entry for Deno. The deno build (next to this file) instantiates its wasm when imported, so
// `init()` is a no-op kept for code written for the web build (`await init()`).
export * from "./openiap_wasm.js";
export default async function init() {}
