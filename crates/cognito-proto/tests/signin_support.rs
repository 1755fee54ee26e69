//! Shared helpers of the sign-in tests: a scripted Cognito that answers with JSON as the
//! service sends it, and a real server side of SRP (users and devices) so that a wrong
//! signature fails the test. Included by each `signin_*.rs` test file with `#[path]`.
#![allow(dead_code, missing_docs)]

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20::ChaCha20Rng;
use cognito_proto::config::{ClientConfig, RememberedDevice};
use cognito_proto::envelope::Endpoint;
use cognito_proto::signin::{Answer, Event, NextStep, SignInFlow, SignedIn, Start};
use cognito_proto::srp;
use num_bigint::BigUint;
use rand_core::{Rng, SeedableRng};
use serde_json::{Value, json};

pub const POOL_ID: &str = "us-east-1_AbCdEfGhI";
pub const POOL_NAME: &str = "AbCdEfGhI";
pub const CLIENT_ID: &str = "3n4b5urk1ft4fl3mg5e62d9ado";
pub const CLIENT_SECRET: &str = "1vbr7c7s2b7sd6mvk0vu6eh1eav4r1bhf8m2o7lhqfmh7bg5cuho";
/// Tue Nov 3 07:05:22 UTC 2026.
pub const NOW: u64 = 1_793_689_522;
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

pub fn config() -> ClientConfig {
    ClientConfig::new(POOL_ID, CLIENT_ID).expect("valid pool id")
}

pub fn config_with_secret() -> ClientConfig {
    config().with_secret(CLIENT_SECRET)
}

pub fn endpoint() -> Endpoint {
    Endpoint::for_region("us-east-1").expect("valid region")
}

/// The expected `SECRET_HASH` for `username`, computed independently of the flow's code.
pub fn expected_secret_hash(username: &str) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(CLIENT_SECRET.as_bytes())
        .expect("any key length");
    mac.update(username.as_bytes());
    mac.update(CLIENT_ID.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

// ---- requests ------------------------------------------------------------------------------

/// A request the flow emitted, parsed back.
#[derive(Debug)]
pub struct Sent {
    /// The operation (the part of `X-Amz-Target` after the service prefix).
    pub op: String,
    pub body: Value,
}

impl Sent {
    /// A member of `AuthParameters` (InitiateAuth) or `ChallengeResponses`.
    pub fn param(&self, key: &str) -> Option<&str> {
        let map = if self.op == "InitiateAuth" {
            &self.body["AuthParameters"]
        } else {
            &self.body["ChallengeResponses"]
        };
        map.get(key).and_then(Value::as_str)
    }

    pub fn params(&self) -> BTreeMap<String, String> {
        let map = if self.op == "InitiateAuth" {
            &self.body["AuthParameters"]
        } else {
            &self.body["ChallengeResponses"]
        };
        serde_json::from_value(map.clone()).unwrap_or_default()
    }

    pub fn session(&self) -> Option<&str> {
        self.body.get("Session").and_then(Value::as_str)
    }

    pub fn challenge(&self) -> Option<&str> {
        self.body.get("ChallengeName").and_then(Value::as_str)
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        self.body.get(key).and_then(Value::as_str)
    }

    /// Asserts the operation and, for `RespondToAuthChallenge`, the challenge name.
    pub fn expect(&self, op: &str, challenge: Option<&str>) -> &Self {
        assert_eq!(self.op, op, "operation of {:?}", self.body);
        assert_eq!(self.challenge(), challenge, "ChallengeName of {op}");
        self
    }
}

/// Parses an emitted request: checks the envelope (POST, content type, target) and the JSON.
pub fn parse_request(event: Event) -> Sent {
    let prepared = match event {
        Event::Send(prepared) => prepared,
        other => panic!("expected a request, got {other:?}"),
    };
    let request = prepared.request;
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        request
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/x-amz-json-1.1")
    );
    let target = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .expect("X-Amz-Target")
        .to_owned();
    let op = target
        .strip_prefix(TARGET_PREFIX)
        .unwrap_or_else(|| panic!("target {target}"))
        .to_owned();
    assert_eq!(prepared.operation, op);
    let body: Value = serde_json::from_slice(request.body()).expect("JSON body");
    if op == "InitiateAuth" || op == "RespondToAuthChallenge" {
        assert_eq!(body["ClientId"], CLIENT_ID);
    }
    Sent { op, body }
}

pub fn expect_step(event: Event) -> NextStep {
    match event {
        Event::Step(step) => step,
        other => panic!("expected a step, got {other:?}"),
    }
}

pub fn expect_done(event: Event) -> SignedIn {
    match event {
        Event::Done(done) => done,
        other => panic!("expected Done, got {other:?}"),
    }
}

// ---- responses -----------------------------------------------------------------------------

pub fn response(status: u16, body: &[u8]) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amzn-requestid", "7b1e2a36-0000-4000-8000-000000000000")
        .body(body.to_vec())
        .expect("valid response")
}

pub fn ok(body: Value) -> http::Response<Vec<u8>> {
    response(200, body.to_string().as_bytes())
}

/// An error as Cognito sends it: `{"__type": ..., "message": ...}` with status 400.
pub fn service_error(kind: &str, message: &str) -> http::Response<Vec<u8>> {
    response(
        400,
        json!({"__type": kind, "message": message})
            .to_string()
            .as_bytes(),
    )
}

pub fn challenge(name: &str, session: &str, parameters: Value) -> http::Response<Vec<u8>> {
    ok(json!({
        "ChallengeName": name,
        "Session": session,
        "ChallengeParameters": parameters,
    }))
}

/// A JWT-shaped token (unsigned) with the given claims.
pub fn jwt(claims: Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"kid":"test","alg":"RS256"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.c2lnbmF0dXJl")
}

pub fn access_token(username: &str) -> String {
    jwt(
        json!({"sub": "0f6c0000-1111-2222-3333-444455556666", "token_use": "access",
               "client_id": CLIENT_ID, "username": username, "exp": NOW + 3600, "iat": NOW}),
    )
}

pub fn id_token(username: &str) -> String {
    jwt(
        json!({"sub": "0f6c0000-1111-2222-3333-444455556666", "token_use": "id",
               "aud": CLIENT_ID, "cognito:username": username, "exp": NOW + 3600, "iat": NOW}),
    )
}

/// `AuthenticationResult` for `username`, optionally with `NewDeviceMetadata`.
pub fn tokens(username: &str, new_device: Option<(&str, &str)>) -> http::Response<Vec<u8>> {
    let mut result = json!({
        "AccessToken": access_token(username),
        "ExpiresIn": 3600,
        "TokenType": "Bearer",
        "RefreshToken": "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.a.b.c.d",
        "IdToken": id_token(username),
    });
    if let Some((device_key, group_key)) = new_device {
        result["NewDeviceMetadata"] = json!({"DeviceKey": device_key, "DeviceGroupKey": group_key});
    }
    ok(json!({"AuthenticationResult": result, "ChallengeParameters": {}}))
}

pub fn assert_tokens(done: &SignedIn, username: &str) {
    assert_eq!(
        done.tokens.access_token.expose_secret(),
        &access_token(username)
    );
    assert_eq!(done.tokens.id_token.expose_secret(), &id_token(username));
    assert!(done.tokens.refresh_token.is_some());
    assert_eq!(done.tokens.expires_in, 3600);
    assert_eq!(done.username, username);
}

// ---- the server side of SRP ----------------------------------------------------------------

fn random_uint(rng: &mut ChaCha20Rng, bytes: usize) -> BigUint {
    let mut buf = vec![0u8; bytes];
    rng.fill_bytes(&mut buf);
    BigUint::from_bytes_be(&buf)
}

/// One SRP handshake as the server runs it (docs/protocol.md#46-server-side): it knows only the verifier.
pub struct SrpServer {
    realm: String,
    user: String,
    salt: BigUint,
    v: BigUint,
    b: BigUint,
    big_b: BigUint,
    secret_block: Vec<u8>,
}

impl SrpServer {
    /// A user with `password`: verifier over (pool name, internal username).
    pub fn for_user(rng: &mut ChaCha20Rng, user_id_for_srp: &str, password: &str) -> Self {
        let salt = random_uint(rng, 16);
        let v = srp::verifier(&salt, POOL_NAME, user_id_for_srp, password);
        Self::with_verifier(rng, POOL_NAME, user_id_for_srp, salt, v)
    }

    /// A device registered with `ConfirmDevice`: the salt and verifier as it sent them
    /// (standard base64 of the padded bytes).
    pub fn for_device(
        rng: &mut ChaCha20Rng,
        device_group_key: &str,
        device_key: &str,
        salt_b64: &str,
        verifier_b64: &str,
    ) -> Self {
        let salt = BigUint::from_bytes_be(&STANDARD.decode(salt_b64).expect("salt base64"));
        let v = BigUint::from_bytes_be(&STANDARD.decode(verifier_b64).expect("verifier base64"));
        Self::with_verifier(rng, device_group_key, device_key, salt, v)
    }

    pub fn with_verifier(
        rng: &mut ChaCha20Rng,
        realm: &str,
        user: &str,
        salt: BigUint,
        v: BigUint,
    ) -> Self {
        let n = srp::modulus();
        let b = random_uint(rng, 32);
        let big_b = (srp::multiplier() * &v + srp::pow_g(&b)) % n;
        let mut secret_block = vec![0u8; 64];
        rng.fill_bytes(&mut secret_block);
        SrpServer {
            realm: realm.to_owned(),
            user: user.to_owned(),
            salt,
            v,
            b,
            big_b,
            secret_block,
        }
    }

    pub fn secret_block_b64(&self) -> String {
        STANDARD.encode(&self.secret_block)
    }

    /// `PASSWORD_VERIFIER` parameters.
    pub fn password_verifier_params(&self) -> Value {
        json!({
            "SALT": srp::to_hex(&self.salt),
            "SRP_B": srp::to_hex(&self.big_b),
            "SECRET_BLOCK": self.secret_block_b64(),
            "USER_ID_FOR_SRP": self.user,
            "USERNAME": self.user,
        })
    }

    /// `DEVICE_PASSWORD_VERIFIER` parameters.
    pub fn device_verifier_params(&self) -> Value {
        json!({
            "SALT": srp::to_hex(&self.salt),
            "SRP_B": srp::to_hex(&self.big_b),
            "SECRET_BLOCK": self.secret_block_b64(),
            "USERNAME": "ignored-echo",
            "DEVICE_KEY": self.user,
        })
    }

    /// Verifies a claim (docs/protocol.md#46-server-side `RespondToAuthChallenge(PASSWORD_VERIFIER)` steps 2-5) for the
    /// client's `SRP_A` and the expected `TIMESTAMP` instant.
    pub fn verify(&self, srp_a: &str, claim: &Sent, now: u64) -> Result<(), String> {
        let n = srp::modulus();
        if claim.param("PASSWORD_CLAIM_SECRET_BLOCK") != Some(self.secret_block_b64().as_str()) {
            return Err("secret block not echoed verbatim".into());
        }
        let timestamp = claim.param("TIMESTAMP").ok_or("no TIMESTAMP")?;
        if srp::parse_timestamp(timestamp) != Some(now) {
            return Err(format!("TIMESTAMP {timestamp} is not {now}"));
        }
        let a = srp::parse_hex("SRP_A", srp_a).map_err(|e| e.to_string())?;
        if (&a % n) == BigUint::ZERO {
            return Err("A mod N = 0".into());
        }
        let u = srp::hash_u(&a, &self.big_b);
        let base = (&a * srp::pow_mod_n(&self.v, &u)) % n;
        let s = srp::pow_mod_n(&base, &self.b);
        let key = srp::derive_key(&s, &u);
        let expected = srp::claim_signature(
            key.expose_secret(),
            &self.realm,
            &self.user,
            &self.secret_block,
            timestamp,
        );
        match claim.param("PASSWORD_CLAIM_SIGNATURE") {
            Some(sig) if sig == expected => Ok(()),
            Some(_) => Err("wrong PASSWORD_CLAIM_SIGNATURE".into()),
            None => Err("no PASSWORD_CLAIM_SIGNATURE".into()),
        }
    }
}

// ---- driving a flow ------------------------------------------------------------------------

/// A flow with its RNG and clock.
pub struct Drive {
    pub flow: SignInFlow,
    pub rng: ChaCha20Rng,
    pub now: u64,
}

impl Drive {
    /// Starts a flow and returns the first request.
    pub fn start(
        config: &ClientConfig,
        start: Start,
        device: Option<RememberedDevice>,
    ) -> (Drive, Sent) {
        let mut rng = rng(7);
        let (flow, event) =
            SignInFlow::start(config, &endpoint(), start, device, NOW, &mut rng).expect("start");
        let sent = parse_request(event);
        (
            Drive {
                flow,
                rng,
                now: NOW,
            },
            sent,
        )
    }

    pub fn reply(&mut self, response: http::Response<Vec<u8>>) -> Event {
        self.flow
            .handle_response(response, self.now, &mut self.rng)
            .expect("handle_response")
    }

    pub fn reply_err(
        &mut self,
        response: http::Response<Vec<u8>>,
    ) -> cognito_proto::error::CoreError {
        match self.flow.handle_response(response, self.now, &mut self.rng) {
            Err(error) => error,
            Ok(event) => panic!("expected an error, got {event:?}"),
        }
    }

    pub fn reply_send(&mut self, response: http::Response<Vec<u8>>) -> Sent {
        let event = self.reply(response);
        parse_request(event)
    }

    pub fn reply_step(&mut self, response: http::Response<Vec<u8>>) -> NextStep {
        let event = self.reply(response);
        expect_step(event)
    }

    pub fn reply_done(&mut self, response: http::Response<Vec<u8>>) -> SignedIn {
        let event = self.reply(response);
        expect_done(event)
    }

    pub fn answer(&mut self, answer: Answer) -> Sent {
        let event = self
            .flow
            .answer(answer, self.now, &mut self.rng)
            .expect("answer");
        parse_request(event)
    }

    pub fn answer_event(&mut self, answer: Answer) -> Event {
        self.flow
            .answer(answer, self.now, &mut self.rng)
            .expect("answer")
    }
}
