// The page of the Chromium run of `make test-live` (bundled by esbuild from the installed package's
// browser build). The runner calls `window.runLive(url)`; the URL is never part of the page's address.
import init, { Client } from "openiap-wasm";
import { liveChecks } from "./checks.js";

window.runLive = async (url) => {
  await init({ module_or_path: "/openiap_wasm_bg.wasm" });    // esbuild emits no wasm asset: served by run.mjs
  return liveChecks(Client, url);
};
window.ready = true;
