//! The TypeScript declarations of the package: real `.d.ts` files in `src/ts/`, checked by `tsc`
//! (`tests/types`), added to the generated `.d.ts`. The `Client` class is declared there, not
//! generated, so that its results can be generic (`query<T>()`) and its events a union.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const CLIENT: &'static str = include_str!("../ts/client.d.ts");

#[cfg(feature = "data")]
#[wasm_bindgen(typescript_custom_section)]
const DATA: &'static str = include_str!("../ts/data.d.ts");

#[cfg(feature = "http")]
#[wasm_bindgen(typescript_custom_section)]
const HTTP: &'static str = include_str!("../ts/http.d.ts");

#[cfg(feature = "data")]
#[wasm_bindgen(typescript_custom_section)]
const LIVE: &'static str = include_str!("../ts/live.d.ts");
