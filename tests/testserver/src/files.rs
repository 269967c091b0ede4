//! File storage for `upload` / `download` (OpenFlow's GridFS): uploads arrive as
//! `upload`, then `beginstream`, `stream`…, `endstream` with `rid` = the upload's id; downloads
//! are sent the same way, followed by `downloadreply`.

use crate::util::random_id;
use openiap_wasm::pb::{UploadRequest, WorkitemFile};
use std::collections::BTreeMap;

/// Size of the `stream` chunks the server sends.
pub const CHUNK: usize = 1024 * 1024;

/// A stored file.
#[derive(Debug, Clone)]
pub struct File {
    /// Its name.
    pub filename: String,
    /// Its MIME type.
    pub mimetype: String,
    /// The bytes.
    pub data: Vec<u8>,
}

/// An upload in progress on one connection.
#[derive(Debug)]
pub struct Upload {
    /// The request.
    pub req: UploadRequest,
    /// Bytes so far.
    pub data: Vec<u8>,
}

/// All files by id.
#[derive(Debug, Default)]
pub struct Files {
    /// id → file.
    pub files: BTreeMap<String, File>,
}

impl Files {
    /// Stores a file; returns its id.
    pub fn store(&mut self, f: File) -> String {
        let id = random_id(24);
        self.files.insert(id.clone(), f);
        id
    }

    /// Stores the bytes of a work item file (if it has any) and returns the reference to it.
    pub fn attach(&mut self, f: WorkitemFile) -> WorkitemFile {
        let id = if f.file.is_empty() {
            f.id
        } else {
            self.store(File {
                filename: f.filename.clone(),
                mimetype: "application/octet-stream".into(),
                data: f.file,
            })
        };
        WorkitemFile {
            filename: f.filename,
            id,
            compressed: false,
            file: vec![],
        }
    }
}
