export * from "../web/openiap_wasm.js";
export { default } from "../web/openiap_wasm.js";
