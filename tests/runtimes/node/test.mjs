// Node: imports the installed package (exports "node" -> import), checks that importing it starts
// nothing, that `require` gives the same module, then runs the scenario and the HTTP scenario.
// Usage: node [--experimental-websocket] node/test.mjs ws://user:pass@127.0.0.1:PORT CONTROL_URL
import { createRequire } from "node:module";
import { scenario } from "../common/scenario.js";
import { httpScenario } from "../common/http-scenario.js";
import { quietImport } from "../common/quiet-import.js";

const resolved = import.meta.resolve("openiap-wasm");
if (!resolved.endsWith("/node_modules/openiap-wasm/node/index.mjs")) throw new Error("exports map gave node " + resolved);

const url = process.argv[2];
if (typeof globalThis.WebSocket !== "function") {
  throw new Error(`Node ${process.version} has no global WebSocket: use Node 22+, or --experimental-websocket on Node 20`);
}

// Nothing at import time: no timer, socket, listener or fetch.
const { mod, fetched } = await quietImport(() => import("openiap-wasm"));
if (fetched) throw new Error("importing the package called fetch");
const { default: init, Client } = mod;
if (typeof init !== "function") throw new Error("no default init export");
await init();                                             // no-op here, kept for portable code
const required = createRequire(import.meta.url)("openiap-wasm");
if (required.Client !== Client) throw new Error("require() and import give different Client classes");

const tag = "node" + process.versions.node.split(".")[0];
console.log(await scenario(Client, url, tag));
console.log(await httpScenario(Client, url, process.argv[3], tag));
