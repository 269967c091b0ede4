//! Command-line options and their defaults.

/// Everything the server can be configured with. `Config::default()` is what the binary runs with
/// when given no options.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address of the WebSocket port (`/ws/v2`, `/openiap.FlowService/SetupStream`, `GET /`, `GET /config`).
    pub listen: String,
    /// Address of the HTTP control endpoint.
    pub control: String,
    /// Users accepted by username/password sign-in.
    pub users: Vec<(String, String)>,
    /// Static tokens accepted by JWT sign-in: (token, username).
    pub jwts: Vec<(String, String)>,
    /// Interval of server `ping`s (ms).
    pub ping_interval_ms: u64,
    /// A socket with no inbound envelope for this long is closed (ms), while pings are on.
    pub idle_timeout_ms: u64,
    /// Lifetime of the session tokens this server issues (ms).
    pub token_lifetime_ms: u64,
    /// Commands per second per connection; 0 = no limit.
    pub rate_limit: u32,
    /// HTTP requests per second per remote IP on the WebSocket port (`POST /api/v2` and the
    /// rest), as OpenFlow's `api_rate_limit_points`; 0 = no limit.
    pub api_rate_limit: u32,
    /// Largest envelope accepted from a client (bytes).
    pub max_frame_bytes: usize,
    /// Prefix of generated queue names.
    pub queue_prefix: String,
    /// Messages kept for a named queue that has no consumer (oldest dropped beyond this).
    pub pending_limit: usize,
    /// Expiration of a queue message sent with `expiration` 0 (ms).
    pub default_expiration_ms: u64,
    /// Send every `openiap` frame as two WebSocket messages (length, then envelope), as OpenFlow
    /// does. When false, each frame is one message.
    pub two_part_frames: bool,
    /// Send a `ping` right at connect, before sign-in, as OpenFlow does. When false, the first
    /// ping comes one interval after connect.
    pub connect_ping: bool,
    /// Push a `refreshtoken` before a session token expires, as OpenFlow does.
    pub refresh_tokens: bool,
    /// Browser origins allowed on the control port (`--allow-origin`; `scheme://host:*` = any
    /// port). Empty by default: no web page can use it.
    pub allow_origins: Vec<String>,
    /// No logging to stderr.
    pub quiet: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:0".into(),
            control: "127.0.0.1:0".into(),
            users: vec![
                ("testuser".into(), "testpass".into()),
                ("otheruser".into(), "otherpass".into()),
            ],
            jwts: vec![],
            ping_interval_ms: 10_000,
            idle_timeout_ms: 60_000,
            token_lifetime_ms: 300_000,
            rate_limit: 0,
            api_rate_limit: 20,
            max_frame_bytes: 16 * 1024 * 1024,
            queue_prefix: "unknown.".into(),
            pending_limit: 1000,
            default_expiration_ms: 60_000,
            two_part_frames: true,
            connect_ping: true,
            refresh_tokens: true,
            allow_origins: vec![],
            quiet: false,
        }
    }
}

/// Text of `--help`.
pub const HELP: &str = "\
openiap-testserver: an OpenIAP (OpenFlow) test server with fault injection.

Prints one line to stdout once listening, then logs to stderr:
  LISTENING ws=ws://HOST:PORT control=http://HOST:CPORT

WebSocket port:
  /ws/v2                            openiap framing (u32 LE length + Envelope)
  /openiap.FlowService/SetupStream  gRPC-web over WebSocket (subprotocol grpc-websockets)
  GET /                             200 \"openiap-testserver\"
  GET /config                       200 small JSON config (as OpenFlow's /config)
  POST /api/v2                      one envelope as JSON in, one out (OpenFlow's HTTP transport:
                                    Authorization: Bearer JWT, data as Buffer JSON or JSON text;
                                    HTTP 200 for errors too, 500 for a body that is not JSON,
                                    429 over --api-rate-limit; CORS for any origin)

Options:
  --listen ADDR             WebSocket address [default: 127.0.0.1:0 = free port]
  --control ADDR            HTTP control address [default: 127.0.0.1:0 = free port]
  --user NAME:PASSWORD      accepted user, repeatable [default: testuser:testpass and
                            otheruser:otherpass, a second user for per-call JWT tests]
                            (giving --user replaces both default users)
  --jwt TOKEN=USERNAME      static token accepted by jwt sign-in, repeatable
  --ping-interval-ms N      server ping interval [default: 10000]
  --idle-timeout-ms N       close sockets silent for N ms [default: 60000]
  --token-lifetime-ms N     session token lifetime; refreshtoken is sent 60 s before expiry,
                            or at half-life when the lifetime is under 120 s [default: 300000,
                            OpenFlow's 5 minutes]
  --token-lifetime-s N      the same in seconds
  --rate-limit N            commands per second per connection, 0 = off [default: 0]
  --api-rate-limit N        HTTP requests per second per remote IP on the WebSocket port
                            (POST /api/v2, GET /, ...; X-Forwarded-For counts as the IP), over
                            it HTTP 429 as OpenFlow; 0 = off [default: 20, OpenFlow's]
  --max-frame-bytes N       largest envelope accepted [default: 16777216]
  --queue-prefix P          prefix of generated queue names [default: unknown.]
  --pending-limit N         messages kept per named queue without consumer [default: 1000]
  --default-expiration-ms N expiration of messages sent with expiration 0 [default: 60000]

OpenFlow's wire habits (all on by default; each flag turns one off):
  --one-message-frames      send each frame as one WebSocket message (OpenFlow sends the
                            length and the envelope as two messages)
  --no-connect-ping         no ping right at connect (OpenFlow pings every new socket before
                            sign-in); the first ping comes one interval later
  --no-refreshtoken         never push refreshtoken by itself (OpenFlow does once a session
                            token expires in under 60 s); /refreshtoken still works
  Error texts are OpenFlow's, e.g. \"Not signed in, and missing jwt\", \"Discard C due to
  missing jwt, and respond with error, for client at IP AGENT VERSION\" (bad Envelope.jwt:
  that request fails, the socket stays signed in), \"no such type: openiap.C\" (unknown
  command), \"Rate limit exceeded consumedPoints: N\".

Control port (for local testing only: it can stop the server and shows its log):
  --allow-origin ORIGIN     a web page of ORIGIN (e.g. http://127.0.0.1:8080) may use the control
                            port, repeatable; http://127.0.0.1:* allows every port of that host.
                            By default no page may: requests with another Origin, cross-site
                            browser requests and a Host that is a DNS name other than localhost
                            get 403. Requests without Origin (curl, tests) are served.

Other options:
  --quiet                   no logs on stderr
  -h, --help                this text

Control endpoint (GET or POST; JSON or text replies; CORS only for --allow-origin):
  /drop                     close every socket abruptly
  /down?ms=N                stop listening and drop every socket; listen again on the same
                            port after N ms
  /stall?ms=N               half-open link: sockets stay open, nothing is read or sent
                            (0 = until /heal)
  /heal                     clear stall, delay, split, coalesce and held replies
  /delay?ms=N               delay every frame the server sends by N ms (0 = off)
  /delay-reply?command=C&ms=N[&count=K]  hold back the answer (reply or error) to the next K
                            [default: 1] envelopes of command C by N ms [default: 1000]; the
                            command takes effect at once (a registerqueue's consumer exists,
                            a query reads the collection as it is now)
  /split?count=N&chunk=B    send the next N envelopes in WebSocket messages of B bytes
  /coalesce?count=N         send the next N envelopes (on one socket) in one message
  /api-garbage?kind=K[&count=N]  the next N [default: 1] replies of POST /api/v2 are malformed:
                            notjson (200, an HTML page), truncated (200, half the JSON),
                            cut (the connection closes inside the body), notenvelope (200,
                            JSON that is not an envelope), 500 (an error page with a stack)
  /api-rate-limit?n=N       POST /api/v2 (and the port's other HTTP routes) allow N requests
                            per second per IP from now on (0 = no limit) [default: the
                            --api-rate-limit value again]
  /garbage[?kind=decode|length]  send a malformed frame to every socket (undecodable
                            envelope, or a 4 GiB length prefix)
  /unknown[?command=C]      send an envelope with an unknown command to every socket
  /refuse-signin?count=N    refuse the next N sign-ins (\"Unknown username or password\")
  /refreshtoken[?expire_old=1]  send a refreshtoken now to every signed-in socket (expire_old:
                            first expire every token issued so far)
  /jwt?user=NAME[&ms=N]     mint a token for user NAME [default: the first --user], valid for
                            N ms [default: --token-lifetime-ms; 0 = already expired]: JSON
                            {\"jwt\", \"username\"}; use it as Envelope.jwt or to sign in
  /log[?command=C]          JSON array of received envelopes {conn, seq, id, rid, command}
  /stats                    JSON: connections, signins, queues, exchanges, watches (per
                            collection), closes
  /reset                    clear the log, the close list and all faults

Built-in fake OpenRPA robot (for invoke_openrpa): queue \"testrobot\", always there, consumes
every message sent to it and answers to its replyto with its correlation id:
  {\"command\":\"invoke\",\"workflowid\":W,\"data\":P}  ->  {\"command\":\"invokesuccess\"} then
                            {\"command\":\"invokecompleted\",\"data\":P}
  W = \"fail\"                invokesuccess, then {\"command\":\"invokefailed\",\"data\":\"workflow failed\"}
  W = \"idle\"                only {\"command\":\"invokeidle\"} (to test a client's timeout)
";

fn num<T: std::str::FromStr>(opt: &str, v: Option<String>) -> Result<T, String> {
    let v = v.ok_or_else(|| format!("{opt} needs a value"))?;
    v.parse()
        .map_err(|_| format!("{opt}: invalid number '{v}'"))
}

/// What the command line asks for.
#[derive(Debug)]
// Made once at startup: boxing the Config would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Parsed {
    /// Run with this configuration.
    Run(Config),
    /// Print [`HELP`] and exit.
    Help,
}

impl Config {
    /// Parses command-line arguments (without the program name).
    pub fn from_args<I: IntoIterator<Item = String>>(args: I) -> Result<Parsed, String> {
        let mut c = Config::default();
        let mut users_given = false;
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
                _ => (arg.clone(), None),
            };
            let mut val = || inline.clone().or_else(|| it.next());
            match name.as_str() {
                "-h" | "--help" => return Ok(Parsed::Help),
                "--listen" => c.listen = val().ok_or("--listen needs a value")?,
                "--control" => c.control = val().ok_or("--control needs a value")?,
                "--user" => {
                    let v = val().ok_or("--user needs NAME:PASSWORD")?;
                    let (u, p) = v.split_once(':').ok_or("--user needs NAME:PASSWORD")?;
                    if !users_given {
                        c.users.clear();
                        users_given = true;
                    }
                    c.users.push((u.to_string(), p.to_string()));
                }
                "--jwt" => {
                    let v = val().ok_or("--jwt needs TOKEN=USERNAME")?;
                    let (t, u) = v.rsplit_once('=').ok_or("--jwt needs TOKEN=USERNAME")?;
                    c.jwts.push((t.to_string(), u.to_string()));
                }
                "--ping-interval-ms" => c.ping_interval_ms = num(&name, val())?,
                "--idle-timeout-ms" => c.idle_timeout_ms = num(&name, val())?,
                "--token-lifetime-ms" => c.token_lifetime_ms = num(&name, val())?,
                "--rate-limit" => c.rate_limit = num(&name, val())?,
                "--api-rate-limit" => c.api_rate_limit = num(&name, val())?,
                "--max-frame-bytes" => c.max_frame_bytes = num(&name, val())?,
                "--queue-prefix" => c.queue_prefix = val().ok_or("--queue-prefix needs a value")?,
                "--pending-limit" => c.pending_limit = num(&name, val())?,
                "--default-expiration-ms" => c.default_expiration_ms = num(&name, val())?,
                "--token-lifetime-s" => {
                    c.token_lifetime_ms = num::<u64>(&name, val())?.saturating_mul(1000)
                }
                "--one-message-frames" => c.two_part_frames = false,
                "--no-connect-ping" => c.connect_ping = false,
                "--no-refreshtoken" => c.refresh_tokens = false,
                "--allow-origin" => c
                    .allow_origins
                    .push(val().ok_or("--allow-origin needs an origin")?),
                "--quiet" => c.quiet = true,
                other => return Err(format!("unknown option '{other}' (see --help)")),
            }
        }
        Ok(Parsed::Run(c))
    }

    /// When to send `refreshtoken` after a token is issued (ms).
    pub fn refresh_after_ms(&self) -> u64 {
        if self.token_lifetime_ms < 120_000 {
            self.token_lifetime_ms / 2
        } else {
            self.token_lifetime_ms - 60_000
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn parse(a: &[&str]) -> Config {
        match Config::from_args(a.iter().map(|s| s.to_string())).unwrap() {
            Parsed::Run(c) => c,
            Parsed::Help => panic!(),
        }
    }
    #[test]
    fn options_parse() {
        let c = parse(&[
            "--user",
            "a:b",
            "--user=c:d:e",
            "--rate-limit",
            "30",
            "--jwt",
            "t.o.k=bob",
        ]);
        assert_eq!(
            c.users,
            vec![("a".into(), "b".into()), ("c".into(), "d:e".into())]
        );
        assert_eq!(c.rate_limit, 30);
        assert_eq!(c.jwts, vec![("t.o.k".into(), "bob".into())]);
        assert!(matches!(
            Config::from_args(["--help".to_string()]),
            Ok(Parsed::Help)
        ));
        assert!(Config::from_args(["--nope".to_string()]).is_err());
        assert_eq!(parse(&[]).refresh_after_ms(), 240_000);
        assert_eq!(
            parse(&["--token-lifetime-s", "90"]).token_lifetime_ms,
            90_000
        );
        let off = parse(&[
            "--no-connect-ping",
            "--no-refreshtoken",
            "--one-message-frames",
        ]);
        assert!(!off.connect_ping && !off.refresh_tokens && !off.two_part_frames);
        assert_eq!(parse(&[]).users.len(), 2);
        assert!(HELP.contains(&format!("queue \"{}\"", crate::ROBOT_QUEUE)));
        assert_eq!(
            parse(&["--token-lifetime-ms", "1000"]).refresh_after_ms(),
            500
        );
    }
}
