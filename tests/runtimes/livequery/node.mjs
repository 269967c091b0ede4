// Node: the live query tests (tests/js/live_tests.js) against the installed package.
// Usage: node [--experimental-websocket] livequery/node.mjs ws://127.0.0.1:PORT http://127.0.0.1:CPORT
import { Client, ClientError } from "openiap-wasm";
import { runAll } from "./run-tests.js";

const [url, control] = process.argv.slice(2);
console.log(await runAll({ url, control, Client, ClientError }, "node" + process.versions.node.split(".")[0]));
