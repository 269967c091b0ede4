//! The session's settings.

use crate::protocol::backoff::BackoffConfig;
use crate::protocol::framing::openiap::DEFAULT_MAX_FRAME_LEN;
use crate::protocol::framing::Framing;
use crate::protocol::text::redact_userinfo;

/// Session settings. `Debug` shows no secrets.
#[derive(Clone)]
pub struct Config {
    /// Server URL (credentials in it are taken out).
    pub url: Option<String>,
    /// User name for sign-in.
    pub username: Option<String>,
    /// Password for sign-in.
    pub password: Option<String>,
    /// JWT for sign-in; replaced by the server's `refreshtoken`.
    pub jwt: Option<String>,
    /// Ask the shell for a token ([`super::Output::GetToken`]) before every sign-in.
    pub use_token_callback: bool,
    /// Agent name sent at sign-in.
    pub agent: String,
    /// Client version sent at sign-in.
    pub version: String,
    /// Default request timeout.
    pub request_timeout_ms: u64,
    /// How long a socket may take to open.
    pub connect_timeout_ms: u64,
    /// Reconnect delays.
    pub backoff: BackoffConfig,
    /// A connection that stayed up this long resets the backoff.
    pub stable_after_ms: u64,
    /// Silence before a heartbeat probe (0 disables the client heartbeat).
    pub heartbeat_ms: u64,
    /// Time the probe has to be answered.
    pub heartbeat_timeout_ms: u64,
    /// Wire framing.
    pub framing: Framing,
    /// Register queues, exchanges and watches again after a reconnect.
    pub auto_reregister: bool,
    /// Requests that may wait for the connection to come back.
    pub outbox_limit: usize,
    /// Largest envelope accepted from the server.
    pub max_frame_len: usize,
    /// Send credentials over `ws://` to other hosts without the warning event.
    pub allow_insecure: bool,
    /// Over HTTP, `connect()` checks a JWT with one `signin` POST (otherwise the first call
    /// carries it unchecked).
    #[cfg(feature = "http")]
    pub validate: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secret = |v: &Option<String>| v.as_ref().map(|_| "***");
        f.debug_struct("Config")
            .field("url", &self.url.as_deref().map(redact_userinfo))
            .field("username", &self.username)
            .field("password", &secret(&self.password))
            .field("jwt", &secret(&self.jwt))
            .field("agent", &self.agent)
            .field("framing", &self.framing)
            .finish_non_exhaustive()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            url: None,
            username: None,
            password: None,
            jwt: None,
            use_token_callback: false,
            agent: "browser".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            request_timeout_ms: 30_000,
            connect_timeout_ms: 10_000,
            backoff: BackoffConfig::default(),
            stable_after_ms: 10_000,
            heartbeat_ms: 30_000,
            heartbeat_timeout_ms: 10_000,
            framing: Framing::OpenIap,
            auto_reregister: true,
            outbox_limit: 1024,
            max_frame_len: DEFAULT_MAX_FRAME_LEN,
            allow_insecure: false,
            #[cfg(feature = "http")]
            validate: false,
        }
    }
}
