//! Faults (issue 8): 500 operations of this driver against the emulator with about 20% of
//! them hit by an injected fault of every kind (HTTP 500, throttling, truncated body,
//! connection reset, delay beyond the client timeout). Checked after every operation: no
//! panic, every failure typed as the fault implies, retries exactly where the retry policy
//! allows them (attempts counted by the emulator), the stored session never lost or
//! corrupted, and no sign-in step sent twice. Shared by both drivers (see the README).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::driver;
use crate::support::Rng;
use cognito_emulator::{ClientConfig, Emulator, EmulatorHandle, Fault, FaultKind, PoolConfig};
use cognito_store::FileStore;
use driver::cognito_proto::error::{CoreError, ServiceErrorKind};
use driver::{Error, RetryPolicy, SignInOutcome, Start, Timeouts, TransportErrorKind, UserPool};

const OPERATIONS: usize = 500;
const PASSWORD: &str = "Correct-Horse-1";
/// The client's response timeout; delay faults wait longer than this. (At 500 ms, and now
/// and then at 1 s, a request with no fault injected timed out on a loaded two-core machine,
/// failing the run or adding an attempt.)
const TIMEOUT: Duration = Duration::from_millis(2_000);
const DELAY_MS: u64 = 3_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    GetUser,
    ListDevices,
    UpdateAttributes,
    Refresh,
    SrpSignIn,
    PasswordSignIn,
}

impl Op {
    const ALL: [Op; 6] = [
        Op::GetUser,
        Op::ListDevices,
        Op::UpdateAttributes,
        Op::Refresh,
        Op::SrpSignIn,
        Op::PasswordSignIn,
    ];

    /// The requests the operation sends, as (fault target, counter name, idempotent).
    fn requests(self) -> &'static [(&'static str, &'static str, bool)] {
        match self {
            Op::GetUser => &[("GetUser", "GetUser", true)],
            Op::ListDevices => &[("ListDevices", "ListDevices", true)],
            Op::UpdateAttributes => &[("UpdateUserAttributes", "UpdateUserAttributes", false)],
            Op::Refresh => &[("InitiateAuth", "InitiateAuth:REFRESH_TOKEN_AUTH", true)],
            Op::SrpSignIn => &[
                ("InitiateAuth", "InitiateAuth:USER_SRP_AUTH", false),
                ("RespondToAuthChallenge", "RespondToAuthChallenge", false),
            ],
            Op::PasswordSignIn => &[("InitiateAuth", "InitiateAuth:USER_PASSWORD_AUTH", false)],
        }
    }
}

const KINDS: [FaultKind; 5] = [
    FaultKind::Http500,
    FaultKind::Throttle,
    FaultKind::Truncate,
    FaultKind::Reset,
    FaultKind::Delay,
];

/// Whether `error` is what fault `kind` produces when it is not retried.
fn typed_as(kind: FaultKind, error: &Error) -> bool {
    match (kind, error) {
        // A failed refresh carries the error of the refresh request.
        (_, Error::Refresh(inner)) => typed_as(kind, inner),
        (FaultKind::Http500, Error::Cognito(CoreError::Service(e))) => {
            e.kind == ServiceErrorKind::InternalError && e.status == 500
        }
        (FaultKind::Throttle, Error::Cognito(CoreError::Service(e))) => {
            e.kind == ServiceErrorKind::TooManyRequests
        }
        (FaultKind::Truncate, Error::Cognito(CoreError::InvalidResponse { .. })) => true,
        (FaultKind::Truncate | FaultKind::Reset, Error::Transport(t)) => {
            t.kind() == TransportErrorKind::Io
        }
        (FaultKind::Delay, Error::Transport(t)) => t.kind() == TransportErrorKind::Timeout,
        _ => false,
    }
}

struct Rig {
    emu: EmulatorHandle,
    skew: Arc<AtomicU64>,
}

impl Rig {
    fn advance(&self, secs: u64) {
        self.emu.advance_clock(secs);
        self.skew.fetch_add(secs, Ordering::SeqCst);
    }
}

driver_test! {
    async fn faults_500_operations_typed_retried_only_when_safe_sessions_kept() {
        let (mut rng, seed) = Rng::from_env("FAULTS_SEED");
        let emu = Emulator::start_blocking().expect("emulator");
        let info = emu.create_pool(PoolConfig::default()).expect("pool");
        let client = emu
            .create_client(&info.pool_id, ClientConfig::default())
            .expect("client");
        emu.create_user(
            &info.pool_id,
            "faye",
            PASSWORD,
            &[("email", "faye@example.com")],
        )
        .expect("user");
        let rig = Rig {
            emu,
            skew: Arc::new(AtomicU64::new(0)),
        };
        let dir = std::env::temp_dir().join(format!(
            "cognito-faults-{}-{}-{seed}",
            env!("CARGO_PKG_NAME"),
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let store: driver::SharedStore = Arc::new(FileStore::new(dir.join("session.json")));
        // The first sign-in goes through a handle with the default timeouts: on a loaded machine
        // its SRP exchange may outlast the fault handle's short response timeout.
        let signed_in = match aw!(UserPool::builder(&info.pool_id, &client.client_id)
            .endpoint_url(&rig.emu.url())
            .expect("url")
            .shared_store(Arc::clone(&store))
            .build()
            .expect("pool handle")
            .sign_in("faye", PASSWORD))
        {
            Ok(SignInOutcome::SignedIn(u)) => u,
            other => panic!("seed {seed}: initial sign-in: {other:?}"),
        };
        let skew = Arc::clone(&rig.skew);
        let pool = UserPool::builder(&info.pool_id, &client.client_id)
            .endpoint_url(&rig.emu.url())
            .expect("url")
            .shared_store(Arc::clone(&store))
            .transport(crate::default_transport(Timeouts {
                connect: Duration::from_secs(2),
                response: TIMEOUT,
            }))
            .retry_policy(RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(2),
                max_delay: Duration::from_millis(10),
            })
            .clock(move || SystemTime::now() + Duration::from_secs(skew.load(Ordering::SeqCst)))
            .build()
            .expect("pool handle");
        let user = pool.user(signed_in.username());

        let mut faults = 0usize;
        let mut failures = 0usize;
        let mut retried = 0usize;
        for i in 0..OPERATIONS {
            let op = rng.pick(&Op::ALL);
            let ctx = format!("seed {seed}, operation {i} ({op:?})");
            let fault = if rng.below(5) == 0 {
                let requests = op.requests();
                let target = requests[rng.below(requests.len())];
                let kind = rng.pick(&KINDS);
                rig.emu
                    .inject_fault(Fault::new(target.0, kind).delay_ms(DELAY_MS));
                faults += 1;
                Some((target, kind))
            } else {
                None
            };
            if op == Op::Refresh {
                rig.advance(3700);
            }
            let before: Vec<u64> = op
                .requests()
                .iter()
                .map(|r| rig.emu.request_count(r.1))
                .collect();
            let result: Result<(), Error> = match op {
                Op::GetUser => aw!(user.get_user()).map(|p| {
                    assert_eq!(p.username, "faye", "{ctx}: GetUser answer");
                }),
                Op::ListDevices => aw!(user.list_devices(None, None)).map(drop),
                Op::UpdateAttributes => aw!(user
                    .update_attributes(&[("name", &format!("Faye {i}"))]))
                    .map(drop),
                Op::Refresh => aw!(user.session()).map(|t| {
                    assert!(
                        t.is_valid(pool_now(&rig), Duration::ZERO),
                        "{ctx}: refreshed tokens are valid"
                    );
                }),
                Op::SrpSignIn => aw!(pool.sign_in("faye", PASSWORD)).map(|o| {
                    assert!(matches!(o, SignInOutcome::SignedIn(_)), "{ctx}: {o:?}");
                }),
                Op::PasswordSignIn => aw!(pool
                    .sign_in_with(Start::password("faye", PASSWORD)))
                    .map(|o| {
                        assert!(matches!(o, SignInOutcome::SignedIn(_)), "{ctx}: {o:?}");
                    }),
            };
            let attempts: Vec<u64> = op
                .requests()
                .iter()
                .zip(&before)
                .map(|(r, b)| rig.emu.request_count(r.1) - b)
                .collect();

            match fault {
                None => {
                    assert!(result.is_ok(), "{ctx}: no fault, yet {result:?}");
                    assert!(
                        attempts.iter().all(|&a| a == 1),
                        "{ctx}: no fault, attempts {attempts:?}"
                    );
                }
                Some(((target, counter, idempotent), kind)) => {
                    let index = op
                        .requests()
                        .iter()
                        .position(|r| r.1 == counter)
                        .expect("target is one of the requests");
                    let hit = attempts[index];
                    if let Err(e) = &result {
                        failures += 1;
                        assert!(
                            typed_as(kind, e),
                            "{ctx}: fault {kind:?} on {target} gave an untyped or wrong error: {e:?}"
                        );
                        assert_eq!(hit, 1, "{ctx}: a failed request is sent once here");
                        // A step after the failed one is never sent.
                        assert!(
                            attempts[index + 1..].iter().all(|&a| a == 0),
                            "{ctx}: requests after the failed step: {attempts:?}"
                        );
                        if idempotent {
                            // Only a truncated success body (a protocol error) is not retried.
                            assert!(
                                is_protocol(e),
                                "{ctx}: an idempotent call failed without retry: {e:?}"
                            );
                        }
                    } else {
                        assert!(
                            hit <= 2,
                            "{ctx}: fault {kind:?} on {target}: {hit} attempts"
                        );
                        if hit == 2 {
                            retried += 1;
                            assert!(
                                idempotent,
                                "{ctx}: non-idempotent {target} was sent twice after {kind:?}"
                            );
                        } else {
                            // A fault that did not fail the call without a retry: only possible
                            // for none of our kinds.
                            panic!("{ctx}: fault {kind:?} on {target} neither failed nor retried");
                        }
                    }
                    // Every step is sent at most once per sign-in: no Session reuse.
                    if !idempotent {
                        assert!(
                            attempts.iter().all(|&a| a <= 1),
                            "{ctx}: a sign-in step was sent twice: {attempts:?}"
                        );
                    }
                }
            }

            // The stored session survives everything: it parses and holds tokens.
            assert!(
                matches!(aw!(user.is_signed_in()), Ok(true)),
                "{ctx}: the stored session was lost: {:?}",
                aw!(user.is_signed_in())
            );
            // After a failed refresh the tokens are still there and a clean refresh works.
            if op == Op::Refresh && result.is_err() {
                aw!(user.session())
                    .unwrap_or_else(|e| panic!("{ctx}: refresh after the fault: {e:?}"));
            }
            if i % 50 == 49 {
                let p = aw!(user
                    .get_user())
                    .unwrap_or_else(|e| panic!("{ctx}: stored tokens unusable: {e:?}"));
                assert_eq!(p.username, "faye", "{ctx}: stored tokens belong to faye");
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            faults >= OPERATIONS / 10,
            "seed {seed}: only {faults} faults were injected"
        );
        assert!(
            failures > 0 && retried > 0,
            "seed {seed}: {failures} failures, {retried} retries"
        );
        eprintln!(
            "seed {seed}: {OPERATIONS} operations, {faults} faults, {failures} typed failures, {retried} retried"
        );
    }
}

fn pool_now(rig: &Rig) -> u64 {
    rig.emu.now()
}

fn is_protocol(e: &Error) -> bool {
    match e {
        Error::Refresh(inner) => is_protocol(inner),
        Error::Cognito(CoreError::InvalidResponse { .. }) => true,
        _ => false,
    }
}
