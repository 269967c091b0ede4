// Deno: imports the installed package (exports "deno"; node_modules next to package.json) and
// runs the scenario. Type-checked by `deno run --check`.
// Usage: deno run --check --allow-read --allow-net=127.0.0.1 deno/test.ts ws://user:pass@127.0.0.1:PORT
import init, { Client, type ClientEvent, type QueueMessage } from "openiap-wasm";
// @ts-types="../common/scenario.d.ts"
import { scenario } from "../common/scenario.js";

const resolved = import.meta.resolve("openiap-wasm");
if (!resolved.endsWith("/node_modules/openiap-wasm/deno/index.js")) throw new Error("exports map gave deno " + resolved);

await init();
const seen: ClientEvent["event"][] = [];
const probe = new Client({ url: Deno.args[0] });
probe.on_client_event((e: ClientEvent) => seen.push(e.event));
probe.disconnect();
const _shape = (m: QueueMessage): string => m.queuename;
console.log(await scenario(Client, Deno.args[0], "deno" + Deno.version.deno));
