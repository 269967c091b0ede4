// Gives the wasm's imports short names, in the wasm and in the JS glue that provides them. Used by
// .ci/finish-glue.mjs for every single-file glue (not the bundler target, whose wasm imports the
// glue's exports by name as an ES module):
//   shortenImports("DIR/openiap_wasm_bg.wasm", glueText) -> the glue text to write
//
// wasm-bindgen names each import `__wbg_<name>_<16 hex digits>`. The hash cannot be compressed and
// stands twice in what a browser loads (the wasm's import section and the glue's import object):
// 78 imports cost 2,949 B gzip on 2026-12-01, wasm and glue together. Here they become `a`, `b`,
// ... An import is renamed only when its name stands in the glue as an object key (`name:`),
// which is how the glue provides it, and its module (`./openiap_wasm_bg.js`, repeated for every
// import) becomes `a` where the glue names it once as a key; the rest of the wasm is copied byte
// for byte.
//   shortenExports("DIR/openiap_wasm_bg.wasm", glueText, dtsTexts) -> [glue, dtsTexts]
// does the same for the wasm's exports (`client_connect`, the closures' hashed
// `wasm_bindgen__convert__closures_____invoke__h<16 hex>`, ...: 857 B of names in the wasm, most of
// them again in the glue; −525 B gzip on 2026-12-07). An export is renamed only when the glue names
// it as `wasm.<name>` and nowhere else; `memory` and `__wbindgen_externrefs` (read by
// tests/bench/page.js through what `init()` returns) keep their names, and the `InitOutput` keys of
// the `.d.ts` files follow.
import { readFileSync, writeFileSync } from "node:fs";

const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$";

function shortName(i) {
  let s = "";
  do {
    s += ALPHABET[i % ALPHABET.length];
    i = Math.floor(i / ALPHABET.length);
  } while (i > 0);
  return s;
}

/** Reads the unsigned LEB128 at `pos`: [value, position after it]. */
function readLeb(buf, pos) {
  let value = 0, shift = 0, byte;
  do {
    byte = buf[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, pos];
}

function leb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

/** The end of the import description at `pos` (kind byte first). */
function descEnd(buf, pos) {
  const limits = (p) => {
    const flags = buf[p];
    let [, q] = readLeb(buf, p + 1);
    if (flags & 1) [, q] = readLeb(buf, q);
    return q;
  };
  switch (buf[pos]) {
    case 0: return readLeb(buf, pos + 1)[1]; // function: type index
    case 1: return limits(pos + 2); // table: reference type, limits
    case 2: return limits(pos + 1); // memory: limits
    case 3: return pos + 3; // global: value type, mutability
    case 4: return readLeb(buf, pos + 2)[1]; // tag: attribute, type index
    default: throw new Error(`import kind ${buf[pos]} at ${pos}: unknown`);
  }
}

export function shortenImports(wasmPath, glue) {
  const MODULE = "./openiap_wasm_bg.js";
  const moduleKey = `"${MODULE}":`;
  const shortModule = glue.split(moduleKey).length === 2;
  const renamed = new Map();
  rewriteSections(wasmPath, (id, section) => {
    if (id !== 2) return undefined;
    let [count, p] = readLeb(section, 0);
    const body = [...leb(count)];
    for (let i = 0; i < count; i++) {
      const [moduleLen, m] = readLeb(section, p);
      let module = section.subarray(m, m + moduleLen);
      const [fieldLen, f] = readLeb(section, m + moduleLen);
      const field = section.subarray(f, f + fieldLen).toString("utf8");
      const desc = f + fieldLen;
      p = descEnd(section, desc);
      let name = field;
      if (glue.includes(`${field}:`)) {
        name = renamed.get(field) ?? shortName(renamed.size);
        renamed.set(field, name);
      }
      if (shortModule && module.toString("utf8") === MODULE) module = Buffer.from("a");
      const nameBytes = Buffer.from(name, "utf8");
      body.push(...leb(module.length), ...module, ...leb(nameBytes.length), ...nameBytes, ...section.subarray(desc, p));
    }
    if (p !== section.length) throw new Error(`${wasmPath}: import section ends at ${p}, not ${section.length}`);
    return body;
  });
  for (const [from, to] of renamed) {
    // The hashed names are unique: each stands once, as the key of its function.
    if (glue.split(`${from}:`).length !== 2) throw new Error(`${from}: not exactly one key in the glue`);
    glue = glue.replace(`${from}:`, `${to}:`);
  }
  if (shortModule) glue = glue.replace(moduleKey, '"a":');
  return glue;
}

/** Runs `edit(sectionId, body) -> body | undefined` over the wasm's sections; writes the result. */
function rewriteSections(wasmPath, edit) {
  const wasm = readFileSync(wasmPath);
  if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error(`${wasmPath}: not a wasm module`);
  const parts = [wasm.subarray(0, 8)];
  let pos = 8;
  while (pos < wasm.length) {
    const id = wasm[pos];
    const [size, start] = readLeb(wasm, pos + 1);
    const end = start + size;
    const body = edit(id, wasm.subarray(start, end));
    parts.push(body ? Buffer.from([id, ...leb(body.length), ...body]) : wasm.subarray(pos, end));
    pos = end;
  }
  writeFileSync(wasmPath, Buffer.concat(parts));
}

const KEEP_EXPORTS = new Set(["memory", "__wbindgen_externrefs"]);

export function shortenExports(wasmPath, glue, dtsTexts = []) {
  const renamed = new Map();
  rewriteSections(wasmPath, (id, section) => {
    if (id !== 7) return undefined;
    let [count, p] = readLeb(section, 0);
    const body = [...leb(count)];
    for (let i = 0; i < count; i++) {
      const [len, n] = readLeb(section, p);
      const field = section.subarray(n, n + len).toString("utf8");
      const desc = n + len;
      p = readLeb(section, desc + 1)[1]; // kind byte, index
      // Every property access, string or key of that name must be `wasm.<name>` (a bare identifier
      // of the same name, such as the glue's wrapper function of a closure export, is its own).
      const hits = (re) => glue.match(re)?.length ?? 0;
      const e = field.replace(/\$/g, "\\$");
      const accesses = hits(new RegExp(`(?<![\\w$])wasm\\.${e}(?![\\w$])`, "g"));
      const other = hits(new RegExp(`(\\.|["'\`])${e}(?![\\w$])|[{,]\\s*${e}\\s*:`, "g")) - accesses;
      let name = field;
      if (!KEEP_EXPORTS.has(field) && accesses > 0 && other === 0) {
        name = shortName(renamed.size);
        renamed.set(field, name);
      }
      const nameBytes = Buffer.from(name, "utf8");
      body.push(...leb(nameBytes.length), ...nameBytes, ...section.subarray(desc, p));
    }
    if (p !== section.length) throw new Error(`${wasmPath}: export section ends at ${p}, not ${section.length}`);
    return Buffer.from(body);
  });
  for (const [from, to] of renamed) {
    const e = from.replace(/\$/g, "\\$");
    glue = glue.replace(new RegExp(`(?<![\\w$])wasm\\.${e}(?![\\w$])`, "g"), `wasm.${to}`);
    // In the .d.ts the exports stand as `readonly <name>:` (InitOutput) and `export const <name>:`.
    dtsTexts = dtsTexts.map((d) => d.replace(new RegExp(`(readonly|export const) ${e}:`, "g"), `$1 ${to}:`));
  }
  return [glue, dtsTexts];
}
