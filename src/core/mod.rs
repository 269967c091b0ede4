//! Sans-IO protocol core: no sockets, no timers, no clocks. Time comes in as milliseconds,
//! randomness as a seed, bytes as slices; out come bytes to send, one deadline and events.

pub mod backoff;
pub mod codec;
pub mod envelope;
pub mod error;
pub mod frame;
pub mod grpc_web;
pub mod heartbeat;
pub mod rng;
pub mod session;
pub mod url;
pub mod vecmap;
