//! The `openiap` (4-byte little-endian length) deframer must never panic, and once it has
//! reported an error it must keep reporting errors.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use openiap_wasm::protocol::framing::openiap::Deframer;

fuzz_target!(|input: common::Input| {
    let mut d = Deframer::new(input.max_len());
    let mut failed = false;
    for chunk in input.chunks() {
        d.push(chunk);
        loop {
            match d.next_envelope() {
                Ok(Some(env)) => {
                    assert!(!failed, "an envelope after an error");
                    let _ = env;
                }
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
