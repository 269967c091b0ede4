//! The one deframer core both framings share: a byte buffer that reassembles frames from WebSocket
//! messages split or coalesced in any way, checks every announced length against a cap before
//! allocating for it, and stays failed after the first error.

use std::marker::PhantomData;

use crate::protocol::error::FrameError;

/// Default cap on one envelope: 16 MiB.
pub const DEFAULT_MAX_FRAME_LEN: usize = 16 * 1024 * 1024;

/// The stream deframer of one framing: `F` names it ([`super::openiap::OpenIapFrames`],
/// [`super::grpc_web::GrpcWebFrames`]), whose module adds the methods that read its frames.
/// Push WebSocket message bodies with [`Deframer::push`], then read until `Ok(None)`. After an
/// error the stream is corrupt: close the socket.
#[derive(Debug)]
pub struct Deframer<F> {
    pub(super) reader: FrameReader,
    framing: PhantomData<F>,
}

impl<F> Default for Deframer<F> {
    fn default() -> Self {
        Deframer::new(DEFAULT_MAX_FRAME_LEN)
    }
}

impl<F> Deframer<F> {
    /// A deframer refusing frames longer than `max_len` bytes.
    pub fn new(max_len: usize) -> Self {
        Deframer {
            reader: FrameReader::new(max_len),
            framing: PhantomData,
        }
    }

    /// Appends the body of one WebSocket message.
    pub fn push(&mut self, bytes: &[u8]) {
        self.reader.push(bytes);
    }

    /// Bytes received but not yet part of a complete frame.
    pub fn buffered(&self) -> usize {
        self.reader.buffered()
    }
}

/// One frame: its header bytes and its body bytes.
pub type Frame<'a> = (&'a [u8], &'a [u8]);

/// Reassembles `[header][body]` frames from arbitrary chunks, copying no more than needed.
#[derive(Debug)]
pub struct FrameReader {
    buf: Vec<u8>,
    start: usize,
    /// Where the body of the last frame returned starts in `buf`, and its length.
    last: (usize, usize),
    max_len: usize,
    failed: bool,
}

impl FrameReader {
    /// A reader refusing frame bodies longer than `max_len` bytes.
    pub fn new(max_len: usize) -> Self {
        FrameReader {
            buf: Vec::new(),
            start: 0,
            last: (0, 0),
            max_len,
            failed: false,
        }
    }

    /// Appends the body of one WebSocket message (ignored once the stream failed).
    pub fn push(&mut self, bytes: &[u8]) {
        if self.failed {
            return;
        }
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > 0 && self.start >= self.buf.len() / 2 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes received but not yet part of a complete frame.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Memory held for the stream (for tests: an oversized length allocates nothing).
    #[cfg(test)]
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Marks the stream corrupt and frees its buffer; returns `e` for the caller to pass on.
    pub fn fail(&mut self, e: FrameError) -> FrameError {
        self.failed = true;
        self.buf = Vec::new();
        self.start = 0;
        self.last = (0, 0);
        e
    }

    /// Fails the stream because a frame's body is not an envelope.
    pub fn corrupt(&mut self) -> FrameError {
        self.fail(FrameError::Decode("invalid protobuf message".into()))
    }

    /// The body of the frame [`FrameReader::next_frame`] returned last (valid until the next
    /// `push` or `next_frame`).
    pub fn last_body(&self) -> &[u8] {
        let (at, len) = self.last;
        self.buf.get(at..at + len).unwrap_or_default()
    }

    /// The next complete frame as `(header, body)`. `body_len` reads the body's length from the
    /// `header_len` header bytes (or refuses the header); frames with an empty body are skipped
    /// when `skip_empty`. `Ok(None)`: wait for more bytes.
    pub fn next_frame(
        &mut self,
        header_len: usize,
        skip_empty: bool,
        body_len: impl Fn(&[u8]) -> Result<usize, FrameError>,
    ) -> Result<Option<Frame<'_>>, FrameError> {
        if self.failed {
            return Err(FrameError::Malformed("stream already failed".into()));
        }
        loop {
            let avail = &self.buf[self.start..];
            if avail.len() < header_len {
                return Ok(None);
            }
            let len = match body_len(&avail[..header_len]) {
                Ok(len) => len,
                Err(e) => return Err(self.fail(e)),
            };
            if len > self.max_len {
                let max = self.max_len;
                return Err(self.fail(FrameError::TooLarge { len, max }));
            }
            let total = header_len + len;
            if avail.len() < total {
                self.buf.reserve(total - avail.len());
                return Ok(None);
            }
            let at = self.start;
            self.start += total;
            self.last = (at + header_len, len);
            if !(skip_empty && len == 0) {
                return Ok(Some(self.buf[at..at + total].split_at(header_len)));
            }
        }
    }
}
