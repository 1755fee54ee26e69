//! The Rust side of the comparison runner (`benches/compare/run.sh`, see `benches/README.md`).
//!
//! ```text
//! srp-compare inputs             the fixed inputs as JSON: {"login": {...}, "device": {...}}
//! srp-compare check              the outputs for those inputs as JSON (compared across peers)
//! srp-compare time ITERATIONS    per-iteration times in ms as JSON (after one warm-up)
//! srp-compare first              one login in this fresh process, tables included, in ms
//! srp-compare server-check       the server side's B and a digest of S as JSON
//! srp-compare server ITERATIONS  per-iteration times in ms of the server's S = (A·v^u)^b
//!                                ("server_s", the verifier's table cached; "server_s_first",
//!                                a user's first handshake, table built) and B = k·v + g^b
//!                                ("server_b"), after a warm-up
//! ```
//! Every peer script in this directory answers the same three commands with the same JSON.
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::time::Instant;

use cognito_benches::{
    DeviceInputs, LoginInputs, ServerInputs, device_verifier, ephemeral, login_cold, login_total,
    server_premaster, server_premaster_first, server_public,
};
use sha2::{Digest, Sha256};

fn ms_list(times: &[f64]) -> String {
    let items: Vec<String> = times.iter().map(|t| format!("{t:.4}")).collect();
    format!("[{}]", items.join(", "))
}

fn hex_digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn time<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64() * 1000.0)
}

fn run(args: &[String]) -> Result<(), String> {
    let login = LoginInputs::fixed();
    let device = DeviceInputs::fixed();
    match args.first().map(String::as_str) {
        Some("inputs") => {
            println!(
                "{{\"login\": {}, \"device\": {}, \"server\": {}}}",
                login.to_json().trim_end(),
                device.to_json().trim_end(),
                ServerInputs::fixed().to_json().trim_end()
            );
        }
        Some("check") => {
            let eph = ephemeral(&login).map_err(|e| format!("{e:?}"))?;
            let claim = login_cold(&eph, &login).map_err(|e| format!("{e:?}"))?;
            let reg = device_verifier(&device);
            println!(
                "{{\"srp_a_hex\": \"{}\", \"signature\": \"{}\", \"device_password\": \"{}\", \"device_salt_b64\": \"{}\", \"device_verifier_b64\": \"{}\"}}",
                eph.public_hex(),
                claim.signature,
                reg.device_password.expose_secret(),
                reg.salt_b64,
                reg.verifier_b64
            );
        }
        Some("time") => {
            let iterations: usize = args
                .get(1)
                .and_then(|s| s.parse().ok())
                .ok_or("time needs an iteration count")?;
            // Warm-up: builds the fixed-base tables once, as any long-lived process would.
            login_total(&login).map_err(|e| format!("{e:?}"))?;
            let eph = ephemeral(&login).map_err(|e| format!("{e:?}"))?;
            let (mut total, mut cold, mut dev) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..iterations {
                let (r, t) = time(|| login_total(&login));
                r.map_err(|e| format!("{e:?}"))?;
                total.push(t);
                let (r, t) = time(|| login_cold(&eph, &login));
                r.map_err(|e| format!("{e:?}"))?;
                cold.push(t);
                let (_, t) = time(|| device_verifier(&device));
                dev.push(t);
            }
            println!(
                "{{\"total\": {}, \"cold\": {}, \"device\": {}}}",
                ms_list(&total),
                ms_list(&cold),
                ms_list(&dev)
            );
        }
        Some("first") => {
            let (r, t) = time(|| login_total(&login));
            r.map_err(|e| format!("{e:?}"))?;
            println!("{{\"first\": {t:.4}}}");
        }
        Some("server-check") => {
            let server = ServerInputs::fixed();
            let s = server_premaster(&server);
            println!(
                "{{\"srp_b_hex\": \"{}\", \"s_sha256\": \"{}\"}}",
                server_public(&server).to_str_radix(16),
                hex_digest(&s.to_bytes_be())
            );
        }
        Some("server") => {
            let iterations: usize = args
                .get(1)
                .and_then(|s| s.parse().ok())
                .ok_or("server needs an iteration count")?;
            let server = ServerInputs::fixed();
            // Warm-up: the fixed-base tables, as in a long-lived emulator.
            server_premaster(&server);
            server_public(&server);
            let (mut s_times, mut first_times, mut b_times) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..iterations {
                let (_, t) = time(|| server_premaster(&server));
                s_times.push(t);
                let (_, t) = time(|| server_premaster_first(&server));
                first_times.push(t);
                let (_, t) = time(|| server_public(&server));
                b_times.push(t);
            }
            println!(
                "{{\"server_s\": {}, \"server_s_first\": {}, \"server_b\": {}}}",
                ms_list(&s_times),
                ms_list(&first_times),
                ms_list(&b_times)
            );
        }
        _ => {
            return Err(
                "usage: srp-compare inputs | check | time ITERATIONS | first | server-check | server ITERATIONS"
                    .into(),
            );
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("srp-compare: {e}");
            ExitCode::FAILURE
        }
    }
}
