//! Compiles `proto/*.proto` with prost. `protox` is a pure-Rust protobuf compiler, so no `protoc` is needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    const FILES: &[&str] = &[
        "proto/base.proto",
        "proto/queues.proto",
        "proto/querys.proto",
        "proto/watch.proto",
        "proto/workitems.proto",
    ];
    for file in FILES {
        println!("cargo:rerun-if-changed={file}");
    }
    let descriptors = protox::compile(FILES, ["proto"])?;
    prost_build::Config::new()
        .compile_well_known_types()
        // `prost::Name` gives every message its `type.googleapis.com/openiap.<Message>` type_url.
        .enable_type_names()
        .type_name_domain(["."], "type.googleapis.com")
        .compile_fds(descriptors)?;
    Ok(())
}
