//! Retry decisions (docs/protocol.md#16-retries; known client bug docs/protocol.md#pitfall-22), pure: the driver supplies the attempt
//! number, what went wrong and a random value, and sleeps for the answer.
//!
//! What is retried:
//! * a connection that failed **before** the request was written (DNS, refused, TLS
//!   handshake): any operation, since the server never saw it;
//! * on requests marked idempotent ([`PreparedRequest::idempotent`]) only: a transport failure
//!   after the request was (possibly) written (reset, timeout), throttling
//!   (`TooManyRequestsException`, HTTP 429), `InternalErrorException` and HTTP 500/502/503/504.
//!
//! Never retried: `NotAuthorizedException` and every other 4xx service error (wrong
//! credentials stay wrong; codes and sessions are single-use), `LimitExceededException` (a
//! quota lasting minutes), protocol errors of a 2xx response, misuse. A non-idempotent request
//! that reached the server (`RespondToAuthChallenge`, a rotating refresh) is never sent twice.
//!
//! Backoff is "full jitter": the delay before retry `n` is uniform in
//! `[0, min(max_delay, base_delay * 2^(n-1)))`.

use std::time::Duration;

use crate::envelope::PreparedRequest;
use crate::error::{CoreError, ServiceErrorKind};

/// What happened to one attempt.
#[derive(Debug)]
pub enum Failure<'a> {
    /// The connection failed before any byte of the request was written.
    ConnectFailed,
    /// The transport failed after the request was (possibly) written: the server may have
    /// processed it.
    TransportFailed,
    /// A response came back and decoded to this error.
    Response(&'a CoreError),
}

/// An attempt's failure together with whether its request may be sent twice.
#[derive(Debug)]
pub struct Outcome<'a> {
    /// [`PreparedRequest::idempotent`] of the request.
    pub idempotent: bool,
    /// What went wrong.
    pub failure: Failure<'a>,
}

impl<'a> Outcome<'a> {
    /// The outcome of sending `request` that failed with `failure`.
    pub fn new(request: &PreparedRequest, failure: Failure<'a>) -> Self {
        Outcome {
            idempotent: request.idempotent,
            failure,
        }
    }
}

/// The decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum Retry {
    /// Give up and report the failure.
    No,
    /// Send the same request again after this delay.
    After(Duration),
}

/// A retry policy: how many attempts in total and the backoff bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The backoff cap for the first retry; doubled for each further retry.
    pub base_delay: Duration,
    /// The largest backoff cap.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, base 200 ms, cap 5 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Whether the failure may be retried at all, whatever the attempt count.
    pub fn is_retryable(outcome: &Outcome<'_>) -> bool {
        match outcome.failure {
            Failure::ConnectFailed => true,
            Failure::TransportFailed => outcome.idempotent,
            Failure::Response(error) => {
                if matches!(error.service_kind(), Some(ServiceErrorKind::NotAuthorized)) {
                    return false;
                }
                outcome.idempotent && error.is_retryable()
            }
        }
    }

    /// The decision after attempt number `attempt` (1 for the first) failed with `outcome`.
    /// `random` is a uniformly random `u64` from the caller's RNG (for the jitter).
    pub fn decide(&self, attempt: u32, outcome: &Outcome<'_>, random: u64) -> Retry {
        if attempt >= self.max_attempts || !RetryPolicy::is_retryable(outcome) {
            return Retry::No;
        }
        Retry::After(self.jittered(attempt, random))
    }

    /// [`RetryPolicy::decide`] drawing the random value from `rng`.
    pub fn decide_with<R: rand_core::Rng + ?Sized>(
        &self,
        attempt: u32,
        outcome: &Outcome<'_>,
        rng: &mut R,
    ) -> Retry {
        self.decide(attempt, outcome, rng.next_u64())
    }

    /// The backoff cap before retry number `attempt` (1 for the first retry):
    /// `min(max_delay, base_delay * 2^(attempt-1))`.
    pub fn cap(&self, attempt: u32) -> Duration {
        let shift = attempt.saturating_sub(1).min(63);
        let factor = 1u32.checked_shl(shift).unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(Duration::MAX)
            .min(self.max_delay)
    }

    fn jittered(&self, attempt: u32, random: u64) -> Duration {
        let cap = self.cap(attempt).as_nanos();
        // random / 2^64 in [0, 1), times the cap: in [0, cap).
        let nanos = cap.saturating_mul(u128::from(random)) >> 64;
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}
