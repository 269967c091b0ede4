//! Dead-link detection. Any received byte proves the link alive.
//!
//! - **Server pings.** OpenFlow pings every client every 10 s. Once pings have been arriving (two
//!   intervals seen), silence for more than twice the longest interval between them means the
//!   link is dead: about 20 s against OpenFlow, with no traffic from the client.
//! - **Probes**, for servers that do not ping: after `interval_ms` of silence a probe is sent, and
//!   if nothing arrives within `timeout_ms` the link is dead.
//!
//! All checks compare wall-clock times, so a timer that fired late (a sleeping tab) still sees
//! how long the silence really was.

/// What the heartbeat wants done now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeartbeatAction {
    /// Nothing to do.
    Idle,
    /// Send a probe (a request the server must answer).
    SendProbe,
    /// The link is dead: no data for this many milliseconds.
    Dead(u64),
}

/// Heartbeat state of one socket.
#[derive(Debug, Clone)]
pub struct Heartbeat {
    interval_ms: u64,
    timeout_ms: u64,
    last_rx: u64,
    probe_deadline: Option<u64>,
    /// When the last server ping arrived.
    last_ping: Option<u64>,
    /// Intervals between server pings seen so far (counted up to 2) and the longest of them.
    ping_intervals: u8,
    longest_ping_interval: u64,
}

/// The shortest ping interval believed: a ping right after another (the one OpenFlow sends at
/// connect, then its timer's) says nothing about the period.
const MIN_PING_INTERVAL_MS: u64 = 1_000;

impl Heartbeat {
    /// `interval_ms` of silence before a probe (0 disables), `timeout_ms` for its answer.
    pub fn new(interval_ms: u64, timeout_ms: u64, now: u64) -> Self {
        Heartbeat {
            interval_ms,
            timeout_ms,
            last_rx: now,
            probe_deadline: None,
            last_ping: None,
            ping_intervals: 0,
            longest_ping_interval: 0,
        }
    }

    /// A server ping arrived (after [`Heartbeat::on_receive`]).
    pub fn on_ping(&mut self, now: u64) {
        if let Some(last) = self.last_ping {
            let gap = now.saturating_sub(last);
            if gap >= MIN_PING_INTERVAL_MS {
                self.ping_intervals = self.ping_intervals.saturating_add(1);
                self.longest_ping_interval = self.longest_ping_interval.max(gap);
            }
        }
        self.last_ping = Some(now);
    }

    /// When silence means a dead link because server pings stopped, once they are trusted.
    fn ping_deadline(&self) -> Option<u64> {
        (self.ping_intervals >= 2).then(|| self.last_rx + 2 * self.longest_ping_interval + 1)
    }

    /// Something arrived.
    pub fn on_receive(&mut self, now: u64) {
        self.last_rx = now;
        self.probe_deadline = None;
    }

    /// Decides what to do at `now`.
    pub fn poll(&mut self, now: u64) -> HeartbeatAction {
        if self.ping_deadline().is_some_and(|d| now >= d) {
            return HeartbeatAction::Dead(now.saturating_sub(self.last_rx));
        }
        if self.interval_ms == 0 {
            return HeartbeatAction::Idle;
        }
        match self.probe_deadline {
            Some(deadline) if now >= deadline => {
                HeartbeatAction::Dead(now.saturating_sub(self.last_rx))
            }
            Some(_) => HeartbeatAction::Idle,
            None if now.saturating_sub(self.last_rx) >= self.interval_ms => {
                self.probe_deadline = Some(now + self.timeout_ms);
                HeartbeatAction::SendProbe
            }
            None => HeartbeatAction::Idle,
        }
    }

    /// The page woke up (became visible, came online): probe now unless data arrived just now
    /// or a probe is already out.
    pub fn check_now(&mut self, now: u64) -> HeartbeatAction {
        if self.probe_deadline.is_none() && now.saturating_sub(self.last_rx) >= 1_000 {
            self.probe_deadline = Some(now + self.timeout_ms.min(5_000));
            return HeartbeatAction::SendProbe;
        }
        self.poll(now)
    }

    /// When [`Heartbeat::poll`] must run next.
    pub fn deadline(&self) -> Option<u64> {
        let probe = (self.interval_ms > 0).then(|| {
            self.probe_deadline
                .unwrap_or(self.last_rx + self.interval_ms)
        });
        match (probe, self.ping_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_after_silence_then_declares_dead() {
        let mut h = Heartbeat::new(1000, 500, 0);
        assert_eq!(h.poll(999), HeartbeatAction::Idle);
        assert_eq!(h.deadline(), Some(1000));
        assert_eq!(h.poll(1000), HeartbeatAction::SendProbe);
        assert_eq!(h.deadline(), Some(1500));
        assert_eq!(h.poll(1200), HeartbeatAction::Idle);
        assert_eq!(h.poll(1500), HeartbeatAction::Dead(1500));
    }

    #[test]
    fn data_cancels_the_probe() {
        let mut h = Heartbeat::new(1000, 500, 0);
        assert_eq!(h.poll(1000), HeartbeatAction::SendProbe);
        h.on_receive(1100);
        assert_eq!(h.poll(1600), HeartbeatAction::Idle);
        assert_eq!(h.deadline(), Some(2100));
    }

    #[test]
    fn a_late_timer_sees_the_real_silence() {
        // The tab slept 10 minutes: the first poll after waking sends a probe at once.
        let mut h = Heartbeat::new(30_000, 10_000, 0);
        assert_eq!(h.poll(600_000), HeartbeatAction::SendProbe);
        assert_eq!(h.poll(610_000), HeartbeatAction::Dead(610_000));
    }

    #[test]
    fn wake_probes_quickly_and_disabled_never_fires() {
        let mut h = Heartbeat::new(30_000, 10_000, 0);
        assert_eq!(h.check_now(2_000), HeartbeatAction::SendProbe);
        assert_eq!(h.deadline(), Some(7_000));
        let mut off = Heartbeat::new(0, 10, 0);
        assert_eq!(off.poll(1_000_000), HeartbeatAction::Idle);
        assert_eq!(off.deadline(), None);
    }

    #[test]
    fn server_pings_find_a_dead_link_within_25_s_without_probes() {
        // OpenFlow: a ping at connect, then its 10 s timer (first tick at any phase).
        let mut h = Heartbeat::new(30_000, 10_000, 0);
        let mut t = 0;
        for at in [0, 3_000, 13_000, 23_000, 33_000, 43_000, 53_000] {
            while t < at {
                t += 500;
                assert_eq!(
                    h.poll(t),
                    HeartbeatAction::Idle,
                    "no probe while pings arrive, t={t}"
                );
            }
            h.on_receive(at);
            h.on_ping(at);
        }
        // The link dies right after the ping at 53 s.
        let dead_at = (53_000..120_000)
            .step_by(100)
            .find(|t| matches!(h.poll(*t), HeartbeatAction::Dead(_)))
            .unwrap();
        assert!(
            dead_at - 53_000 <= 25_000,
            "found after {} ms",
            dead_at - 53_000
        );
        assert!(dead_at - 53_000 > 20_000, "not before twice the interval");
        assert_eq!(h.deadline(), Some(53_000 + 20_001));
    }

    #[test]
    fn ping_timing_is_trusted_only_after_two_intervals() {
        let mut h = Heartbeat::new(0, 10_000, 0);
        h.on_ping(0);
        h.on_receive(500);
        h.on_ping(500); // too close to count
        h.on_receive(10_500);
        h.on_ping(10_500);
        assert_eq!(h.deadline(), None, "one interval is not enough");
        assert_eq!(h.poll(60_000), HeartbeatAction::Idle);
    }
}
