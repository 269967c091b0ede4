//! Dead-link detection. Any received byte proves the link alive; after `interval_ms` of silence a
//! probe is sent, and if nothing arrives within `timeout_ms` the link is declared dead.
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
}

impl Heartbeat {
    /// `interval_ms` of silence before a probe (0 disables), `timeout_ms` for its answer.
    pub fn new(interval_ms: u64, timeout_ms: u64, now: u64) -> Self {
        Heartbeat {
            interval_ms,
            timeout_ms,
            last_rx: now,
            probe_deadline: None,
        }
    }

    /// Something arrived.
    pub fn on_receive(&mut self, now: u64) {
        self.last_rx = now;
        self.probe_deadline = None;
    }

    /// Decides what to do at `now`.
    pub fn poll(&mut self, now: u64) -> HeartbeatAction {
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
        if self.interval_ms == 0 {
            return None;
        }
        Some(
            self.probe_deadline
                .unwrap_or(self.last_rx + self.interval_ms),
        )
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
}
