//! The `openiap-testserver` binary: `--help`, and the first stdout line.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_openiap-testserver");

#[test]
fn help_documents_every_option_and_endpoint() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for opt in [
        "--listen",
        "--control",
        "--user",
        "--jwt",
        "--ping-interval-ms",
        "--idle-timeout-ms",
        "--token-lifetime-ms",
        "--rate-limit",
        "--max-frame-bytes",
        "--queue-prefix",
        "--pending-limit",
        "--default-expiration-ms",
        "--token-lifetime-s",
        "--one-message-frames",
        "--no-connect-ping",
        "--no-refreshtoken",
        "--allow-origin",
        "--quiet",
        "--help",
        "/drop",
        "/down",
        "/stall",
        "/heal",
        "/delay",
        "/split",
        "/coalesce",
        "/garbage",
        "/unknown",
        "/refuse-signin",
        "/refreshtoken",
        "/jwt",
        "/log",
        "/stats",
        "/reset",
        "LISTENING ws=",
        "otheruser:otherpass",
        "\"testrobot\"",
        "invokecompleted",
    ] {
        assert!(help.contains(opt), "--help does not mention {opt}");
    }
    let bad = Command::new(BIN).arg("--bogus").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn first_stdout_line_is_machine_readable_and_both_ports_answer() {
    let mut child = Command::new(BIN)
        .args(["--quiet", "--user", "u:p"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let rest = line
        .trim()
        .strip_prefix("LISTENING ws=ws://127.0.0.1:")
        .expect(&line);
    let (ws_port, control) = rest.split_once(" control=http://127.0.0.1:").expect(&line);
    let ws_port: u16 = ws_port.parse().unwrap();
    let control_port: u16 = control.parse().unwrap();
    let get = |port: u16, path: &str| {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").unwrap();
        let mut r = String::new();
        s.read_to_string(&mut r).unwrap();
        r
    };
    assert!(get(ws_port, "/").ends_with("openiap-testserver"));
    assert!(get(control_port, "/stats").contains("\"connections\":0"));
    child.kill().unwrap();
    child.wait().unwrap();
}
