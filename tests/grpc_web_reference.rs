//! gRPC-web bytes of an implementation we did not write: `@improbable-eng/grpc-web` 0.15.0, the
//! gRPC-web client whose WebSocket transport our `grpc-web` framing follows, checked against our
//! encoder and deframer (`src/protocol/framing/grpc_web.rs`).
//!
//! How the constants were produced: `tests/runtimes/grpcweb/fixed-bytes.mjs` runs the reference's
//! `grpc.client` with `grpc.WebsocketTransport()` (Node 20, `--experimental-websocket`) against a
//! scripted WebSocket server on 127.0.0.1, with envelopes that protobufjs encodes from `proto/`.
//! - `REF_CLIENT_*`: what the reference sent (header frame, one message each, end of stream).
//! - `REF_SERVER_*`: the reference is a client and writes no server frames; these are built from
//!   the gRPC-web spec in that script and are known-good because the reference, fed them, read
//!   the message, status and text the tests below expect.
//!
//! `bash tests/runtimes/run.sh grpcweb` runs the script again and fails if a constant here is not
//! what the reference produces; run the script without arguments to print them.
#![cfg(not(target_arch = "wasm32"))]

use openiap_wasm::pb::{Envelope, QueueMessageRequest, SigninRequest};
use openiap_wasm::protocol::envelope::to_any;
use openiap_wasm::protocol::error::FrameError;
use openiap_wasm::protocol::framing::grpc_web::{self, ClientMessage, Deframer};

const REF_CLIENT_HEADERS: &str = "\
    636f6e74656e742d747970653a206170706c69636174696f6e2f677270632d7765622b70726f746f0d0a782d\
    677270632d7765623a20310d0a";
const REF_CLIENT_GETELEMENT: &str = "00000000000f0a0a676574656c656d656e74220131";
const REF_CLIENT_SIGNIN: &str = "\
    00000000005d0a067369676e696e1801220132324e0a29747970652e676f6f676c65617069732e636f6d2f6f\
    70656e6961702e5369676e696e5265717565737412210a087465737475736572120874657374706173732001\
    32097265666572656e6365";
const REF_CLIENT_QUEUEMESSAGE: &str = "\
    0000000001890a0c71756575656d657373616765180222013332f3020a2f747970652e676f6f676c65617069\
    732e636f6d2f6f70656e6961702e51756575654d6573736167655265717565737412bf020a017132b7027b22\
    74657874223a2278787878787878787878787878787878787878787878787878787878787878787878787878\
    7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878\
    7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878\
    7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878\
    7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878\
    7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878\
    7878787878787878787878787878787878787878787878787878787878787878787878787878787878787822\
    7d3801";
const REF_CLIENT_END: &str = "01";
const REF_SERVER_OK_STREAM: &str = "\
    800000002a636f6e74656e742d747970653a206170706c69636174696f6e2f677270632d7765622b70726f74\
    6f0d0a00000000130a0a676574656c656d656e74220273312a01318000000010677270632d7374617475733a\
    20300d0a";
const REF_SERVER_ERROR_STREAM: &str = "\
    800000002a636f6e74656e742d747970653a206170706c69636174696f6e2f677270632d7765622b70726f74\
    6f0d0a800000003b477270632d5374617475733a2031360d0a677270632d6d6573736167653a206e6f742532\
    307369676e6564253230696e2532302543332541360d0a";

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The envelopes `fixed-bytes.mjs` gave the reference, built with prost.
fn client_envelopes() -> [(&'static str, Envelope); 3] {
    let getelement = Envelope {
        command: "getelement".into(),
        id: "1".into(),
        ..Default::default()
    };
    let signin = Envelope {
        command: "signin".into(),
        id: "2".into(),
        seq: 1,
        data: Some(to_any(&SigninRequest {
            username: "testuser".into(),
            password: "testpass".into(),
            agent: "reference".into(),
            ping: true,
            ..Default::default()
        })),
        ..Default::default()
    };
    let queuemessage = Envelope {
        command: "queuemessage".into(),
        id: "3".into(),
        seq: 2,
        data: Some(to_any(&QueueMessageRequest {
            queuename: "q".into(),
            data: format!("{{\"text\":\"{}\"}}", "x".repeat(300)),
            striptoken: true,
            ..Default::default()
        })),
        ..Default::default()
    };
    [
        (REF_CLIENT_GETELEMENT, getelement),
        (REF_CLIENT_SIGNIN, signin),
        (REF_CLIENT_QUEUEMESSAGE, queuemessage),
    ]
}

/// Every envelope of `stream` and how it ended, fed to our deframer `chunk` bytes at a time.
fn read_server_stream(stream: &[u8], chunk: usize) -> (Vec<Envelope>, FrameError) {
    let mut d = Deframer::default();
    let mut envelopes = vec![];
    for piece in stream.chunks(chunk) {
        d.push(piece);
        loop {
            match d.next_envelope() {
                Ok(Some(e)) => envelopes.push(e),
                Ok(None) => break,
                Err(e) => return (envelopes, e),
            }
        }
    }
    panic!("the stream did not end (chunks of {chunk})");
}

#[test]
fn header_frame_is_the_references_plus_our_user_agent() {
    // The reference sends content-type and x-grpc-web; we send the same lines and one more.
    let ours = grpc_web::request_headers();
    let reference = unhex(REF_CLIENT_HEADERS);
    assert_eq!(
        String::from_utf8(ours[reference.len()..].to_vec()).unwrap(),
        "x-user-agent: openiap-wasm\r\n",
        "our header frame: {:?}",
        String::from_utf8_lossy(&ours)
    );
    assert_eq!(ours[..reference.len()], reference[..]);
    // The server side reads the reference's header frame as headers.
    let Ok(ClientMessage::Headers(lines)) = grpc_web::parse_client_message(true, &reference) else {
        panic!("not read as headers")
    };
    assert_eq!(
        lines,
        [
            ("content-type".into(), "application/grpc-web+proto".into()),
            ("x-grpc-web".into(), "1".into())
        ]
    );
}

#[test]
fn message_frames_are_the_references_byte_for_byte() {
    for (reference, envelope) in client_envelopes() {
        let reference = unhex(reference);
        assert_eq!(
            grpc_web::encode_client_message(&envelope),
            reference,
            "{}",
            envelope.command
        );
        // Our server-side reader gives back the same envelope from the reference's bytes.
        let Ok(ClientMessage::Data(frame)) = grpc_web::parse_client_message(false, &reference)
        else {
            panic!("not read as data")
        };
        let mut d = Deframer::default();
        d.push(frame);
        assert_eq!(d.next_envelope().unwrap(), Some(envelope));
    }
}

#[test]
fn end_of_stream_is_the_references() {
    assert_eq!(
        grpc_web::END_OF_CLIENT_STREAM[..],
        unhex(REF_CLIENT_END)[..]
    );
    assert_eq!(
        grpc_web::parse_client_message(false, &unhex(REF_CLIENT_END)),
        Ok(ClientMessage::EndOfStream)
    );
}

#[test]
fn a_stream_the_reference_reads_as_status_0_reads_the_same_in_any_chunking() {
    // Header frame, one message, trailer `grpc-status: 0`: the reference reported the message
    // and status OK.
    let stream = unhex(REF_SERVER_OK_STREAM);
    for chunk in 1..=stream.len() {
        let (envelopes, end) = read_server_stream(&stream, chunk);
        let ids: Vec<_> = envelopes
            .iter()
            .map(|e| (e.command.as_str(), e.id.as_str(), e.rid.as_str()))
            .collect();
        assert_eq!(ids, [("getelement", "s1", "1")], "chunks of {chunk}");
        assert_eq!(end, FrameError::EndOfStream, "chunks of {chunk}");
    }
}

#[test]
fn an_error_trailer_reads_as_the_reference_reads_it() {
    // `Grpc-Status: 16` (mixed case) and a percent-encoded UTF-8 `grpc-message`: the reference
    // reported status 16, "not signed in æ".
    let stream = unhex(REF_SERVER_ERROR_STREAM);
    for chunk in [1, 5, 7, stream.len()] {
        let (envelopes, end) = read_server_stream(&stream, chunk);
        assert!(envelopes.is_empty());
        assert_eq!(
            end,
            FrameError::GrpcStatus {
                code: 16,
                message: "not signed in æ".into()
            },
            "chunks of {chunk}"
        );
    }
}
