// Module Web Worker: imports the package (bundled by Vite) and runs the scenario.
import init, { Client } from "openiap-wasm";
import { scenario } from "../common/scenario.js";

self.onmessage = async ({ data }) => {
  try {
    if (typeof window !== "undefined") throw new Error("not in a worker");
    await init();
    self.postMessage({ ok: true, text: await scenario(Client, data.url, "chromium-worker") });
  } catch (e) {
    self.postMessage({ ok: false, text: `${e && e.name}: ${e && e.message}\n${e && e.stack}` });
  }
};
