//! Reconnect backoff: exponential with full jitter, capped, optionally limited in attempts.

use super::rng::Rng;

/// Reconnect delay settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackoffConfig {
    /// Upper bound of the first delay (the delay is uniform in `0..=initial_ms`).
    pub initial_ms: u64,
    /// Cap on the upper bound.
    pub max_ms: u64,
    /// Give up after this many consecutive failed attempts; `None` retries forever.
    pub max_attempts: Option<u32>,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        BackoffConfig {
            initial_ms: 500,
            max_ms: 30_000,
            max_attempts: None,
        }
    }
}

/// Backoff state: how many attempts failed in a row.
#[derive(Debug, Clone)]
pub struct Backoff {
    config: BackoffConfig,
    attempt: u32,
}

impl Backoff {
    /// A fresh backoff.
    pub fn new(config: BackoffConfig) -> Self {
        Backoff { config, attempt: 0 }
    }

    /// Attempts made since the last reset.
    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    /// Forgets past failures (after a connection that stayed up).
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// The delay before the next attempt, or `None` when the attempt limit is reached.
    pub fn next_delay(&mut self, rng: &mut Rng) -> Option<u64> {
        if let Some(max) = self.config.max_attempts {
            if self.attempt >= max {
                return None;
            }
        }
        let ceiling = self
            .config
            .initial_ms
            .saturating_mul(1u64 << self.attempt.min(32))
            .min(self.config.max_ms);
        self.attempt = self.attempt.saturating_add(1);
        Some(rng.up_to(ceiling))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_exponentially_to_the_cap_with_full_jitter() {
        let mut rng = Rng::new(1);
        let mut b = Backoff::new(BackoffConfig::default());
        let mut maxima = [0u64; 10];
        for _ in 0..2000 {
            b.reset();
            for m in maxima.iter_mut() {
                *m = (*m).max(b.next_delay(&mut rng).unwrap());
            }
        }
        let ceilings = [
            500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000,
        ];
        for (m, c) in maxima.iter().zip(ceilings) {
            assert!(*m <= c && *m > c * 9 / 10, "max {m} for ceiling {c}");
        }
    }

    #[test]
    fn stops_after_max_attempts_and_reset_restarts() {
        let mut rng = Rng::new(2);
        let mut b = Backoff::new(BackoffConfig {
            max_attempts: Some(2),
            ..Default::default()
        });
        assert!(b.next_delay(&mut rng).is_some());
        assert!(b.next_delay(&mut rng).is_some());
        assert_eq!(b.next_delay(&mut rng), None);
        b.reset();
        assert!(b.next_delay(&mut rng).unwrap() <= 500);
    }
}
