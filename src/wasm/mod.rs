//! The JS-facing shell: a thin layer that runs the sans-IO [`crate::protocol::session::Session`]
//! on a `WebSocket`, JS timers and promises. Only compiled for `wasm32`.
//!
//! | file | concern |
//! |---|---|
//! | `runtime/mod.rs` | runs the session: socket, timer, outputs, the token callback |
//! | `runtime/delivery.rs` | replies, queue messages, watch events and client events to JS |
//! | `client.rs` | the `Client` class: lifecycle and messaging |
//! | `data.rs` | the data API (one table row per method) |
//! | `transfers.rs` | upload and download |
//! | `convert.rs` | JS values out: events, errors, `data` text, replies, promises |
//! | `options.rs` | option objects in: typed reads, the data tables' option source |
//! | `socket.rs` | a `WebSocket` closed and unhooked on drop |
//! | `http.rs` | the HTTP transport's `fetch`, aborted on drop; its options |
//! | `listener.rs` | one event listener, removed on drop |
//! | `wake.rs` | the page-wake listeners |
//! | `typescript.rs` | the `.d.ts` files of `src/ts/` added to the generated types |

mod client;
mod convert;
#[cfg(feature = "data")]
mod data;
#[cfg(feature = "http")]
mod http;
mod listener;
mod options;
mod panic;
mod runtime;
mod socket;
#[cfg(feature = "data")]
mod transfers;
mod typescript;
mod wake;

pub use client::Client;

// talc instead of Rust's default dlmalloc: about 1 KB of code instead of 7 KB, measured with
// `.ci/size.sh`.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
