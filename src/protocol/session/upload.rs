//! Uploads: a request followed by a `beginstream`/`stream`/`endstream` stream whose chunks the
//! shell hands over one at a time, when the session asks for them.

use super::types::{Output, RequestId};
use super::Session;
use crate::pb::Envelope;
use crate::protocol::envelope::{empty_any, envelope, to_any};
use crate::protocol::error::ErrorKind;

/// How long an upload waits when the shell held back its chunk ([`Session::upload_later`]).
pub const UPLOAD_RECHECK_MS: u64 = 20;

impl Session {
    /// The next chunk of an upload (`None`: the end). Ignored when the upload already ended:
    /// replied, timed out, or failed with its connection.
    pub fn upload_chunk(&mut self, request: RequestId, chunk: Option<Vec<u8>>) {
        let Some(rid) = self.uploads.get(&request).map(|(rid, _)| rid.clone()) else {
            return;
        };
        if self.in_flight.get(&rid).is_none() {
            self.uploads.remove(&request);
            return;
        }
        let part = match chunk {
            Some(data) => envelope("stream", Some(to_any(&crate::pb::Stream { data }))),
            None => {
                self.uploads.remove(&request);
                envelope("endstream", Some(empty_any("EndStream")))
            }
        };
        let more = part.command == "stream";
        self.send(Envelope { rid, ..part }, None);
        if more {
            self.out(Output::UploadWanted { request });
        }
    }

    /// Ends an upload whose data could not be read: the request fails with `message` and no
    /// more of its stream is sent.
    pub fn abort_upload(&mut self, request: RequestId, message: &str) {
        if let Some((rid, _)) = self.uploads.remove(&request) {
            if self.in_flight.remove(&rid).is_some() {
                self.reply_err(request, ErrorKind::InvalidArgument, message);
            }
        }
    }

    /// The shell held back the chunk [`Output::UploadWanted`] asked for (the socket has too
    /// much unsent): it is asked for again [`UPLOAD_RECHECK_MS`] later.
    pub fn upload_later(&mut self, now: u64, request: RequestId) {
        if let Some((_, retry)) = self.uploads.get_mut(&request) {
            *retry = Some(now + UPLOAD_RECHECK_MS);
        }
    }

    /// Uploads with an open stream (for leak checks).
    pub fn open_uploads(&self) -> usize {
        self.uploads.len()
    }
}
