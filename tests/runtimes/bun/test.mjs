// Bun: imports the installed package (exports "bun" -> the nodejs build) and runs the scenario.
// Usage: bun bun/test.mjs ws://user:pass@127.0.0.1:PORT
import init, { Client } from "openiap-wasm";
import { scenario } from "../common/scenario.js";

const resolved = import.meta.resolve("openiap-wasm");
if (!resolved.endsWith("/node_modules/openiap-wasm/node/index.mjs")) throw new Error("exports map gave bun " + resolved);

await init();
console.log(await scenario(Client, process.argv[2], "bun" + Bun.version));
