//! Command dispatch: one `match` on `Envelope.command`. To add a command, add an arm and a
//! handler returning a [`Reply`] or an error text.
//!
//! Every command that needs a user runs as the user of `Envelope.jwt` when it is set (for that
//! envelope only), else as the socket's session user (`who`).

use crate::auth::{self, NOT_SIGNED_IN};
use crate::broker::Delivery;
use crate::state::{send, ConnId, Out, Session, Shared, Tx};
use openiap_wasm::pb::google::protobuf::Any;
use openiap_wasm::pb::{
    Envelope, ErrorResponse, GetElementRequest, GetElementResponse, QueueEvent,
    QueueMessageRequest, QueueMessageResponse, RegisterExchangeRequest, RegisterExchangeResponse,
    RegisterQueueRequest, RegisterQueueResponse, SigninRequest, SigninResponse,
    UnRegisterQueueRequest, UnRegisterQueueResponse, User,
};
use openiap_wasm::protocol::envelope::{decode, to_any};
use prost::{Message, Name};
use std::time::{Duration, Instant};

/// Per-connection state owned by its reader.
pub struct ConnCtx {
    /// Connection number.
    pub id: ConnId,
    /// The client's IP address (OpenFlow's `remoteip`).
    pub remoteip: String,
    /// Agent and version from the first sign-in that named them (OpenFlow's `clientagent`,
    /// `clientversion`).
    agent: Option<String>,
    version: Option<String>,
    /// Its outbox.
    pub tx: Tx,
    /// Server pings on (and the idle timeout enforced); set by `SigninRequest.ping`.
    pub doping: bool,
    rate_window: Instant,
    rate_count: u32,
    /// Uploads waiting for their stream, by upload request id.
    uploads: std::collections::HashMap<String, crate::files::Upload>,
}

impl ConnCtx {
    /// Context of a new connection from `remoteip`.
    pub fn new(id: ConnId, tx: Tx, remoteip: String) -> Self {
        ConnCtx {
            id,
            remoteip,
            agent: None,
            version: None,
            tx,
            doping: true,
            rate_window: Instant::now(),
            rate_count: 0,
            uploads: Default::default(),
        }
    }

    /// `IP AGENT VERSION` as OpenFlow writes a client in its errors (`undefined` when unknown).
    pub fn client_at(&self) -> String {
        let undefined = || "undefined".to_string();
        format!(
            "{} {} {}",
            self.remoteip,
            self.agent.clone().unwrap_or_else(undefined),
            self.version.clone().unwrap_or_else(undefined)
        )
    }

    /// Takes agent and version from a sign-in request, if not known yet (agent `unknown` if it
    /// names none, as OpenFlow's `parseSignAgent`).
    fn sign_agent(&mut self, req: &SigninRequest) {
        if self.agent.is_none() {
            self.agent = Some(if req.agent.is_empty() {
                "unknown".into()
            } else {
                req.agent.clone()
            });
        }
        if self.version.is_none() && !req.version.is_empty() {
            self.version = Some(req.version.clone());
        }
    }
}

/// A successful reply: its command, payload, and deliveries to make after it is queued.
pub struct Reply {
    command: String,
    data: Any,
    after: Vec<Delivery>,
    /// Queue whose waiting messages are flushed shortly after the reply.
    flush: Option<String>,
    /// Reply to this id instead of the envelope's (an upload's reply comes after its stream).
    rid: Option<String>,
    /// Envelopes for this connection before the reply (a download's stream).
    before: Vec<Envelope>,
    /// Envelopes for connections after the reply (watch events).
    events: Vec<(ConnId, Envelope)>,
}

fn reply<M: Message + Name>(command: &str, m: &M) -> Reply {
    Reply {
        command: command.to_string(),
        data: to_any(m),
        after: vec![],
        flush: None,
        rid: None,
        before: vec![],
        events: vec![],
    }
}

/// A handler's result: a reply, nothing, or an error text.
pub type Res = Result<Option<Reply>, String>;

/// Who sends a command: from `Envelope.jwt` if set, else the socket's session.
struct Who {
    user: User,
    jwt: String,
}

/// Handles one in-order envelope from connection `ctx`.
pub fn handle(shared: &std::sync::Arc<Shared>, ctx: &mut ConnCtx, env: Envelope) {
    if env.command != "pong" && shared.config.rate_limit > 0 {
        let now = Instant::now();
        if now.duration_since(ctx.rate_window) >= Duration::from_secs(1) {
            ctx.rate_window = now;
            ctx.rate_count = 0;
        }
        ctx.rate_count += 1;
        if ctx.rate_count > shared.config.rate_limit {
            error(
                &ctx.tx,
                &env,
                &format!("Rate limit exceeded consumedPoints: {}", ctx.rate_count),
            );
            return;
        }
    }
    let res: Res = match env.command.as_str() {
        // Swallowed: client pings get no reply on /ws/v2; pong and queueevent acks just count as
        // traffic (the idle timer was already reset).
        "ping" | "pong" | "queueevent" => Ok(None),
        "getelement" => getelement(&env),
        "signin" => signin(shared, ctx, &env),
        "registerqueue" => {
            who(shared, ctx, &env).and_then(|w| registerqueue(shared, ctx, &env, &w))
        }
        "unregisterqueue" => {
            who(shared, ctx, &env).and_then(|_| unregisterqueue(shared, ctx, &env))
        }
        "registerexchange" => {
            who(shared, ctx, &env).and_then(|w| registerexchange(shared, ctx, &env, &w))
        }
        "queuemessage" => who(shared, ctx, &env).and_then(|w| queuemessage(shared, &env, &w)),
        "beginstream" | "stream" | "endstream" => stream(shared, ctx, &env),
        c if crate::data::handles(c) => who(shared, ctx, &env)
            .and_then(|w| crate::data::handle(shared, ctx, &env, &w.user, &w.jwt)),
        // OpenFlow decodes a command's payload by its name before anything else; the protobuf
        // type lookup of an unknown command fails with this text (protobufjs `lookupType`).
        other => Err(format!("no such type: openiap.{other}")),
    };
    if let Some(late) = shared.faults.take_reply_delay(&env.command) {
        // `/delay-reply`: the command took effect; its answer goes out later.
        let (shared, tx) = (shared.clone(), ctx.tx.clone());
        tokio::spawn(async move {
            tokio::time::sleep(late).await;
            answer(&shared, &tx, &env, res);
        });
        return;
    }
    answer(shared, &ctx.tx, &env, res);
}

/// Sends a handler's result for `env` on `tx`: the reply with what goes before and after it,
/// or the error.
fn answer(shared: &std::sync::Arc<Shared>, tx: &Tx, env: &Envelope, res: Res) {
    match res {
        Ok(None) => {}
        Ok(Some(r)) => {
            for mut b in r.before {
                b.rid = env.id.clone();
                send(tx, Out::Env(b));
            }
            // As OpenFlow (§10.1): a queueevent comes before its queuemessagereply, a watchevent
            // before the reply to the write that caused it.
            if !r.after.is_empty() {
                shared.lock().deliver(r.after);
            }
            if !r.events.is_empty() {
                let st = shared.lock();
                for (conn, e) in r.events {
                    st.send_to(conn, e);
                }
            }
            let out = Envelope {
                command: r.command,
                rid: r.rid.unwrap_or_else(|| env.id.clone()),
                data: Some(r.data),
                traceid: env.traceid.clone(),
                spanid: env.spanid.clone(),
                ..Default::default()
            };
            send(tx, Out::Env(out));
            if let Some(q) = r.flush {
                // Waiting messages go out a moment after the reply: clients install their queue
                // callback when the reply arrives, and would drop events that come first.
                let shared = shared.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    let mut st = shared.lock();
                    let d = st.broker.flush(&q, Instant::now());
                    st.deliver(d);
                });
            }
        }
        Err(msg) => error(tx, env, &msg),
    }
}

fn error(tx: &Tx, env: &Envelope, message: &str) {
    // A failed upload is answered to the upload request, not to its `endstream`.
    let rid = if env.command == "endstream" {
        env.rid.clone()
    } else {
        env.id.clone()
    };
    let e = ErrorResponse {
        message: message.to_string(),
        code: 0,
        stack: String::new(),
    };
    let out = Envelope {
        command: "error".into(),
        rid,
        data: Some(to_any(&e)),
        ..Default::default()
    };
    send(tx, Out::Env(out));
}

/// The parts of the stream that follows an `upload`; `endstream` stores the file and answers
/// the upload. Stream envelopes of unknown uploads are ignored.
fn stream(shared: &Shared, ctx: &mut ConnCtx, env: &Envelope) -> Res {
    let Some(up) = ctx.uploads.get_mut(&env.rid) else {
        return Ok(None);
    };
    match env.command.as_str() {
        "stream" => {
            let part: openiap_wasm::pb::Stream = parse(env)?;
            up.data.extend_from_slice(&part.data);
            Ok(None)
        }
        "endstream" => {
            let up = ctx.uploads.remove(&env.rid).expect("present");
            crate::data::finish_upload(shared, up).map(|r| Some(r.with_rid(env.rid.clone())))
        }
        _ => Ok(None),
    }
}

/// Starts an upload: its bytes follow as a stream with `rid` = `id`.
pub fn begin_upload(ctx: &mut ConnCtx, id: &str, req: openiap_wasm::pb::UploadRequest) {
    ctx.uploads
        .insert(id.to_string(), crate::files::Upload { req, data: vec![] });
}

/// A reply from the data commands.
pub fn data_reply<M: Message + Name>(command: &str, m: &M) -> Reply {
    reply(command, m)
}

impl Reply {
    /// Answers `rid` instead of the request's id.
    pub fn with_rid(mut self, rid: String) -> Self {
        self.rid = Some(rid);
        self
    }
    /// Sends `envs` to this connection first (their `rid` is set to the request's id).
    pub fn with_before(mut self, envs: Vec<Envelope>) -> Self {
        self.before = envs;
        self
    }
    /// Sends `events` to their connections after the reply.
    pub fn with_events(mut self, events: Vec<(ConnId, Envelope)>) -> Self {
        self.events = events;
        self
    }
    /// Delivers queue messages after the reply.
    pub fn with_deliveries(mut self, after: Vec<Delivery>) -> Self {
        self.after.extend(after);
        self
    }
}

/// Decodes the envelope's payload.
pub fn parse<M: Message + Default>(env: &Envelope) -> Result<M, String> {
    decode::<M>(env).map_err(|e| e.message)
}

/// The user a command runs as: `Envelope.jwt`'s if set (an invalid or expired one fails this
/// envelope only, with OpenFlow's text; the session stays), else the session's.
fn who(shared: &Shared, ctx: &ConnCtx, env: &Envelope) -> Result<Who, String> {
    let st = shared.lock();
    // OpenFlow runs file transfers as the connection's user: their per-call jwt is ignored (§10.1).
    let per_call = !matches!(env.command.as_str(), "upload" | "download");
    if per_call && !env.jwt.is_empty() {
        let user = auth::verify(shared, &st, &env.jwt).map_err(|why| {
            shared.log(format!(
                "conn {}: {} with a bad Envelope.jwt ({why})",
                ctx.id, env.command
            ));
            auth::discard_missing_jwt(&env.command, &ctx.client_at())
        })?;
        return Ok(Who {
            user,
            jwt: env.jwt.clone(),
        });
    }
    match st.conns.get(&ctx.id).and_then(|c| c.session.as_ref()) {
        Some(s) => Ok(Who {
            user: s.user.clone(),
            jwt: s.jwt.clone(),
        }),
        None => Err(NOT_SIGNED_IN.to_string()),
    }
}

fn getelement(env: &Envelope) -> Res {
    let req: GetElementRequest = parse(env)?;
    Ok(Some(reply(
        "getelement",
        &GetElementResponse { xpath: req.xpath },
    )))
}

/// JSON for `SigninResponse.config` and `GET /config`.
pub fn config_json(shared: &Shared) -> String {
    serde_json::json!({
        "version": "openiap-testserver",
        "amqp_enabled_exchange": true,
        "ping_clients_interval": shared.config.ping_interval_ms,
        "enable_analytics": false,
        "supports_watch": true,
    })
    .to_string()
}

fn signin(shared: &Shared, ctx: &mut ConnCtx, env: &Envelope) -> Res {
    let req: SigninRequest = parse(env)?;
    ctx.sign_agent(&req);
    if shared.faults.take_refuse_signin() {
        shared.log(format!(
            "conn {}: sign-in refused by fault injection",
            ctx.id
        ));
        return Err(auth::BAD_CREDENTIALS.to_string());
    }
    let mut st = shared.lock();
    let user = if !req.jwt.is_empty() {
        auth::verify(shared, &st, &req.jwt).map_err(|why| {
            shared.log(format!("conn {}: jwt sign-in refused ({why})", ctx.id));
            auth::discard_bad_jwt("signin", &ctx.client_at())
        })?
    } else {
        auth::check_password(shared, &req.username, &req.password)?
    };
    let jwt = auth::issue(shared, &mut st, &user);
    if !req.validateonly {
        let refresh_at = Instant::now() + Duration::from_millis(shared.config.refresh_after_ms());
        if let Some(c) = st.conns.get_mut(&ctx.id) {
            c.session = Some(Session {
                user: user.clone(),
                jwt: jwt.clone(),
                refresh_at,
            });
        }
        st.signins += 1;
        ctx.doping = req.ping;
    }
    drop(st);
    shared.log(format!(
        "conn {}: signed in as {}{}",
        ctx.id,
        user.username,
        if req.validateonly {
            " (validateonly)"
        } else {
            ""
        }
    ));
    Ok(Some(reply(
        "signinreply",
        &SigninResponse {
            jwt,
            user: Some(user),
            config: config_json(shared),
        },
    )))
}

fn check_name(name: &str) -> Result<String, String> {
    let name = name.to_lowercase();
    if name == "openflow" {
        return Err("Access denied".into());
    }
    Ok(name)
}

fn registerqueue(shared: &Shared, ctx: &ConnCtx, env: &Envelope, _who: &Who) -> Res {
    let req: RegisterQueueRequest = parse(env)?;
    let (name, exclusive) = if req.queuename.is_empty() {
        (
            format!(
                "{}{}",
                shared.config.queue_prefix,
                crate::util::random_id(8)
            ),
            true,
        )
    } else {
        (check_name(&req.queuename)?, false)
    };
    shared.lock().broker.register(ctx.id, &name, exclusive)?;
    let mut r = reply(
        "registerqueuereply",
        &RegisterQueueResponse {
            queuename: name.clone(),
        },
    );
    r.flush = Some(name);
    Ok(Some(r))
}

fn unregisterqueue(shared: &Shared, ctx: &ConnCtx, env: &Envelope) -> Res {
    let req: UnRegisterQueueRequest = parse(env)?;
    shared
        .lock()
        .broker
        .unregister(ctx.id, &req.queuename.to_lowercase());
    Ok(Some(reply(
        "unregisterqueuereply",
        &UnRegisterQueueResponse {},
    )))
}

fn registerexchange(shared: &Shared, ctx: &ConnCtx, env: &Envelope, _who: &Who) -> Res {
    let req: RegisterExchangeRequest = parse(env)?;
    if req.exchangename.is_empty() {
        return Err("No exchangename given".into());
    }
    let exchange = check_name(&req.exchangename)?;
    let algorithm = if req.algorithm.is_empty() {
        "fanout".to_string()
    } else {
        req.algorithm.to_lowercase()
    };
    if !["fanout", "direct", "topic", "header"].contains(&algorithm.as_str()) {
        return Err(format!("Unknown exchange algorithm {algorithm}"));
    }
    let mut st = shared.lock();
    let queuename = if req.addqueue {
        let q = format!(
            "{}{}",
            shared.config.queue_prefix,
            crate::util::random_id(8)
        );
        st.broker.register(ctx.id, &q, true)?;
        st.broker
            .register_exchange(&exchange, &algorithm, Some((&q, &req.routingkey)));
        q
    } else {
        st.broker.register_exchange(&exchange, &algorithm, None);
        String::new()
    };
    Ok(Some(reply(
        "registerexchangereply",
        &RegisterExchangeResponse { queuename },
    )))
}

/// `data` as OpenFlow's queues carry it (../shared/openiap-protocol.md §10.1), or `None` for a
/// message that OpenFlow accepts and never delivers (it requeues it for as long as the queue
/// lives). On the way in a string `data` is JSON-parsed where it parses (`Message.QueueMessage`),
/// and a result that is still a string once more (`amqpwrapper.send`); the broker gets a string
/// as it is and anything else JSON-encoded; the consumer JSON-parses the body and refuses the
/// message when that fails or gives `null`, and sends on the value JSON-encoded (a string as it
/// is). So a bare string never arrives. A JSON object loses `traceId`/`spanId` and, unless
/// `striptoken`, gains the sender's `__jwt` and `__user`.
pub fn forward_data(data: &str, striptoken: bool, jwt: &str, user: &User) -> Option<String> {
    use serde_json::Value;
    let parse = |v: Value| match v {
        Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
        v => v,
    };
    let body = match parse(parse(Value::String(data.to_string()))) {
        Value::String(s) => s,
        Value::Object(mut m) => {
            if !striptoken {
                m.insert("__jwt".into(), jwt.into());
                m.insert("__user".into(), auth::user_json(user));
            }
            Value::Object(m).to_string()
        }
        v => v.to_string(),
    };
    match serde_json::from_str(&body).ok()? {
        Value::Null => None,
        Value::String(s) => Some(s),
        Value::Object(mut m) => {
            m.remove("traceId");
            m.remove("spanId");
            Some(Value::Object(m).to_string())
        }
        v => Some(v.to_string()),
    }
}

fn queuemessage(shared: &Shared, env: &Envelope, who: &Who) -> Res {
    let req: QueueMessageRequest = parse(env)?;
    if req.queuename.is_empty() && req.exchangename.is_empty() {
        return Err("No queuename or exchangename given".into());
    }
    let queuename = if req.queuename.is_empty() {
        String::new()
    } else {
        check_name(&req.queuename)?
    };
    let exchangename = req.exchangename.to_lowercase();
    let expiration = if req.expiration > 0 {
        req.expiration as u64
    } else {
        shared.config.default_expiration_ms
    };
    let expires = Instant::now() + Duration::from_millis(expiration);
    let data = forward_data(&req.data, req.striptoken, &who.jwt, &who.user);
    let event = QueueEvent {
        queuename: queuename.clone(),
        correlation_id: req.correlation_id.clone(),
        replyto: req.replyto.to_lowercase(),
        routingkey: req.routingkey.clone(),
        exchangename: exchangename.clone(),
        data: data.clone().unwrap_or_default(),
    };
    let mut st = shared.lock();
    let after = if data.is_none() && queuename != crate::robot::ROBOT_QUEUE {
        // Accepted, and never delivered: OpenFlow's consumer refuses it again and again.
        st.broker.poisoned += 1;
        vec![]
    } else if !exchangename.is_empty() {
        st.broker
            .publish_exchange(&exchangename, &req.routingkey, event, expires)
    } else if queuename == crate::robot::ROBOT_QUEUE {
        let replies = crate::robot::replies(&req.data, &event.replyto, &event.correlation_id);
        let mut d = vec![];
        for r in replies {
            let q = r.queuename.clone();
            d.extend(st.broker.publish(&q, r, expires));
        }
        d
    } else {
        st.broker.publish(&queuename, event, expires)
    };
    drop(st);
    let resp = QueueMessageResponse {
        queuename,
        correlation_id: req.correlation_id,
        replyto: req.replyto.to_lowercase(),
        routingkey: req.routingkey,
        exchangename,
        data: req.data,
    };
    let mut r = reply("queuemessagereply", &resp);
    r.after = after;
    Ok(Some(r))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn data_is_forwarded_as_openflow_does() {
        let u = auth::user("bob");
        let out = forward_data(r#"{"a":1,"traceId":"t","spanId":"s"}"#, false, "J", &u).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["a"], 1);
        assert_eq!(v["__jwt"], "J");
        assert_eq!(v["__user"]["username"], "bob");
        assert!(v.get("traceId").is_none() && v.get("spanId").is_none());
        let fwd = |d: &str| forward_data(d, true, "J", &u);
        assert_eq!(fwd(r#"{"a":1}"#).as_deref(), Some(r#"{"a":1}"#));
        assert_eq!(fwd("[1,2]").as_deref(), Some("[1,2]"));
        assert_eq!(fwd("42").as_deref(), Some("42"));
        assert_eq!(fwd("true").as_deref(), Some("true"));
        // What OpenFlow accepts and never delivers.
        for lost in [
            "plain text",
            r#""quoted""#,
            r#""\"twice\"""#,
            "null",
            "",
            "{bad",
        ] {
            assert_eq!(fwd(lost), None, "{lost:?}");
        }
    }
}
