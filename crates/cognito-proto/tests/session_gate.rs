//! Single-flight refresh decisions (known client bug docs/protocol.md#pitfall-18).

use std::sync::{Arc, Condvar, Mutex};
use std::thread;

use cognito_proto::session::{RefreshGate, RefreshResult, RefreshStart, StaleTicket};

#[test]
fn one_leader_many_joiners() {
    let mut gate = RefreshGate::new();
    let seen = gate.generation();
    let RefreshStart::Lead(ticket) = gate.begin(seen) else {
        panic!("first caller must lead");
    };
    assert!(gate.in_flight());
    for _ in 0..5 {
        assert_eq!(gate.begin(seen), RefreshStart::Join);
    }
    assert_eq!(gate.finish(ticket, RefreshResult::Refreshed), Ok(seen + 1));
    // The waiting callers learn the result instead of refreshing again.
    for _ in 0..5 {
        assert_eq!(
            gate.begin(seen),
            RefreshStart::Finished(RefreshResult::Refreshed)
        );
    }
    // A caller that saw the new generation and again finds the tokens due may lead.
    assert!(matches!(gate.begin(seen + 1), RefreshStart::Lead(_)));
}

#[test]
fn a_failed_attempt_fails_its_waiters_once() {
    let mut gate = RefreshGate::new();
    let RefreshStart::Lead(ticket) = gate.begin(0) else {
        panic!("must lead");
    };
    assert_eq!(gate.begin(0), RefreshStart::Join);
    gate.finish(ticket, RefreshResult::FailedKeptTokens)
        .unwrap();
    assert_eq!(
        gate.begin(0),
        RefreshStart::Finished(RefreshResult::FailedKeptTokens)
    );
    assert_eq!(ticket_generation(&mut gate, 1), 1);
}

fn ticket_generation(gate: &mut RefreshGate, seen: u64) -> u64 {
    match gate.begin(seen) {
        RefreshStart::Lead(t) => {
            let g = t.generation();
            gate.finish(t, RefreshResult::SessionEnded).unwrap();
            g
        }
        other => panic!("expected to lead, got {other:?}"),
    }
}

#[test]
fn reset_makes_the_attempt_in_flight_stale() {
    let mut gate = RefreshGate::new();
    let RefreshStart::Lead(ticket) = gate.begin(0) else {
        panic!("must lead");
    };
    // Sign-out while the refresh is in flight.
    let g = gate.reset();
    assert_eq!(g, 1);
    assert!(!gate.in_flight());
    assert_eq!(
        gate.finish(ticket, RefreshResult::Refreshed),
        Err(StaleTicket)
    );
    assert_eq!(gate.begin(0), RefreshStart::Finished(RefreshResult::Reset));
    // A ticket from a newer attempt is not confused with the old one.
    let RefreshStart::Lead(t2) = gate.begin(1) else {
        panic!("must lead");
    };
    assert_eq!(t2.generation(), 1);
    assert_eq!(gate.finish(t2, RefreshResult::Refreshed), Ok(2));
}

/// What a driver keeps under one lock: the access token, its "expired" flag and the gate.
struct Shared {
    token: String,
    expired: bool,
    gate: RefreshGate,
    waiting: usize,
}

#[test]
fn pitfall_18_concurrent_callers_make_one_refresh_call() {
    const CALLERS: usize = 8;
    let state = Arc::new((
        Mutex::new(Shared {
            token: "old".into(),
            expired: true,
            gate: RefreshGate::new(),
            waiting: 0,
        }),
        Condvar::new(),
    ));
    let calls = Arc::new(Mutex::new(0usize));

    let handles: Vec<_> = (0..CALLERS)
        .map(|_| {
            let state = Arc::clone(&state);
            let calls = Arc::clone(&calls);
            thread::spawn(move || {
                let (lock, cvar) = &*state;
                let mut s = lock.lock().unwrap();
                let seen = s.gate.generation();
                loop {
                    if !s.expired {
                        return s.token.clone();
                    }
                    match s.gate.begin(seen) {
                        RefreshStart::Lead(ticket) => {
                            // Hold the "request" until every other caller is waiting on it,
                            // so all of them really found the token expired.
                            while s.waiting < CALLERS - 1 {
                                s = cvar.wait(s).unwrap();
                            }
                            drop(s);
                            *calls.lock().unwrap() += 1; // the one network call
                            s = lock.lock().unwrap();
                            if s.gate.finish(ticket, RefreshResult::Refreshed).is_ok() {
                                s.token = "new".into();
                                s.expired = false;
                            }
                            cvar.notify_all();
                        }
                        RefreshStart::Join => {
                            s.waiting += 1;
                            cvar.notify_all();
                            while s.gate.in_flight() {
                                s = cvar.wait(s).unwrap();
                            }
                        }
                        RefreshStart::Finished(RefreshResult::Refreshed) => {
                            return s.token.clone();
                        }
                        RefreshStart::Finished(other) => panic!("unexpected {other:?}"),
                    }
                }
            })
        })
        .collect();

    for h in handles {
        assert_eq!(h.join().unwrap(), "new");
    }
    assert_eq!(*calls.lock().unwrap(), 1);
}
