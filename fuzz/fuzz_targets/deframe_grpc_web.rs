//! The gRPC-web deframer must never panic, and once it has reported an error (including the
//! end of the stream) it must keep reporting errors.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use openiap_wasm::protocol::framing::grpc_web::{parse_client_message, Deframer};

fuzz_target!(|input: common::Input| {
    let mut d = Deframer::new(input.max_len());
    let mut failed = false;
    for chunk in input.chunks() {
        // Client messages are classified first; this must not panic either.
        let _ = parse_client_message(chunk.first() == Some(&b'c'), chunk);
        d.push(chunk);
        loop {
            match d.next_envelope() {
                Ok(Some(_)) => assert!(!failed, "an envelope after an error"),
                Ok(None) => {
                    assert!(!failed, "Ok(None) after an error");
                    break;
                }
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
    }
    if failed {
        assert!(d.next_envelope().is_err());
    }
});
