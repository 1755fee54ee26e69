//! Token verification throughput, one thread: cognito-jwt against aws-jwt-verify on the same
//! tokens, with a bare RSA-2048 PKCS#1 v1.5 verification as the limit (aws-lc-rs, the crypto
//! cognito-jwt uses natively), and the same bare verification by `ring` and the pure-Rust `rsa`
//! crate for the choice of crypto library.
//!
//! ```sh
//! benches/compare/jwt.sh                 # installs the npm peer, builds --release, runs
//! jwt-compare [SECONDS] [--node-peer benches/compare/js/jwt-peer.js]
//! ```
//!
//! Tokens: 64 access tokens of one pool (different `jti`/`username`), valid for a day, signed
//! with a fresh RSA-2048 key; both verifiers check signature, issuer, expiry, token use and
//! client, with the JWKS cached beforehand.
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    KeyPair, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use cognito_jwt::{Step, TokenUse, Verifier};
use serde_json::json;

const POOL: &str = "eu-west-1_BenchPool";
const CLIENT: &str = "benchclient0000000000000a";

/// Runs `f` over the tokens for about `secs` seconds; returns verifications per second.
fn rate(secs: f64, tokens: usize, mut f: impl FnMut(usize)) -> f64 {
    for i in 0..tokens {
        f(i); // warm-up
    }
    let start = Instant::now();
    let mut n = 0usize;
    while start.elapsed().as_secs_f64() < secs {
        for i in 0..tokens {
            f(i);
        }
        n += tokens;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// `n` and `e` of a DER `RSAPublicKey` (SEQUENCE of two INTEGERs), leading zeros dropped.
fn n_and_e(der: &[u8]) -> (Vec<u8>, Vec<u8>) {
    fn item(b: &[u8]) -> (&[u8], &[u8]) {
        let (len, start) = match b[1] {
            l if l < 0x80 => (usize::from(l), 2),
            l => {
                let k = usize::from(l & 0x7f);
                (
                    b[2..2 + k].iter().fold(0, |a, &x| a << 8 | usize::from(x)),
                    2 + k,
                )
            }
        };
        (&b[start..start + len], &b[start + len..])
    }
    let (seq, _) = item(der);
    let (n, rest) = item(seq);
    let (e, _) = item(rest);
    let strip = |v: &[u8]| v[v.iter().position(|&x| x != 0).unwrap_or(0)..].to_vec();
    (strip(n), strip(e))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let secs: f64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let peer = args
        .iter()
        .position(|a| a == "--node-peer")
        .and_then(|i| args.get(i + 1))
        .cloned();

    let key = RsaKeyPair::generate(KeySize::Rsa2048)?;
    let public = key.public_key();
    let (n, e) = n_and_e(public.as_ref());
    let jwks = json!({"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "bench",
        "n": B64.encode(&n), "e": B64.encode(&e)}]});
    let iss = format!("https://cognito-idp.eu-west-1.amazonaws.com/{POOL}");
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let header = B64.encode(json!({"kid": "bench", "alg": "RS256"}).to_string());
    let mut tokens = Vec::new();
    let mut signed = Vec::new(); // (signing input, signature) for the bare verifications
    for i in 0..64 {
        let claims = json!({"sub": format!("sub-{i}"), "iss": iss, "client_id": CLIENT,
            "origin_jti": format!("o-{i}"), "event_id": format!("e-{i}"), "token_use": "access",
            "scope": "aws.cognito.signin.user.admin", "auth_time": now, "exp": now + 86_400,
            "iat": now, "jti": format!("j-{i}"), "username": format!("user{i}")});
        let input = format!("{header}.{}", B64.encode(claims.to_string()));
        let mut sig = vec![0; key.public_modulus_len()];
        key.sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            input.as_bytes(),
            &mut sig,
        )?;
        tokens.push(format!("{input}.{}", B64.encode(&sig)));
        signed.push((input, sig));
    }

    // Ours: the sans-IO verifier with the JWKS cached (the drivers add only a read lock).
    let verifier: Verifier = Verifier::builder(POOL)
        .token_use(TokenUse::Access)
        .client_id(CLIENT)
        .build()?;
    let jwks_uri = format!("{iss}/.well-known/jwks.json");
    verifier.cache_jwks(&jwks_uri, jwks.to_string().as_bytes())?;
    let at = Duration::from_secs(now);
    for t in &tokens {
        match verifier.verify(t, at) {
            Step::Done(Ok(_)) => {}
            other => return Err(format!("our verifier refused a bench token: {other:?}").into()),
        }
    }
    let ours = rate(secs, tokens.len(), |i| {
        let _ = black_box(verifier.verify(black_box(&tokens[i]), at));
    });

    // The limit: the same RSA verification by aws-lc-rs, key parsed once.
    let der = public.as_ref().to_vec();
    let parsed = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &der)?;
    let bare = rate(secs, signed.len(), |i| {
        let (input, sig) = &signed[i];
        assert!(parsed.verify_sig(input.as_bytes(), sig).is_ok());
    });

    // The other candidates, bare.
    let ring_key = ring::signature::RsaPublicKeyComponents { n: &n, e: &e };
    let ring_rate = rate(secs, signed.len(), |i| {
        let (input, sig) = &signed[i];
        assert!(
            ring_key
                .verify(
                    &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                    input.as_bytes(),
                    sig
                )
                .is_ok()
        );
    });
    let rsa_key = rsa::PublicKey::new(
        rsa::BoxedUint::from_be_slice_vartime(&n),
        rsa::BoxedUint::from_be_slice_vartime(&e),
    )?;
    let rsa_verifier = rsa::pkcs1v15::VerifyingKey::<rsa::sha2::Sha256>::new(rsa_key);
    let rsa_rate = {
        use rsa::signature::Verifier as _;
        let sigs: Vec<rsa::pkcs1v15::Signature> = signed
            .iter()
            .map(|(_, s)| rsa::pkcs1v15::Signature::try_from(s.as_slice()))
            .collect::<Result<_, _>>()?;
        rate(secs.min(1.5), signed.len(), |i| {
            assert!(
                rsa_verifier
                    .verify(signed[i].0.as_bytes(), &sigs[i])
                    .is_ok()
            );
        })
    };

    // aws-jwt-verify on the same tokens and JWKS, in Node.
    let mut node: Option<(f64, f64)> = None;
    if let Some(peer) = peer {
        let fixture = std::env::temp_dir().join(format!("jwt-compare-{}.json", std::process::id()));
        std::fs::write(
            &fixture,
            json!({"poolId": POOL, "clientId": CLIENT, "jwks": jwks, "tokens": tokens, "seconds": secs})
                .to_string(),
        )?;
        let out = std::process::Command::new("node")
            .arg(&peer)
            .arg(&fixture)
            .output()?;
        let _ = std::fs::remove_file(&fixture);
        if !out.status.success() {
            return Err(
                format!("node peer failed: {}", String::from_utf8_lossy(&out.stderr)).into(),
            );
        }
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        node = Some((
            v["verifySync"].as_f64().unwrap_or(0.0),
            v["verify"].as_f64().unwrap_or(0.0),
        ));
    }

    println!(
        "JWT verification, one thread, {} tokens, ~{secs} s per row",
        tokens.len()
    );
    println!("| what | verifications/s | µs each |");
    println!("|---|---:|---:|");
    let row = |name: &str, r: f64| println!("| {name} | {r:.0} | {:.1} |", 1e6 / r);
    row(
        &format!("cognito-jwt `Verifier::verify` ({})", cognito_jwt::BACKEND),
        ours,
    );
    if let Some((sync, asynchronous)) = node {
        row("aws-jwt-verify 5.2.1 `verifySync`", sync);
        row("aws-jwt-verify 5.2.1 `await verify`", asynchronous);
    }
    row("bare RSA-2048 verify, aws-lc-rs (parsed key)", bare);
    row("bare RSA-2048 verify, ring 0.17", ring_rate);
    row("bare RSA-2048 verify, rsa 0.10 (pure Rust)", rsa_rate);
    println!();
    println!("ours / bare aws-lc-rs: {:.2}x the time", bare / ours);
    if let Some((sync, _)) = node {
        println!(
            "ours / aws-jwt-verify verifySync: {:.2}x the throughput",
            ours / sync
        );
    }
    Ok(())
}
