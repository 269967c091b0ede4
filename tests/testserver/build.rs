//! Compiles the descriptors of `proto/*.proto` (with protox, no `protoc`) for `POST /api/v2`,
//! which decodes a request's `data` from JSON text with them.

use prost::Message;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = ["base", "queues", "querys", "watch", "workitems", "agent"]
        .map(|f| format!("../../proto/{f}.proto"));
    for file in &files {
        println!("cargo:rerun-if-changed={file}");
    }
    let descriptors = protox::compile(&files, ["../../proto"])?;
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("openiap.fds"), descriptors.encode_to_vec())?;
    Ok(())
}
