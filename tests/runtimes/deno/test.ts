// Deno: imports the installed package (exports "deno"; node_modules next to package.json) and
// runs the scenario and the HTTP scenario. Type-checked by `deno run --check`.
// Usage: deno run --check --allow-read --allow-net=127.0.0.1 deno/test.ts ws://user:pass@127.0.0.1:PORT CONTROL_URL
import type { ClientEvent, QueueMessage } from "openiap-wasm";
// @ts-types="../common/scenario.d.ts"
import { scenario } from "../common/scenario.js";
// @ts-types="../common/http-scenario.d.ts"
import { httpScenario } from "../common/http-scenario.js";
// @ts-types="../common/quiet-import.d.ts"
import { quietImport } from "../common/quiet-import.js";

const resolved = import.meta.resolve("openiap-wasm");
if (!resolved.endsWith("/node_modules/openiap-wasm/deno/index.js")) throw new Error("exports map gave deno " + resolved);

// Nothing at import time but reading the wasm (the deno build fetches its file:// URL).
const { mod: { default: init, Client } } = await quietImport(() => import("openiap-wasm"));
await init();
const seen: ClientEvent["event"][] = [];
const probe = new Client({ url: Deno.args[0] });
probe.on_client_event((e: ClientEvent) => seen.push(e.event));
probe.disconnect();
const _shape = (m: QueueMessage): string => m.queuename;
console.log(await scenario(Client, Deno.args[0], "deno" + Deno.version.deno));
console.log(await httpScenario(Client, Deno.args[0], Deno.args[1], "deno" + Deno.version.deno));
