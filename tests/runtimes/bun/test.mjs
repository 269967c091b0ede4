// Bun: imports the installed package (exports "bun" -> the nodejs build) and runs the scenario and
// the HTTP scenario.
// Usage: bun bun/test.mjs ws://user:pass@127.0.0.1:PORT CONTROL_URL
import { scenario } from "../common/scenario.js";
import { httpScenario } from "../common/http-scenario.js";
import { quietImport } from "../common/quiet-import.js";

const resolved = import.meta.resolve("openiap-wasm");
if (!resolved.endsWith("/node_modules/openiap-wasm/node/index.mjs")) throw new Error("exports map gave bun " + resolved);

const { mod: { default: init, Client }, fetched } = await quietImport(() => import("openiap-wasm"));
if (fetched) throw new Error("importing the package called fetch");
await init();
console.log(await scenario(Client, process.argv[2], "bun" + Bun.version));
console.log(await httpScenario(Client, process.argv[2], process.argv[3], "bun" + Bun.version));
