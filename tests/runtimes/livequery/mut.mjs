// Mutation harness: the installed node build with src/js/live.js (as edited) in place of its own.
import { Client, ClientError } from "openiap-wasm";
import { extend_live } from "/work/wt/live/src/js/live.js";
import { runAll } from "/work/wt/live/tests/runtimes/livequery/run-tests.js";
delete Client.prototype.live_query;
extend_live(Client, ClientError);
const [url, control] = process.argv.slice(2);
try { console.log(await runAll({ url, control, Client, ClientError }, "mut")); } catch (e) { console.log("FAILED:\n" + e.message); }
process.exit(0);
