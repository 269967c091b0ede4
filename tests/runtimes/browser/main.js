// Page of the bundler test (built by Vite from the npm-installed package, exports "browser").
// ?mode=page runs the scenario on the page; ?mode=worker runs it in a module Web Worker that
// imports the package itself; ?mode=port runs the npm-style port (../npm-port/port.js); ?mode=http
// runs the HTTP scenario (the page's origin is not the server's: CORS). The result goes to
// window.__result = {ok, text}.
import init, { Client } from "openiap-wasm";
import { scenario } from "../common/scenario.js";
import { port } from "../npm-port/port.js";
import { httpScenario } from "../common/http-scenario.js";

const params = new URLSearchParams(location.search);
const url = params.get("url");
const done = (ok, text) => { window.__result = { ok, text }; };

async function onPage() {
  await init();                      // fetches the .wasm that Vite emitted as an asset
  return scenario(Client, url, "chromium-page");
}

function inWorker() {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    worker.onmessage = (e) => { worker.terminate(); e.data.ok ? resolve(e.data.text) : reject(new Error(e.data.text)); };
    worker.onerror = (e) => { worker.terminate(); reject(new Error("worker error: " + (e.message || e.type))); };
    worker.postMessage({ url });
  });
}

async function npmPort() {
  await init();
  return "chromium: " + (await port(url));
}

async function overHttp() {
  await init();
  return httpScenario(Client, url, params.get("control"), "chromium", true);
}

const modes = { worker: inWorker, port: npmPort, page: onPage, http: overHttp };
(modes[params.get("mode")] || onPage)().then(
  (text) => done(true, text),
  (e) => done(false, `${e && e.name}: ${e && e.message}\n${e && e.stack}`),
);
