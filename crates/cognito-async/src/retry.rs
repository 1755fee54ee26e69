//! Which failures are retried, and how long to wait: a pure decision, so it is testable.

use std::time::Duration;

/// How a driver retries a call that failed for a transient reason.
///
/// A call is retried only when the failure is transient (throttling, HTTP 429/500/502/503/504,
/// `InternalErrorException`, a connection failure) **and** repeating it is safe: the operation
/// is idempotent, or the request never reached the server (the connection could not be made).
/// `NotAuthorized` and other client errors are never retried, and neither is a sign-in step
/// whose single-use session may have been consumed. Waits grow exponentially from
/// [`base_delay`](Self::base_delay) up to [`max_delay`](Self::max_delay), with full jitter.
///
/// ```
/// use cognito_async::RetryPolicy;
/// use std::time::Duration;
///
/// let policy = RetryPolicy {
///     max_attempts: 5,
///     ..RetryPolicy::default()
/// };
/// assert_eq!(RetryPolicy::none().max_attempts, 1);
/// # let _ = policy;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total number of attempts, the first included (1 = never retry). Default 3.
    pub max_attempts: u32,
    /// The wait before the first retry is drawn from `[0, base_delay]`. Default 100 ms.
    pub base_delay: Duration,
    /// Upper bound of any wait. Default 2 s.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The longest wait after attempt `attempt` (1-based): `base_delay * 2^(attempt-1)`,
    /// capped at `max_delay`.
    pub(crate) fn ceiling(&self, attempt: u32) -> Duration {
        self.base_delay
            .saturating_mul(1u32.checked_shl(attempt.saturating_sub(1)).unwrap_or(u32::MAX))
            .min(self.max_delay)
    }

    /// The wait before attempt `attempt + 1`, or `None` to give up and return `outcome`.
    /// `random` is any uniformly random value; it picks the jitter.
    pub(crate) fn next_delay(
        &self,
        idempotent: bool,
        attempt: u32,
        outcome: Attempt,
        random: u64,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let retry = match outcome {
            Attempt::Success => false,
            Attempt::ErrorResponse { retryable } => retryable && idempotent,
            Attempt::TransportError {
                retryable,
                may_have_reached_server,
            } => retryable && (idempotent || !may_have_reached_server),
        };
        if !retry {
            return None;
        }
        let nanos = u64::try_from(self.ceiling(attempt).as_nanos()).unwrap_or(u64::MAX);
        Some(Duration::from_nanos(match nanos.checked_add(1) {
            Some(n) => random % n,
            None => random,
        }))
    }
}

/// What one attempt produced, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Attempt {
    /// A 2xx response.
    Success,
    /// An error response; `retryable` as the core classifies it.
    ErrorResponse { retryable: bool },
    /// No response.
    TransportError {
        retryable: bool,
        may_have_reached_server: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    const THROTTLED: Attempt = Attempt::ErrorResponse { retryable: true };
    const NOT_AUTHORIZED: Attempt = Attempt::ErrorResponse { retryable: false };
    const REFUSED: Attempt = Attempt::TransportError {
        retryable: true,
        may_have_reached_server: false,
    };
    const TIMED_OUT: Attempt = Attempt::TransportError {
        retryable: true,
        may_have_reached_server: true,
    };

    #[test]
    fn pitfall_22_retry_only_what_is_safe() {
        let p = RetryPolicy::default();
        // Idempotent: transient failures are retried.
        assert!(p.next_delay(true, 1, THROTTLED, 0).is_some());
        assert!(p.next_delay(true, 1, TIMED_OUT, 0).is_some());
        assert!(p.next_delay(true, 1, REFUSED, 0).is_some());
        // NotAuthorized and success never.
        assert!(p.next_delay(true, 1, NOT_AUTHORIZED, 0).is_none());
        assert!(p.next_delay(false, 1, NOT_AUTHORIZED, 0).is_none());
        assert!(p.next_delay(true, 1, Attempt::Success, 0).is_none());
        // Not idempotent: only when the request never left.
        assert!(p.next_delay(false, 1, REFUSED, 0).is_some());
        assert!(p.next_delay(false, 1, TIMED_OUT, 0).is_none());
        assert!(p.next_delay(false, 1, THROTTLED, 0).is_none());
        // Attempts are bounded.
        assert!(p.next_delay(true, 3, THROTTLED, 0).is_none());
        assert!(RetryPolicy::none().next_delay(true, 1, THROTTLED, 0).is_none());
    }

    #[test]
    fn backoff_is_jittered_exponential_and_capped() {
        let p = RetryPolicy {
            max_attempts: 100,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        };
        assert_eq!(p.ceiling(1), Duration::from_millis(100));
        assert_eq!(p.ceiling(2), Duration::from_millis(200));
        assert_eq!(p.ceiling(3), Duration::from_millis(400));
        assert_eq!(p.ceiling(6), Duration::from_secs(2));
        for attempt in 1..8 {
            for random in [0, 1, 99_999_999, u64::MAX / 3, u64::MAX] {
                let d = p.next_delay(true, attempt, THROTTLED, random).unwrap();
                assert!(d <= p.ceiling(attempt), "{d:?} at {attempt}");
            }
        }
        // The ceiling itself is reachable.
        assert_eq!(
            p.next_delay(true, 1, THROTTLED, 100_000_000).unwrap(),
            Duration::from_millis(100)
        );
        // Different random values give different waits (jitter).
        let a = p.next_delay(true, 3, THROTTLED, 12_345_678).unwrap();
        let b = p.next_delay(true, 3, THROTTLED, 87_654_321).unwrap();
        assert_ne!(a, b);
        assert!(p.next_delay(true, 1, THROTTLED, 0).unwrap() == Duration::ZERO);
        // Huge attempt numbers do not overflow.
        assert!(p.next_delay(true, 90, THROTTLED, 7).unwrap() <= Duration::from_secs(2));
    }
}
