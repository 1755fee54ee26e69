//! The cost of validating requests against AWS's service model (`cognito_emulator::model`),
//! which the emulator does for every request before running it.
//!
//! `cargo bench -p cognito-benches --bench model` (add `-- --quick` for a short run). Before
//! timing, it counts the heap allocations of a valid request's validation (expected: none).
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use std::hint::black_box;

use cognito_emulator::model::validate_request;
use cognito_emulator::{ClientConfig, PoolConfig};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

const IDP: &str = "AWSCognitoIdentityProviderService";

/// Typical bodies: the SRP sign-in's first request (a 768-hex-digit `SRP_A`), its answer to
/// `PASSWORD_VERIFIER`, a sign-up, and the two creation requests of a test's setup.
fn bodies() -> Vec<(&'static str, &'static str, Value)> {
    let srp_a = "a1b2c3d4".repeat(96);
    let mut client = ClientConfig::default().to_request();
    client["UserPoolId"] = json!("us-east-1_AbCdEfGhI");
    vec![
        (
            "initiate_auth_srp",
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": "3n4b5urk1ft4fl3mg5e62d9ado",
                   "AuthParameters": {"USERNAME": "alice@example.com", "SRP_A": srp_a}}),
        ),
        (
            "respond_password_verifier",
            "RespondToAuthChallenge",
            json!({"ClientId": "3n4b5urk1ft4fl3mg5e62d9ado", "ChallengeName": "PASSWORD_VERIFIER",
                   "ChallengeResponses": {"USERNAME": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
                       "PASSWORD_CLAIM_SECRET_BLOCK": "QUJD".repeat(200),
                       "PASSWORD_CLAIM_SIGNATURE": "c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlMTIzNDU=",
                       "TIMESTAMP": "Tue Jan 6 12:00:00 UTC 2026"}}),
        ),
        (
            "sign_up",
            "SignUp",
            json!({"ClientId": "3n4b5urk1ft4fl3mg5e62d9ado", "Username": "alice", "Password": "Passw0rd!",
                   "UserAttributes": [{"Name": "email", "Value": "alice@example.com"},
                                      {"Name": "name", "Value": "Alice Liddell"}]}),
        ),
        (
            "create_user_pool",
            "CreateUserPool",
            PoolConfig::default().to_request(),
        ),
        ("create_user_pool_client", "CreateUserPoolClient", client),
    ]
}

fn allocations_of_valid_requests() {
    for (name, op, body) in bodies() {
        let target = format!("{IDP}.{op}");
        validate_request(&target, &body).expect("valid");
        let region = Region::new(GLOBAL);
        for _ in 0..100 {
            validate_request(black_box(&target), black_box(&body)).expect("valid");
        }
        let stats = region.change();
        println!(
            "model/validate/{name}: {} allocations in 100 validations",
            stats.allocations
        );
    }
}

fn validate(c: &mut Criterion) {
    allocations_of_valid_requests();
    let mut group = c.benchmark_group("model/validate");
    for (name, op, body) in bodies() {
        let target = format!("{IDP}.{op}");
        group.bench_function(name, |b| {
            b.iter(|| validate_request(black_box(&target), black_box(&body)))
        });
    }
    // For scale: parsing the same InitiateAuth body, which every request pays anyway.
    let (_, _, body) = &bodies()[0];
    let text = body.to_string();
    group.bench_function("parse_initiate_auth_srp_json", |b| {
        b.iter(|| serde_json::from_str::<Value>(black_box(&text)).expect("json"))
    });
    // The error path: four violations, one message.
    let bad = json!({"ClientId": "", "Username": "a b", "Password": "x",
                     "UserAttributes": [{"Name": ""}]});
    let target = format!("{IDP}.SignUp");
    group.bench_function("invalid_sign_up", |b| {
        b.iter(|| validate_request(black_box(&target), black_box(&bad)))
    });
    group.finish();
}

criterion_group!(benches, validate);
criterion_main!(benches);
