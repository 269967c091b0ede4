// Runs every test of tests/js/live_tests.js in turn (Node and the Chromium page): resolves to a
// summary line, rejects listing the tests that failed. The harness disconnects each test's clients.
import * as tests from "../../js/live_tests.js";
import { cleanup } from "../../js/harness.js";

export async function runAll(env, where, log = console.log) {
  const failed = [];
  let passed = 0;
  for (const [name, test] of Object.entries(tests)) {
    const t0 = Date.now();
    try {
      let timer;
      const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error("did not end within 60 s")), 60000); });
      await Promise.race([test(env), late]).finally(() => clearTimeout(timer));
      passed++;
      log(`ok   ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed.push(`${name}: ${e && e.message}`);
      log(`FAIL ${name}: ${e && e.message}`);
    } finally {
      cleanup();
    }
  }
  if (failed.length) throw new Error(failed.join("\n"));
  return `${where}: ${passed} live query tests of tests/js/live_tests.js passed`;
}
