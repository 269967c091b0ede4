//! # openiap-wasm
//!
//! The OpenIAP (OpenFlow) client SDK for browsers and edge runtimes.
//!
//! The crate has two layers:
//! - [`protocol`]: a sans-IO protocol core (framing, envelopes, request correlation, the connection
//!   state machine, backoff and heartbeat). Plain Rust, bytes and time in, bytes, timers and
//!   events out; it compiles and is tested natively.
//! - `wasm` (only on `wasm32`): the JS `Client` class, a thin shell over the browser
//!   `WebSocket`, JS timers and promises.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod pb;
pub mod protocol;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
