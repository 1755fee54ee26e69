//! The retry policy (docs/protocol.md#16-retries; known client bug docs/protocol.md#pitfall-22).

use std::time::Duration;

use cognito_proto::envelope::{self, Endpoint, PreparedRequest};
use cognito_proto::error::{CoreError as Error, ServiceError, ServiceErrorKind};
use cognito_proto::ops::{GetUser, RespondToAuthChallenge};
use cognito_proto::retry::{Failure, Outcome, Retry, RetryPolicy};
use rand_core::SeedableRng;

fn service(kind: ServiceErrorKind, status: u16) -> Error {
    let mut e = ServiceError::new(kind, "m");
    e.status = status;
    Error::Service(e)
}

fn gateway(status: u16) -> Error {
    let resp = http::Response::builder()
        .status(status)
        .body(b"<html>gateway</html>".to_vec())
        .unwrap();
    envelope::decode::<GetUser>(&resp).unwrap_err()
}

fn outcome(idempotent: bool, failure: Failure<'_>) -> Outcome<'_> {
    Outcome {
        idempotent,
        failure,
    }
}

const HALF: u64 = 1 << 63;

#[test]
fn default_policy() {
    let p = RetryPolicy::default();
    assert_eq!(p.max_attempts, 3);
    assert!(p.base_delay > Duration::ZERO && p.base_delay <= p.max_delay);
    assert_eq!(RetryPolicy::never().max_attempts, 1);
}

#[test]
fn pitfall_22_never_retry_not_authorized() {
    let p = RetryPolicy::default();
    let e = service(ServiceErrorKind::NotAuthorized, 400);
    assert_eq!(
        p.decide(1, &outcome(true, Failure::Response(&e)), HALF),
        Retry::No
    );
    // Even with a (mis)reported 5xx status.
    let e = service(ServiceErrorKind::NotAuthorized, 500);
    assert_eq!(
        p.decide(1, &outcome(true, Failure::Response(&e)), HALF),
        Retry::No
    );
}

#[test]
fn pitfall_22_never_retry_client_errors() {
    let p = RetryPolicy::default();
    for kind in [
        ServiceErrorKind::UserNotFound,
        ServiceErrorKind::CodeMismatch,
        ServiceErrorKind::ExpiredCode,
        ServiceErrorKind::InvalidParameter,
        ServiceErrorKind::InvalidPassword,
        ServiceErrorKind::ResourceNotFound,
        ServiceErrorKind::LimitExceeded,
        ServiceErrorKind::UsernameExists,
        ServiceErrorKind::Unknown("FutureException".into()),
    ] {
        let e = service(kind.clone(), 400);
        assert_eq!(
            p.decide(1, &outcome(true, Failure::Response(&e)), HALF),
            Retry::No,
            "{kind}"
        );
    }
    assert_eq!(
        p.decide(
            1,
            &outcome(true, Failure::Response(&Error::misuse("x"))),
            HALF
        ),
        Retry::No
    );
}

#[test]
fn pitfall_22_retry_throttling_and_server_faults_when_idempotent() {
    let p = RetryPolicy::default();
    let errors = [
        service(ServiceErrorKind::TooManyRequests, 400),
        service(ServiceErrorKind::InternalError, 500),
        gateway(429),
        gateway(500),
        gateway(502),
        gateway(503),
        gateway(504),
    ];
    for e in &errors {
        assert!(
            matches!(
                p.decide(1, &outcome(true, Failure::Response(e)), HALF),
                Retry::After(_)
            ),
            "{e:?}"
        );
        // The same on a request that may not be sent twice: no.
        assert_eq!(
            p.decide(1, &outcome(false, Failure::Response(e)), HALF),
            Retry::No,
            "{e:?}"
        );
    }
    // Not a retryable status.
    assert_eq!(
        p.decide(1, &outcome(true, Failure::Response(&gateway(404))), HALF),
        Retry::No
    );
}

#[test]
fn pitfall_22_connection_failures() {
    let p = RetryPolicy::default();
    // Before the request was written: any operation.
    for idempotent in [true, false] {
        assert!(matches!(
            p.decide(1, &outcome(idempotent, Failure::ConnectFailed), HALF),
            Retry::After(_)
        ));
    }
    // After: only idempotent ones.
    assert!(matches!(
        p.decide(1, &outcome(true, Failure::TransportFailed), HALF),
        Retry::After(_)
    ));
    assert_eq!(
        p.decide(1, &outcome(false, Failure::TransportFailed), HALF),
        Retry::No
    );
}

#[test]
fn pitfall_22_outcome_follows_the_request_flag() {
    let endpoint = Endpoint::for_region("eu-west-1").unwrap();
    let respond: PreparedRequest = envelope::encode(
        &endpoint,
        &RespondToAuthChallenge::new("c", "SMS_MFA".into(), None, Default::default()),
    );
    assert!(!respond.idempotent);
    let e = service(ServiceErrorKind::TooManyRequests, 400);
    let p = RetryPolicy::default();
    assert_eq!(
        p.decide(1, &Outcome::new(&respond, Failure::Response(&e)), HALF),
        Retry::No
    );
    assert_eq!(
        p.decide(1, &Outcome::new(&respond, Failure::TransportFailed), HALF),
        Retry::No
    );
    assert!(matches!(
        p.decide(1, &Outcome::new(&respond, Failure::ConnectFailed), HALF),
        Retry::After(_)
    ));
}

#[test]
fn attempts_are_bounded() {
    let p = RetryPolicy::default();
    let o = outcome(true, Failure::ConnectFailed);
    assert!(matches!(p.decide(1, &o, HALF), Retry::After(_)));
    assert!(matches!(p.decide(2, &o, HALF), Retry::After(_)));
    assert_eq!(p.decide(3, &o, HALF), Retry::No);
    assert_eq!(p.decide(u32::MAX, &o, HALF), Retry::No);
    assert_eq!(RetryPolicy::never().decide(1, &o, HALF), Retry::No);
}

#[test]
fn full_jitter_backoff() {
    let p = RetryPolicy {
        max_attempts: 10,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(1000),
    };
    assert_eq!(p.cap(1), Duration::from_millis(100));
    assert_eq!(p.cap(2), Duration::from_millis(200));
    assert_eq!(p.cap(4), Duration::from_millis(800));
    assert_eq!(p.cap(5), Duration::from_millis(1000));
    assert_eq!(p.cap(200), Duration::from_millis(1000));
    let o = outcome(true, Failure::ConnectFailed);
    // random = 0 → no wait; random = half → half the cap; max → just under the cap.
    assert_eq!(p.decide(1, &o, 0), Retry::After(Duration::ZERO));
    assert_eq!(
        p.decide(2, &o, HALF),
        Retry::After(Duration::from_millis(100))
    );
    let Retry::After(d) = p.decide(3, &o, u64::MAX) else {
        panic!("must retry");
    };
    assert!(d < Duration::from_millis(400) && d > Duration::from_millis(399));
    // From an RNG: always within [0, cap).
    let mut rng = chacha20::ChaCha20Rng::seed_from_u64(7);
    let mut distinct = std::collections::BTreeSet::new();
    for attempt in 1..10 {
        for _ in 0..50 {
            let Retry::After(d) = p.decide_with(attempt, &o, &mut rng) else {
                panic!("must retry");
            };
            assert!(d < p.cap(attempt));
            distinct.insert(d);
        }
    }
    assert!(distinct.len() > 400, "jitter must spread the delays");
}

#[test]
fn huge_settings_do_not_overflow() {
    let p = RetryPolicy {
        max_attempts: u32::MAX,
        base_delay: Duration::MAX,
        max_delay: Duration::MAX,
    };
    let o = outcome(true, Failure::ConnectFailed);
    assert_eq!(p.cap(100), Duration::MAX);
    assert!(matches!(p.decide(100, &o, u64::MAX), Retry::After(_)));
    assert!(matches!(p.decide(0, &o, u64::MAX), Retry::After(_)));
}
