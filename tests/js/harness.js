// Shared helpers of the browser tests (tests/web.rs). Test modules import this file; tests/web.rs
// also imports it (cleanup), which is what makes wasm-bindgen copy it next to them.

import { ClientError } from "../../src/js/errors.js";

export const USER = "testuser", PASS = "testpass";

/** The package's error class (the copy the wasm creates its errors with). */
export function client_error_class() {
  return ClientError;
}
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function authUrl(env) {
  return env.url.replace("ws://", `ws://${USER}:${PASS}@`);
}

export async function control(env, path) {
  const r = await fetch(env.control + path, { method: "POST" });
  if (!r.ok) throw new Error(`control ${path}: HTTP ${r.status}`);
  return r.text();
}

export function assert(cond, msg) {
  if (!cond) throw new Error("assertion failed: " + msg);
}

export function assertEq(a, b, msg) {
  const ja = JSON.stringify(a), jb = JSON.stringify(b);
  if (ja !== jb) throw new Error(`${msg}: expected ${jb}, got ${ja}`);
}

export async function waitFor(what, cond, ms = 8000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await sleep(20);
  }
  throw new Error("timed out waiting for " + what);
}

export async function rejects(promise) {
  try { await promise; } catch (e) { return e; }
  throw new Error("expected a rejection");
}

const live = new Set();

/** Remembers a client so that `cleanup` disconnects it after the test. */
export function track(client) {
  live.add(client);
  return client;
}

/** Run after every test, passed or failed: no client of one test may disturb the next. */
export function cleanup() {
  for (const c of live) {
    try { c.disconnect(); } catch (_) { /* already freed */ }
  }
  live.clear();
}
