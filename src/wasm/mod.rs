//! The JS-facing shell: a thin layer that runs the sans-IO [`crate::core::session::Session`]
//! on a browser `WebSocket`, JS timers and promises. Only compiled for `wasm32`.

mod client;
#[cfg(feature = "data")]
mod data;
mod driver;
mod js;
mod listener;
mod socket;
mod types;

pub use client::Client;

// talc instead of Rust's default dlmalloc: about 1 KB of code instead of 7 KB, measured with
// `.ci/size.sh`.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
