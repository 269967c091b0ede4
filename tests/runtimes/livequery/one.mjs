import { Client, ClientError } from "openiap-wasm";
import { extend_live } from "/work/wt/live/src/js/live.js";
import * as tests from "../../js/live_tests.js";
import { cleanup } from "../../js/harness.js";
delete Client.prototype.live_query;
extend_live(Client, ClientError);
const [url, control, name] = process.argv.slice(2);
try { await tests[name]({ url, control, Client, ClientError }); console.log("ok"); } catch (e) { console.log("FAIL", e.message); } finally { cleanup(); }
process.exit(0);
