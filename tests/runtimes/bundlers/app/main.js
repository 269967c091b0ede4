// Test page of the bundler tests: runs the README's example (app.js, the two import lines and one
// rpc) against the test server given as ?url=, and reports to window.__result = {ok, text}.
import { echo } from "./app.js";

const url = new URLSearchParams(location.search).get("url");
echo(url).then(
  (reply) => { window.__result = { ok: true, text: JSON.stringify(reply) }; },
  (e) => { window.__result = { ok: false, text: `${e && e.name}: ${e && e.message}` }; },
);
