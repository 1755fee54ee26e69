//! Issue 9's goal "heap per in-flight sign-in flow ≤ 4 KiB", checked with a counting
//! allocator in every state a `USER_SRP_AUTH` sign-in with a remembered device waits in for a
//! response: `InitiateAuth`, the `PASSWORD_VERIFIER` claim, `DEVICE_SRP_AUTH` and the
//! `DEVICE_PASSWORD_VERIFIER` claim.
//!
//! Live bytes are `bytes_allocated - bytes_deallocated`: `stats_alloc` already folds a
//! `realloc`'s growth or shrink into those two, so adding `bytes_reallocated` would count it
//! twice. The test is the only one in its binary, so no other test allocates meanwhile.

#[path = "signin_support.rs"]
mod support;

use cognito_proto::config::RememberedDevice;
use cognito_proto::signin::{Event, SignInFlow, Start};
use cognito_proto::srp;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use support::*;

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

const FLOWS: usize = 200;
const PASSWORD: &str = "Corr3ct-horse!";
const DEVICE_KEY: &str = "us-east-1_0f6c0000-1111-2222-3333-444455556666";
const GROUP_KEY: &str = "-v7w9UcY6";
/// The goal, for the heap a flow holds plus the `SignInFlow` value itself.
const BUDGET: usize = 4096;

fn live(region: &Region<'_, std::alloc::System>) -> isize {
    let change = region.change();
    change.bytes_allocated as isize - change.bytes_deallocated as isize
}

/// Feeds `response` to every flow; each must emit a request (dropped, as a driver does).
fn advance(
    flows: &mut [SignInFlow],
    rng: &mut chacha20::ChaCha20Rng,
    response: impl Fn() -> http::Response<Vec<u8>>,
) {
    for flow in flows {
        let event = flow
            .handle_response(response(), NOW, rng)
            .expect("handle_response");
        assert!(
            matches!(event, Event::Send(_)),
            "expected a request, got {event:?}"
        );
    }
}

#[test]
fn heap_per_in_flight_flow_stays_within_4_kib_in_every_waiting_state() {
    let mut rng = rng(21);
    let config = config_with_secret();
    let endpoint = endpoint();
    let registration = srp::register_device(&mut rng, GROUP_KEY, DEVICE_KEY);
    let device = RememberedDevice {
        device_key: DEVICE_KEY.to_owned(),
        device_group_key: GROUP_KEY.to_owned(),
        device_password: registration.device_password,
    };
    let user = SrpServer::for_user(&mut rng, "7a3c5e1f-92b4-4d0e-8f61-2c9b7e4a1d05", PASSWORD);
    let device_server = SrpServer::for_device(
        &mut rng,
        GROUP_KEY,
        DEVICE_KEY,
        &registration.salt_b64,
        &registration.verifier_b64,
    );
    let session = "AYABeSession-".repeat(8);
    let device_params = serde_json::json!({ "DEVICE_KEY": DEVICE_KEY });
    let inputs = (
        Start::srp("alice", PASSWORD),
        device.clone(),
        user.password_verifier_params(),
        device_params.clone(),
        device_server.device_verifier_params(),
    );
    // Warm-up: SRP constants and tables are built once per process.
    drop(
        SignInFlow::start(&config, &endpoint, inputs.0.clone(), None, NOW, &mut rng)
            .expect("start"),
    );

    let mut flows = Vec::with_capacity(FLOWS);
    let whole = Region::new(GLOBAL);
    for _ in 0..FLOWS {
        let start = Start::srp("alice", PASSWORD);
        let (flow, first) = SignInFlow::start(
            &config,
            &endpoint,
            start,
            Some(device.clone()),
            NOW,
            &mut rng,
        )
        .expect("start");
        drop(first);
        flows.push(flow);
    }
    let mut waits = vec![("InitiateAuthSent", live(&whole))];
    advance(&mut flows, &mut rng, || {
        challenge("PASSWORD_VERIFIER", &session, inputs.2.clone())
    });
    waits.push(("PasswordVerifierSent", live(&whole)));
    advance(&mut flows, &mut rng, || {
        challenge("DEVICE_SRP_AUTH", &session, inputs.3.clone())
    });
    waits.push(("DeviceSrpAuthSent", live(&whole)));
    advance(&mut flows, &mut rng, || {
        challenge("DEVICE_PASSWORD_VERIFIER", &session, inputs.4.clone())
    });
    waits.push(("DevicePasswordVerifierSent", live(&whole)));
    assert_eq!(flows[0].state_name(), "DevicePasswordVerifierSent");

    let inline = std::mem::size_of::<SignInFlow>();
    for (state, bytes) in &waits {
        let per_flow = usize::try_from(*bytes).expect("flows hold heap") / FLOWS;
        assert!(per_flow > 0, "{state}: a flow in flight holds some heap");
        assert!(
            per_flow + inline <= BUDGET,
            "{state}: {per_flow} B heap + {inline} B inline per flow exceeds {BUDGET} B"
        );
    }
    // The counter itself: with every flow dropped, nothing they allocated is left.
    drop(flows);
    assert!(live(&whole) <= 0, "dropped flows left {} B", live(&whole));
}
