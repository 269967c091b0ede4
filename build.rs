//! Compiles `proto/*.proto` with prost. `protox` is a pure-Rust protobuf compiler, so no `protoc` is needed.

use prost::Message;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    const FILES: &[&str] = &[
        "proto/base.proto",
        "proto/queues.proto",
        "proto/querys.proto",
        "proto/watch.proto",
        "proto/workitems.proto",
        "proto/agent.proto",
    ];
    for file in FILES {
        println!("cargo:rerun-if-changed={file}");
    }
    // The JS snippets are read by wasm-bindgen's macros, which cargo does not see: a change there
    // must rebuild the crate too.
    println!("cargo:rerun-if-changed=src/js");
    println!("cargo:rerun-if-changed=tests/js");
    let descriptors = protox::compile(FILES, ["proto"])?;
    // The descriptors themselves, for tests that check the data API's field tables against them
    // (tests/wire_tables.rs).
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("openiap.fds"), descriptors.encode_to_vec())?;
    prost_build::Config::new()
        .compile_well_known_types()
        // `prost::Name` gives every message its `type.googleapis.com/openiap.<Message>` type_url.
        .enable_type_names()
        .type_name_domain(["."], "type.googleapis.com")
        .compile_fds(descriptors)?;
    Ok(())
}
