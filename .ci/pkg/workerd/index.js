// Entry for Cloudflare Workers (workerd, wrangler, miniflare). Workers import a `.wasm` file as a
// compiled `WebAssembly.Module` (not as ESM-integrated exports, so the bundler build fails there)
// and cannot fetch it at run time, so the web build is instantiated synchronously from that module.
// Only the wasm is instantiated here: no socket, timer, random number or I/O until `new Client()`,
// which workerd would reject in global scope.
import { initSync } from "../web/openiap_wasm.js";
import module from "../web/openiap_wasm_bg.wasm";
initSync({ module });
export * from "../web/openiap_wasm.js";
// Already initialised: a later `await init()` returns at once.
export { default } from "../web/openiap_wasm.js";
