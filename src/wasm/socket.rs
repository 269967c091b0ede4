//! A WebSocket whose handlers are removed and which is closed when dropped.

use js_sys::Uint8Array;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BinaryType, CloseEvent, WebSocket};

use crate::protocol::text::{concat, num};

#[wasm_bindgen(module = "/src/js/socket.js")]
extern "C" {
    /// Copies the body of message event `e` into `into` when it fits; returns its length.
    fn read_message(e: &JsValue, into: &mut [u8]) -> usize;
    /// Copies the body `read_message` did not fit into `into` (exactly its length).
    fn take_message(into: &mut [u8]);
}

/// The receive buffer a socket keeps between messages; a larger message gets a buffer of its
/// own, dropped after use.
const SCRATCH_LEN: usize = 64 * 1024;

/// What happened on a socket.
pub enum SocketEvent<'a> {
    /// The socket opened.
    Open,
    /// A message arrived (binary, or text as UTF-8 bytes).
    Data(&'a [u8]),
    /// The socket closed or failed.
    Closed(String),
}

// The event is borrowed: wasm-bindgen lends it for the call instead of giving it a table slot.
type Handler = Closure<dyn FnMut(&JsValue)>;

/// An open (or opening) WebSocket with its four handlers.
pub struct Socket {
    ws: WebSocket,
    _handlers: [Handler; 4],
}

impl Socket {
    /// Opens `url` with `protocols`; `on_event` receives everything that happens on it.
    pub fn open(
        url: &str,
        protocols: &[&str],
        on_event: impl Fn(SocketEvent<'_>) + Clone + 'static,
    ) -> Result<Socket, JsValue> {
        let ws = if protocols.is_empty() {
            WebSocket::new(url)?
        } else {
            let list = js_sys::Array::new();
            for p in protocols {
                list.push(&JsValue::from_str(p));
            }
            WebSocket::new_with_str_sequence(url, &list)?
        };
        ws.set_binary_type(BinaryType::Arraybuffer);
        let handler = |f: Box<dyn FnMut(&JsValue)>| Closure::wrap(f);
        let cb = on_event.clone();
        let on_open = handler(Box::new(move |_| cb(SocketEvent::Open)));
        let cb = on_event.clone();
        // One crossing per message, into a buffer reused from message to message.
        let mut scratch = Vec::new();
        let on_message = handler(Box::new(move |e: &JsValue| {
            if scratch.is_empty() {
                scratch = vec![0; SCRATCH_LEN];
            }
            let n = read_message(e, &mut scratch);
            if n <= scratch.len() {
                cb(SocketEvent::Data(&scratch[..n]));
            } else {
                let mut body = vec![0; n];
                take_message(&mut body);
                cb(SocketEvent::Data(&body));
            }
        }));
        let cb = on_event.clone();
        let on_close = handler(Box::new(move |e: &JsValue| {
            let reason = match e.dyn_ref::<CloseEvent>() {
                Some(c) if !c.reason().is_empty() => concat(&[
                    "socket closed (",
                    &num(c.code().into()),
                    ": ",
                    &c.reason(),
                    ")",
                ]),
                Some(c) => concat(&["socket closed (", &num(c.code().into()), ")"]),
                None => "socket closed".to_string(),
            };
            cb(SocketEvent::Closed(reason));
        }));
        // Node 20 fires `error` but never `close` for a failed attempt: treat error as the end.
        let cb = on_event;
        let on_error = handler(Box::new(move |_e: &JsValue| {
            cb(SocketEvent::Closed("socket error".into()))
        }));
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Socket {
            ws,
            _handlers: [on_open, on_message, on_close, on_error],
        })
    }

    /// Sends one binary message (a JS-owned copy: some runtimes read the buffer later).
    pub fn send(&self, bytes: &[u8]) {
        let copy = Uint8Array::from(bytes);
        let _ = self.ws.send_with_array_buffer(&copy.buffer());
    }

    /// Bytes sent but not yet written to the network (0 where a runtime does not tell).
    #[cfg(feature = "data")]
    pub fn buffered(&self) -> u32 {
        self.ws.buffered_amount()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        let _ = self.ws.close();
    }
}
