//! Reconnect backoff: exponential with "equal jitter" (each delay uniform in the upper half of its
//! ceiling), capped, optionally limited in attempts.
//!
//! Full jitter (uniform from 0) let a client burn its first attempts within a short outage and
//! then wait up to the next ceiling: the benchmark saw 13.2 s between a server coming back after a
//! 1 s outage and sign-in. With the floor, time spent waiting grows with the ceiling, so the wait
//! after the server returns stays under twice the outage plus `initial_ms` (capped at `max_ms`),
//! and clients still spread over half of each ceiling.

use super::rng::Rng;

/// Reconnect delay settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackoffConfig {
    /// Upper bound of the first delay (the delay is uniform in `initial_ms/2..=initial_ms`).
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
        let floor = ceiling / 2;
        Some(floor + rng.up_to(ceiling - floor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_exponentially_to_the_cap_within_the_upper_half() {
        let mut rng = Rng::new(1);
        let mut b = Backoff::new(BackoffConfig::default());
        let ceilings = [
            500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000,
        ];
        let mut minima = ceilings;
        let mut maxima = [0u64; 10];
        for _ in 0..2000 {
            b.reset();
            for i in 0..10 {
                let d = b.next_delay(&mut rng).unwrap();
                minima[i] = minima[i].min(d);
                maxima[i] = maxima[i].max(d);
            }
        }
        for ((lo, hi), c) in minima.iter().zip(maxima).zip(ceilings) {
            assert!(
                *lo >= c / 2 && *lo < c * 11 / 20,
                "min {lo} for ceiling {c}"
            );
            assert!(hi <= c && hi > c * 19 / 20, "max {hi} for ceiling {c}");
        }
    }

    /// What a user sees: the server is down for `outage` ms and every attempt in that time is
    /// refused at once; the first attempt after it is back comes within 2 × outage + initial.
    #[test]
    fn wait_after_an_outage_is_bounded_by_twice_the_outage() {
        let config = BackoffConfig::default();
        for seed in 1..500u64 {
            let mut rng = Rng::new(seed);
            for outage in [100u64, 1_000, 3_000, 10_000] {
                let mut b = Backoff::new(config.clone());
                let mut t = 0;
                while t < outage {
                    t += b.next_delay(&mut rng).unwrap();
                }
                let wait = t - outage;
                assert!(
                    wait <= (2 * outage + config.initial_ms).min(config.max_ms),
                    "seed {seed}: back {wait} ms after a {outage} ms outage"
                );
            }
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
        assert!((250..=500).contains(&b.next_delay(&mut rng).unwrap()));
    }
}
