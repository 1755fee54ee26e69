//! End-to-end benches: the async driver (`cognito_async::UserPool`) against the emulator
//! (`cognito_emulator`, in process, on a runtime thread of its own) over loopback HTTP.
//!
//! `cargo bench -p cognito-benches --bench e2e` (add `-- --quick` for a short run).
//!
//! One iteration is one whole call as an application makes it, one at a time: a sign-in
//! (`USER_SRP_AUTH`: `InitiateAuth` + `RespondToAuthChallenge` with the SRP work on both
//! sides; `USER_PASSWORD_AUTH`: one `InitiateAuth`), or `GetUser` with the stored session.
#![forbid(unsafe_code)]

use std::time::Duration;

use cognito_async::{SignInOutcome, Start, UserPool};
use cognito_emulator::{ClientConfig, Emulator, EmulatorHandle, PoolConfig};
use criterion::{Criterion, criterion_group, criterion_main};

const USER: &str = "bench-user";
const PASSWORD: &str = "Bench-Passw0rd!";

fn setup() -> (EmulatorHandle, UserPool) {
    let emu = Emulator::start_blocking().expect("emulator");
    let pool = emu
        .create_pool(PoolConfig::default())
        .expect("CreateUserPool");
    let client = emu
        .create_client(&pool.pool_id, ClientConfig::default())
        .expect("CreateUserPoolClient");
    emu.create_user(&pool.pool_id, USER, PASSWORD, &[])
        .expect("create user");
    let handle = UserPool::builder(&pool.pool_id, &client.client_id)
        .endpoint_url(&emu.url())
        .expect("endpoint")
        .build()
        .expect("user pool");
    (emu, handle)
}

async fn sign_in(pool: &UserPool, start: Start) -> cognito_async::User {
    match pool.sign_in_with(start).await.expect("sign-in") {
        SignInOutcome::SignedIn(user) => user,
        SignInOutcome::Pending(s) => panic!("unexpected step {:?}", s.next_step()),
    }
}

fn e2e(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let (_emu, pool) = setup();
    // The first sign-in generates the pool's signing keys in the emulator.
    let user = runtime.block_on(sign_in(&pool, Start::srp(USER, PASSWORD)));

    let mut group = c.benchmark_group("e2e");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("sign_in/user_srp_auth", |b| {
        b.iter(|| runtime.block_on(sign_in(&pool, Start::srp(USER, PASSWORD))))
    });
    group.bench_function("sign_in/user_password_auth", |b| {
        b.iter(|| runtime.block_on(sign_in(&pool, Start::password(USER, PASSWORD))))
    });
    group.bench_function("get_user", |b| {
        b.iter(|| {
            let out = runtime.block_on(user.get_user()).expect("GetUser");
            assert_eq!(out.username, USER);
        })
    });
    group.finish();
}

criterion_group!(benches, e2e);
criterion_main!(benches);
