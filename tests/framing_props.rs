//! Property tests of both stream framings: any chunking of a framed stream yields the same
//! envelopes, arbitrary bytes never panic a deframer, and our `openiap` frames carry envelopes
//! the official `openiap-proto` crate reads.
#![cfg(not(target_arch = "wasm32"))]

use openiap_wasm::pb::google::protobuf::Any;
use openiap_wasm::pb::Envelope;
use openiap_wasm::protocol::error::FrameError;
use openiap_wasm::protocol::framing::{grpc_web, openiap as frame};
use proptest::prelude::*;
use prost::Message;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..10).prop_map(String::from_iter)
}

fn envelope() -> impl Strategy<Value = Envelope> {
    let data = proptest::option::of(
        (text(), proptest::collection::vec(any::<u8>(), 0..64))
            .prop_map(|(type_url, value)| Any { type_url, value }),
    );
    (
        (text(), any::<i32>(), any::<i32>(), text(), text()),
        (data, text(), text(), text()),
        // Many real envelopes are tiny: sometimes leave everything but `command` empty.
        any::<bool>(),
    )
        .prop_map(
            |((command, priority, seq, id, rid), (data, jwt, traceid, spanid), tiny)| {
                if tiny {
                    Envelope {
                        command,
                        ..Default::default()
                    }
                } else {
                    Envelope {
                        command,
                        priority,
                        seq,
                        id,
                        rid,
                        data,
                        jwt,
                        traceid,
                        spanid,
                    }
                }
            },
        )
}

/// How to cut a stream into WebSocket messages.
#[derive(Debug, Clone)]
enum Chunking {
    /// One message holding everything (many envelopes coalesced).
    Whole,
    /// One byte per message.
    Bytes,
    /// Messages of these sizes, cycled (sizes >= 1).
    Sizes(Vec<usize>),
}

fn chunking() -> impl Strategy<Value = Chunking> {
    prop_oneof![
        1 => Just(Chunking::Whole),
        1 => Just(Chunking::Bytes),
        4 => proptest::collection::vec(1usize..40, 1..8).prop_map(Chunking::Sizes),
    ]
}

fn chunks<'a>(stream: &'a [u8], how: &Chunking) -> Vec<&'a [u8]> {
    match how {
        Chunking::Whole => vec![stream],
        Chunking::Bytes => stream.chunks(1).collect(),
        Chunking::Sizes(sizes) => {
            let mut out = Vec::new();
            let mut rest = stream;
            let mut i = 0;
            while !rest.is_empty() {
                let n = sizes[i % sizes.len()].min(rest.len());
                out.push(&rest[..n]);
                rest = &rest[n..];
                i += 1;
            }
            out
        }
    }
}

/// Envelopes a deframer yields: both framings skip empty payloads (an all-default envelope).
fn non_empty(envs: &[Envelope]) -> Vec<Envelope> {
    envs.iter()
        .filter(|e| e.encoded_len() > 0)
        .cloned()
        .collect()
}

/// Feeds chunks to the `openiap` deframer, draining after every chunk.
fn deframe_openiap(d: &mut frame::Deframer, parts: &[&[u8]]) -> Result<Vec<Envelope>, FrameError> {
    let mut got = Vec::new();
    for part in parts {
        d.push(part);
        while let Some(env) = d.next_envelope()? {
            got.push(env);
        }
    }
    Ok(got)
}

/// Feeds chunks to the gRPC-web deframer; returns the envelopes and the error that ended it.
fn deframe_grpc_web(
    d: &mut grpc_web::Deframer,
    parts: &[&[u8]],
) -> (Vec<Envelope>, Option<FrameError>) {
    let mut got = Vec::new();
    for part in parts {
        d.push(part);
        loop {
            match d.next_envelope() {
                Ok(Some(env)) => got.push(env),
                Ok(None) => break,
                Err(e) => return (got, Some(e)),
            }
        }
    }
    (got, None)
}

/// The two deframers, for the one garbage driver below.
trait Deframe {
    fn push(&mut self, bytes: &[u8]);
    fn next(&mut self) -> Result<Option<Envelope>, FrameError>;
}

impl Deframe for frame::Deframer {
    fn push(&mut self, bytes: &[u8]) {
        frame::Deframer::push(self, bytes)
    }
    fn next(&mut self) -> Result<Option<Envelope>, FrameError> {
        self.next_envelope()
    }
}

impl Deframe for grpc_web::Deframer {
    fn push(&mut self, bytes: &[u8]) {
        grpc_web::Deframer::push(self, bytes)
    }
    fn next(&mut self) -> Result<Option<Envelope>, FrameError> {
        self.next_envelope()
    }
}

/// Drives a deframer over arbitrary input until it reports `Ok(None)` or an error, and keeps
/// calling it after an error (it must stay failed, not panic or loop).
fn drain_garbage(d: &mut impl Deframe, parts: &[&[u8]]) {
    for part in parts {
        d.push(part);
        for _ in 0..part.len() + 2 {
            match d.next() {
                Ok(Some(_)) => continue,
                Ok(None) => break,
                Err(_) => {
                    assert!(d.next().is_err(), "a failed stream stays failed");
                    break;
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn openiap_any_chunking_gives_the_same_envelopes(
        envs in proptest::collection::vec(envelope(), 0..24),
        zero_frames in proptest::collection::vec(any::<bool>(), 0..24),
        how in chunking(),
    ) {
        let mut stream = Vec::new();
        for (i, env) in envs.iter().enumerate() {
            if zero_frames.get(i).copied().unwrap_or(false) {
                stream.extend_from_slice(&[0, 0, 0, 0]); // skipped by the deframer
            }
            stream.extend(frame::encode(env));
        }
        let mut d = frame::Deframer::default();
        let got = deframe_openiap(&mut d, &chunks(&stream, &how)).expect("valid stream");
        prop_assert_eq!(got, non_empty(&envs));
        prop_assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn openiap_truncated_stream_waits_for_more(
        envs in proptest::collection::vec(envelope(), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let stream: Vec<u8> = envs.iter().flat_map(frame::encode).collect();
        let cut = cut.index(stream.len());
        let mut d = frame::Deframer::default();
        let first = deframe_openiap(&mut d, &[&stream[..cut]]).expect("valid prefix");
        let rest = deframe_openiap(&mut d, &[&stream[cut..]]).expect("valid rest");
        let all: Vec<_> = first.into_iter().chain(rest).collect();
        prop_assert_eq!(all, non_empty(&envs));
    }

    #[test]
    fn grpc_web_any_chunking_gives_the_same_envelopes(
        envs in proptest::collection::vec(envelope(), 0..24),
        extras in proptest::collection::vec(0u8..4, 0..24),
        headers in any::<bool>(),
        status in prop_oneof![3 => Just(0u32), 1 => 1u32..17],
        how in chunking(),
    ) {
        let mut stream = Vec::new();
        if headers {
            stream.extend(grpc_web::encode_metadata_frame(&[
                ("content-type", "application/grpc-web+proto"),
                ("x-custom", "v"),
            ]));
        }
        for (i, env) in envs.iter().enumerate() {
            match extras.get(i).copied().unwrap_or(0) {
                1 => stream.extend_from_slice(&[0, 0, 0, 0, 0]), // empty data frame: skipped
                2 => stream.extend(grpc_web::encode_metadata_frame(&[("x-note", "mid-stream")])),
                _ => {}
            }
            stream.extend(grpc_web::encode_frame(env));
        }
        let status_text = status.to_string();
        let mut trailer = vec![("grpc-status", status_text.as_str())];
        if status != 0 {
            trailer.push(("grpc-message", "went%20wrong"));
        }
        stream.extend(grpc_web::encode_metadata_frame(&trailer));

        let mut d = grpc_web::Deframer::default();
        let (got, end) = deframe_grpc_web(&mut d, &chunks(&stream, &how));
        prop_assert_eq!(got, non_empty(&envs));
        let want = if status == 0 {
            FrameError::EndOfStream
        } else {
            FrameError::GrpcStatus { code: status, message: "went wrong".into() }
        };
        prop_assert_eq!(end, Some(want));
    }

    #[test]
    fn grpc_web_client_messages_carry_frames(env in envelope()) {
        let msg = grpc_web::encode_client_message(&env);
        match grpc_web::parse_client_message(false, &msg) {
            Ok(grpc_web::ClientMessage::Data(rest)) => {
                let frame = grpc_web::encode_frame(&env);
                prop_assert_eq!(rest, frame.as_slice());
                let mut d = grpc_web::Deframer::default();
                let (got, end) = deframe_grpc_web(&mut d, &[rest]);
                prop_assert_eq!(got, non_empty(&[env]));
                prop_assert_eq!(end, None);
            }
            other => prop_assert!(false, "unexpected {:?}", other),
        }
    }

    #[test]
    fn garbage_never_panics_either_deframer(
        prefix_envs in proptest::collection::vec(envelope(), 0..3),
        garbage in proptest::collection::vec(any::<u8>(), 0..512),
        how in chunking(),
        small_max in any::<bool>(),
    ) {
        let max = if small_max { 32 } else { frame::DEFAULT_MAX_FRAME_LEN };

        let mut stream: Vec<u8> = prefix_envs.iter().flat_map(frame::encode).collect();
        stream.extend_from_slice(&garbage);
        drain_garbage(&mut frame::Deframer::new(max), &chunks(&stream, &how));
        drain_garbage(&mut frame::Deframer::new(max), &chunks(&garbage, &how));

        let mut stream: Vec<u8> = prefix_envs.iter().flat_map(grpc_web::encode_frame).collect();
        stream.extend_from_slice(&garbage);
        drain_garbage(&mut grpc_web::Deframer::new(max), &chunks(&stream, &how));
        drain_garbage(&mut grpc_web::Deframer::new(max), &chunks(&garbage, &how));
    }

    #[test]
    fn garbage_ends_in_none_or_a_typed_error(garbage in proptest::collection::vec(any::<u8>(), 0..256)) {
        // Whole input at once: the last call is Ok(None) (waiting for more) or an error.
        let mut d = frame::Deframer::default();
        d.push(&garbage);
        let mut n = 0;
        let end = loop {
            match d.next_envelope() {
                Ok(Some(_)) => n += 1,
                other => break other,
            }
            prop_assert!(n <= garbage.len(), "more envelopes than bytes");
        };
        match end {
            Ok(None)
            | Err(FrameError::TooLarge { .. })
            | Err(FrameError::Decode(_))
            | Err(FrameError::Malformed(_)) => {}
            Ok(Some(_)) => unreachable!(),
            Err(e) => prop_assert!(false, "unexpected openiap error {:?}", e),
        }

        let mut d = grpc_web::Deframer::default();
        d.push(&garbage);
        let mut n = 0;
        let end = loop {
            match d.next_envelope() {
                Ok(Some(_)) => n += 1,
                other => break other,
            }
            prop_assert!(n <= garbage.len(), "more envelopes than bytes");
        };
        prop_assert!(matches!(end, Ok(None) | Err(_)));
    }
}

/// Our `openiap` frames as the official `openiap-proto` crate (prost 0.13) reads them.
mod official {
    use super::*;
    use prost013::Message as _;

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn official_crate_reads_our_openiap_frames(env in envelope()) {
            let bytes = frame::encode(&env);
            let len = u32::from_le_bytes(bytes[..4].try_into().unwrap()) as usize;
            prop_assert_eq!(len, bytes.len() - 4);
            let official = openiap_proto::openiap::Envelope::decode(&bytes[4..])
                .map_err(|e| TestCaseError::fail(format!("official decode: {e}")))?;
            prop_assert_eq!(&official.command, &env.command);
            prop_assert_eq!(official.priority, env.priority);
            prop_assert_eq!(official.seq, env.seq);
            prop_assert_eq!(&official.id, &env.id);
            prop_assert_eq!(&official.rid, &env.rid);
            prop_assert_eq!(&official.jwt, &env.jwt);
            prop_assert_eq!(&official.traceid, &env.traceid);
            prop_assert_eq!(&official.spanid, &env.spanid);
            prop_assert_eq!(
                official.data.as_ref().map(|a| (a.type_url.clone(), a.value.clone())),
                env.data.as_ref().map(|a| (a.type_url.clone(), a.value.clone()))
            );
            // And an official envelope, framed the openiap way, comes out of our deframer.
            let mut framed = (official.encoded_len() as u32).to_le_bytes().to_vec();
            framed.extend(official.encode_to_vec());
            prop_assert_eq!(&framed, &bytes);
            let mut d = frame::Deframer::default();
            let got = deframe_openiap(&mut d, &chunks(&framed, &Chunking::Bytes)).expect("valid");
            prop_assert_eq!(got, non_empty(&[env]));
        }
    }

    #[test]
    fn spec_example_is_read_by_the_official_crate() {
        let env = Envelope {
            command: "getelement".into(),
            id: "1".into(),
            ..Default::default()
        };
        let bytes = frame::encode(&env);
        assert_eq!(&bytes[..4], &[0x0F, 0, 0, 0]);
        let official = openiap_proto::openiap::Envelope::decode(&bytes[4..]).unwrap();
        assert_eq!(official.command, "getelement");
        assert_eq!(official.id, "1");
        assert_eq!(official.seq, 0);
    }
}
