//! SRP benches: the client login compute (total and "cold"), device verifier generation, and
//! the modular-exponentiation primitives against plain `num-bigint` `modpow`.
//!
//! `cargo bench -p cognito-benches --bench srp` (add `-- --quick` for a short run).
#![forbid(unsafe_code)]

use std::hint::black_box;

use chacha20::ChaCha20Rng;
use cognito_benches::{
    DeviceInputs, LoginInputs, ScriptedCognito, device_verifier, ephemeral, login_cold, login_total,
};
use cognito_proto::srp;
use criterion::{Criterion, criterion_group, criterion_main};
use num_bigint::BigUint;
use rand_core::SeedableRng;

fn login(c: &mut Criterion) {
    let inputs = LoginInputs::fixed();
    let eph = ephemeral(&inputs).expect("A != 0");
    let mut group = c.benchmark_group("login");
    // A = g^a, then u, x, S = (B - k g^x)^(a + u x), the HKDF key and the signature.
    group.bench_function("total", |b| {
        b.iter(|| login_total(black_box(&inputs)).expect("login"))
    });
    // Everything after the password is known; A was computed while the user typed.
    group.bench_function("cold", |b| {
        b.iter(|| login_cold(black_box(&eph), black_box(&inputs)).expect("login"))
    });
    group.bench_function("ephemeral_a", |b| {
        b.iter(|| ephemeral(black_box(&inputs)).expect("A != 0"))
    });
    group.finish();
}

fn signin(c: &mut Criterion) {
    let server = ScriptedCognito::new(&LoginInputs::fixed()).expect("fixture");
    let mut rng = ChaCha20Rng::seed_from_u64(21);
    // The whole USER_SRP_AUTH sign-in through the sans-IO state machine, in memory: draw a,
    // A, the InitiateAuth request, the PASSWORD_VERIFIER claim, the tokens.
    c.bench_function("signin/user_srp_in_memory", |b| {
        b.iter(|| server.sign_in(&mut rng).expect("signed in"))
    });
}

fn device(c: &mut Criterion) {
    let inputs = DeviceInputs::fixed();
    c.bench_function("device/verifier", |b| {
        b.iter(|| device_verifier(black_box(&inputs)))
    });
}

fn primitives(c: &mut Criterion) {
    let inputs = LoginInputs::fixed();
    let n = srp::modulus();
    let g = srp::generator();
    let a = inputs.a(); // 1024 bits
    let x = BigUint::parse_bytes(
        b"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        16,
    )
    .expect("hex"); // 256 bits
    let base = srp::pow_g(&(&a + 12345u32)); // some residue
    let exp_1025 = &a + (&x * &x); // a + u·x sized
    let mut group = c.benchmark_group("modexp");
    group.bench_function("pow_g/1024", |b| b.iter(|| srp::pow_g(black_box(&a))));
    group.bench_function("pow_g/256", |b| b.iter(|| srp::pow_g(black_box(&x))));
    group.bench_function("pow_mod_n/1025", |b| {
        b.iter(|| srp::pow_mod_n(black_box(&base), black_box(&exp_1025)))
    });
    group.bench_function("num_bigint_modpow/g^1024", |b| {
        b.iter(|| g.modpow(black_box(&a), n))
    });
    group.bench_function("num_bigint_modpow/g^256", |b| {
        b.iter(|| g.modpow(black_box(&x), n))
    });
    group.bench_function("num_bigint_modpow/base^1025", |b| {
        b.iter(|| base.modpow(black_box(&exp_1025), n))
    });
    group.finish();
}

criterion_group!(benches, login, signin, device, primitives);
criterion_main!(benches);
