//! Sans-IO protocol core: no sockets, no timers, no clocks. Time comes in as milliseconds,
//! randomness as a seed, bytes as slices; out come bytes to send, one deadline and events.

pub mod backoff;
pub mod envelope;
pub mod error;
pub mod framing;
pub mod heartbeat;
#[cfg(feature = "http")]
pub mod http;
pub mod rng;
pub mod session;
pub mod text;
pub mod url;
pub mod vecmap;
pub mod wire;
