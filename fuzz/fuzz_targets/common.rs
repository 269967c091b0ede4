//! Input shared by the deframer targets: a byte stream and where to cut it into WebSocket
//! messages, both chosen by the fuzzer.

use libfuzzer_sys::arbitrary::{self, Arbitrary};

#[derive(Debug, Arbitrary)]
pub struct Input {
    /// Sizes of successive messages, cycled; a 0 means "the rest in one message".
    pub cuts: Vec<u8>,
    /// Use a small maximum frame length, to reach the size check.
    pub small_max: bool,
    /// Bytes received on the socket.
    pub stream: Vec<u8>,
}

impl Input {
    pub fn max_len(&self) -> usize {
        if self.small_max {
            64
        } else {
            openiap_wasm::protocol::framing::openiap::DEFAULT_MAX_FRAME_LEN
        }
    }

    /// The stream cut at the fuzzer's points.
    pub fn chunks(&self) -> Vec<&[u8]> {
        let mut out = Vec::new();
        let mut rest = self.stream.as_slice();
        let mut i = 0;
        while !rest.is_empty() {
            let n = match self.cuts.get(i % self.cuts.len().max(1)) {
                None | Some(0) => rest.len(),
                Some(&n) => (n as usize).min(rest.len()),
            };
            out.push(&rest[..n]);
            rest = &rest[n..];
            i += 1;
        }
        out
    }
}
