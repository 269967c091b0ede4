export * from "./openiap_wasm.js";
/** No-op: the wasm is already loaded. Accepts (and ignores) the web build's argument. */
export default function init(module_or_path?: unknown): Promise<void>;
