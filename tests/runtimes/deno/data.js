// Deno: every data API test of the browser suite (tests/js/data_tests.js), run against the
// installed package in Deno, an edge runtime: documents, collections, indexes, custom commands,
// work items, watch across a dropped connection, upload/download and typed errors.
// Usage: deno run --allow-read --allow-net=127.0.0.1 deno/data.js ws://127.0.0.1:PORT http://127.0.0.1:CPORT
import init, { Client } from "openiap-wasm";
import * as tests from "../../js/data_tests.js";
import { cleanup } from "../../js/harness.js";

await init();
const [url, control] = Deno.args;
const expected = JSON.parse(await Deno.readTextFile(new URL("../../js/data_expected.json", import.meta.url)));
const env = { url, control, Client, expected };
let passed = 0;
const failed = [];
for (const [name, test] of Object.entries(tests)) {
  try {
    await test(env);
    passed++;
  } catch (e) {
    failed.push(`${name}: ${e && e.message}`);
  } finally {
    cleanup();
  }
}
if (failed.length) throw new Error(failed.join("\n"));
console.log(`deno${Deno.version.deno}: ${passed} data API tests of tests/js/data_tests.js passed`);
