//! Heap held per in-flight sign-in flow, measured with a counting allocator.
//!
//! `cargo run --release -p cognito-benches --bin flow-heap [FLOWS]`
//!
//! Starts FLOWS `USER_SRP_AUTH` sign-ins against the in-memory [`ScriptedCognito`], keeps them
//! all in flight, and reports the live heap per flow at each wait: waiting for the
//! `InitiateAuth` answer, then waiting for the `PASSWORD_VERIFIER` claim's answer. The emitted
//! requests are dropped (a driver sends and frees them). The flow value itself (`size_of`,
//! which a driver's future or task holds) is reported separately.
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use chacha20::ChaCha20Rng;
use cognito_benches::{LoginInputs, NOW, ScriptedCognito};
use cognito_proto::signin::{Event, SignInFlow, Start};
use rand_core::SeedableRng;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

fn live(region: &Region<'_, std::alloc::System>) -> isize {
    let c = region.change();
    // stats_alloc already adds a realloc's growth to `bytes_allocated` (and a shrink to
    // `bytes_deallocated`); `bytes_reallocated` repeats it and must not be added again.
    c.bytes_allocated as isize - c.bytes_deallocated as isize
}

fn run(flows: usize) -> Result<(), String> {
    let server = ScriptedCognito::new(&LoginInputs::fixed())?;
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    server.sign_in(&mut rng)?; // warm-up: SRP tables and constants are built once per process
    let (config, endpoint) = server.parts();

    let mut in_flight: Vec<SignInFlow> = Vec::with_capacity(flows);
    let region = Region::new(GLOBAL);
    for _ in 0..flows {
        let (flow, first) = SignInFlow::start(
            config,
            endpoint,
            Start::srp("alice", server.password()),
            None,
            NOW,
            &mut rng,
        )
        .map_err(|e| format!("{e:?}"))?;
        drop(first);
        in_flight.push(flow);
    }
    let after_start = live(&region);
    let region = Region::new(GLOBAL);
    for flow in in_flight.iter_mut() {
        let claim = flow
            .handle_response(server.challenge_response(), NOW, &mut rng)
            .map_err(|e| format!("{e:?}"))?;
        if !matches!(claim, Event::Send(_)) {
            return Err(format!("expected the claim, got {claim:?}"));
        }
    }
    let after_claim = after_start + live(&region);
    let per = |bytes: isize| bytes as f64 / flows as f64;
    println!(
        "{{\"flows\": {flows}, \"size_of_signin\": {}, \"heap_per_flow_waiting_initiate\": {:.0}, \"heap_per_flow_waiting_claim\": {:.0}}}",
        std::mem::size_of::<SignInFlow>(),
        per(after_start),
        per(after_claim)
    );
    Ok(())
}

fn main() -> ExitCode {
    let flows = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    match run(flows) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flow-heap: {e}");
            ExitCode::FAILURE
        }
    }
}
