//! Shared fixtures for the benches and for the side-by-side comparison runner
//! (`benches/compare/`, see `benches/README.md`).
//!
//! Every input is derived from fixed seeds, so the criterion benches, the comparison binary
//! and the peer implementations (which read [`LoginInputs::to_json`]) all compute the same
//! login and can be checked against one another before anything is timed.
#![forbid(unsafe_code)]

pub mod load;

use chacha20::ChaCha20Rng;
use cognito_proto::config::ClientConfig;
use cognito_proto::envelope::Endpoint;
use cognito_proto::signin::{Event, SignInFlow, SignedIn, Start};
use cognito_proto::srp::{self, Claim, DeviceRegistration, Ephemeral, ServerChallenge, SrpError};
use num_bigint::BigUint;
use rand_core::{Rng, SeedableRng};

/// Fixed inputs of one `PASSWORD_VERIFIER` login computation.
#[derive(Clone, Debug)]
pub struct LoginInputs {
    /// User pool id (`region_name`).
    pub pool_id: String,
    /// `USER_ID_FOR_SRP`.
    pub user_id_for_srp: String,
    /// The password.
    pub password: String,
    /// The client's private value `a` (128 bytes, as Amplify draws it), lowercase hex.
    pub a_hex: String,
    /// `SALT` (16 bytes), lowercase hex.
    pub salt_hex: String,
    /// `SRP_B`: a real server value `k·v + g^b` for the password above, lowercase hex.
    pub srp_b_hex: String,
    /// `SECRET_BLOCK`, standard base64 (1 KiB of random bytes, the size Cognito sends).
    pub secret_block_b64: String,
    /// The exact `TIMESTAMP` string to sign.
    pub timestamp: String,
}

/// Fixed inputs of one device-verifier generation (`ConfirmDevice`).
#[derive(Clone, Debug)]
pub struct DeviceInputs {
    /// `DeviceGroupKey`.
    pub device_group_key: String,
    /// `DeviceKey`.
    pub device_key: String,
    /// The 40 random bytes of the device password.
    pub password_bytes: [u8; 40],
    /// The 16 random bytes of the salt.
    pub salt_bytes: [u8; 16],
}

fn random_bytes<const L: usize>(rng: &mut ChaCha20Rng) -> [u8; L] {
    let mut out = [0u8; L];
    rng.fill_bytes(&mut out);
    out
}

/// Every byte as two lowercase hex digits (keeps leading zeros).
fn hex_fixed(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Minimal lowercase hex of a big-endian integer.
fn hex(bytes: &[u8]) -> String {
    BigUint::from_bytes_be(bytes).to_str_radix(16)
}

impl LoginInputs {
    /// The fixed login used by every bench (seeded ChaCha20; B built like a real server does).
    pub fn fixed() -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(0x5eed_c09a_1702);
        let pool_id = "eu-west-1_BenchPool7".to_owned();
        let user_id_for_srp = "7a3c5e1f-92b4-4d0e-8f61-2c9b7e4a1d05".to_owned();
        let password = "Correct-Horse-Battery-Staple-42!".to_owned();
        // Force the top bit so that `a` is a full 1024-bit value.
        let mut a = random_bytes::<128>(&mut rng);
        a[0] |= 0x80;
        let salt = random_bytes::<16>(&mut rng);
        let b = BigUint::from_bytes_be(&random_bytes::<32>(&mut rng));
        let mut secret_block = vec![0u8; 1024];
        rng.fill_bytes(&mut secret_block);
        let salt_int = BigUint::from_bytes_be(&salt);
        let realm = srp::pool_name(&pool_id).unwrap_or_default();
        let v = srp::verifier(&salt_int, realm, &user_id_for_srp, &password);
        let big_b = (srp::multiplier() * v + srp::pow_g(&b)) % srp::modulus();
        use base64::Engine as _;
        LoginInputs {
            pool_id,
            user_id_for_srp,
            password,
            a_hex: hex(&a),
            salt_hex: hex(&salt),
            srp_b_hex: srp::to_hex(&big_b),
            secret_block_b64: base64::engine::general_purpose::STANDARD.encode(&secret_block),
            timestamp: "Tue Nov 3 07:05:22 UTC 2026".to_owned(),
        }
    }

    /// The private value `a`.
    pub fn a(&self) -> BigUint {
        BigUint::parse_bytes(self.a_hex.as_bytes(), 16).unwrap_or_default()
    }

    /// The inputs as one JSON object (for the peer implementations of the comparison runner).
    pub fn to_json(&self) -> String {
        let fields = [
            ("pool_id", &self.pool_id),
            ("user_id_for_srp", &self.user_id_for_srp),
            ("password", &self.password),
            ("a_hex", &self.a_hex),
            ("salt_hex", &self.salt_hex),
            ("srp_b_hex", &self.srp_b_hex),
            ("secret_block_b64", &self.secret_block_b64),
            ("timestamp", &self.timestamp),
        ];
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("  \"{k}\": \"{v}\""))
            .collect();
        format!("{{\n{}\n}}\n", body.join(",\n"))
    }
}

impl DeviceInputs {
    /// The inputs as one JSON object (for the peer implementations of the comparison runner).
    pub fn to_json(&self) -> String {
        format!(
            "{{\n  \"device_group_key\": \"{}\",\n  \"device_key\": \"{}\",\n  \"password_bytes_hex\": \"{}\",\n  \"salt_bytes_hex\": \"{}\"\n}}\n",
            self.device_group_key,
            self.device_key,
            hex_fixed(&self.password_bytes),
            hex_fixed(&self.salt_bytes),
        )
    }

    /// The fixed device registration used by the benches.
    pub fn fixed() -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(0xde1c_e5a1);
        DeviceInputs {
            device_group_key: "-Fq2Jb7kE".to_owned(),
            device_key: "eu-west-1_6d1f0c2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f".to_owned(),
            password_bytes: random_bytes::<40>(&mut rng),
            salt_bytes: random_bytes::<16>(&mut rng),
        }
    }
}

/// Fixed inputs of the server's side of the same login ([`LoginInputs::fixed`]): what the
/// emulator holds when the `PASSWORD_VERIFIER` answer arrives.
#[derive(Clone, Debug)]
pub struct ServerInputs {
    /// The user's verifier `v = g^x`.
    pub verifier: BigUint,
    /// The client's `A = g^a`.
    pub big_a: BigUint,
    /// The server's private `b` (32 bytes, as the emulator draws it).
    pub b: BigUint,
    /// The server's `B = k·v + g^b`.
    pub big_b: BigUint,
    /// `u = H(PAD(A) | PAD(B))`.
    pub u: BigUint,
}

impl ServerInputs {
    /// The server side of [`LoginInputs::fixed`] (the same seed draws the same `b`).
    pub fn fixed() -> Self {
        let login = LoginInputs::fixed();
        let mut rng = ChaCha20Rng::seed_from_u64(0x5eed_c09a_1702);
        let _a = random_bytes::<128>(&mut rng);
        let salt = BigUint::from_bytes_be(&random_bytes::<16>(&mut rng));
        let b = BigUint::from_bytes_be(&random_bytes::<32>(&mut rng));
        let realm = srp::pool_name(&login.pool_id).unwrap_or_default();
        let verifier = srp::verifier(&salt, realm, &login.user_id_for_srp, &login.password);
        let big_a = srp::pow_g(&login.a());
        let big_b = BigUint::parse_bytes(login.srp_b_hex.as_bytes(), 16).unwrap_or_default();
        let u = srp::hash_u(&big_a, &big_b);
        ServerInputs {
            verifier,
            big_a,
            b,
            big_b,
            u,
        }
    }

    /// The inputs as one JSON object, lowercase hex (for the GMP reference).
    pub fn to_json(&self) -> String {
        format!(
            "{{\n  \"verifier_hex\": \"{}\",\n  \"srp_a_hex\": \"{}\",\n  \"b_hex\": \"{}\",\n  \"srp_b_hex\": \"{}\",\n  \"u_hex\": \"{}\"\n}}\n",
            self.verifier.to_str_radix(16),
            self.big_a.to_str_radix(16),
            self.b.to_str_radix(16),
            self.big_b.to_str_radix(16),
            self.u.to_str_radix(16),
        )
    }
}

/// The server's premaster secret `S = (A·v^u)^b mod N` for the fixed inputs, computed the way
/// the emulator computes it for a `PASSWORD_VERIFIER` answer of a user who signed in before:
/// `v^u` from the verifier's fixed-base table (built once, as the emulator caches it), then
/// `(A·v^u)^b`, constant-time in `b`.
pub fn server_premaster(inputs: &ServerInputs) -> BigUint {
    static TABLE: std::sync::OnceLock<srp::server::VerifierTable> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| srp::server::VerifierTable::new(&inputs.verifier));
    srp::server::premaster(&inputs.big_a, table, &inputs.u, &inputs.b)
}

/// [`server_premaster`] for a user's first handshake: the verifier's table is built first.
pub fn server_premaster_first(inputs: &ServerInputs) -> BigUint {
    let table = srp::server::VerifierTable::new(&inputs.verifier);
    srp::server::premaster(&inputs.big_a, &table, &inputs.u, &inputs.b)
}

/// The server's public `B = (k·v + g^b) mod N` for the fixed inputs, as the emulator computes
/// it when it answers `InitiateAuth` (`g^b` constant-time in `b`).
pub fn server_public(inputs: &ServerInputs) -> BigUint {
    srp::server::public_key(&inputs.verifier, &inputs.b)
}

/// The client's ephemeral key pair for the fixed `a` (computes `A = g^a`).
pub fn ephemeral(inputs: &LoginInputs) -> Result<Ephemeral, SrpError> {
    Ephemeral::from_private(inputs.a())
}

/// Everything after the password is known, with `A` already computed: parse the challenge,
/// then `u`, `x`, `S`, the HKDF key and the signature.
pub fn login_cold(eph: &Ephemeral, inputs: &LoginInputs) -> Result<Claim, SrpError> {
    let challenge = ServerChallenge::parse(
        &inputs.salt_hex,
        &inputs.srp_b_hex,
        &inputs.secret_block_b64,
    )?;
    srp::password_claim_at(
        eph,
        &inputs.pool_id,
        &inputs.user_id_for_srp,
        &inputs.password,
        &challenge,
        &inputs.timestamp,
    )
}

/// The whole client login compute: `A = g^a`, then [`login_cold`].
pub fn login_total(inputs: &LoginInputs) -> Result<Claim, SrpError> {
    let eph = ephemeral(inputs)?;
    login_cold(&eph, inputs)
}

/// Device password, salt and verifier for `ConfirmDevice` from the fixed random bytes.
pub fn device_verifier(inputs: &DeviceInputs) -> DeviceRegistration {
    srp::register_device_with(
        &inputs.password_bytes,
        &inputs.salt_bytes,
        &inputs.device_group_key,
        &inputs.device_key,
    )
}

/// Unix time of [`LoginInputs::timestamp`] (Tue Nov 3 07:05:22 UTC 2026).
pub const NOW: u64 = 1_793_689_522;

/// A scripted Cognito for the in-memory sign-in bench: it answers `InitiateAuth(USER_SRP_AUTH)`
/// with the `PASSWORD_VERIFIER` challenge of the fixed login inputs, and the claim with tokens.
/// No network, no server-side SRP check (the fixture's `B` is a real one, so the claim is
/// valid; `fixed_login_verifies_against_the_server_side_computation` checks that).
#[derive(Clone, Debug)]
pub struct ScriptedCognito {
    config: ClientConfig,
    endpoint: Endpoint,
    username: String,
    password: String,
    challenge: Vec<u8>,
    tokens: Vec<u8>,
}

impl ScriptedCognito {
    /// The scripted server for `inputs` (the user types `alice`; the pool's internal id is
    /// `inputs.user_id_for_srp`).
    pub fn new(inputs: &LoginInputs) -> Result<Self, String> {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let config = ClientConfig::new(&inputs.pool_id, "3n4b5urk1ft4fl3mg5e62d9ado")
            .map_err(|e| format!("{e:?}"))?;
        let endpoint = Endpoint::for_region("eu-west-1").map_err(|e| format!("{e:?}"))?;
        let challenge = serde_json::json!({
            "ChallengeName": "PASSWORD_VERIFIER",
            "Session": "AYABeBench-session-token-of-a-realistic-length-0123456789",
            "ChallengeParameters": {
                "SALT": inputs.salt_hex,
                "SRP_B": inputs.srp_b_hex,
                "SECRET_BLOCK": inputs.secret_block_b64,
                "USER_ID_FOR_SRP": inputs.user_id_for_srp,
                "USERNAME": inputs.user_id_for_srp,
            },
        });
        let jwt = |claims: serde_json::Value| {
            format!(
                "{}.{}.c2lnbmF0dXJl",
                b64.encode(br#"{"kid":"bench","alg":"RS256"}"#),
                b64.encode(claims.to_string())
            )
        };
        let sub = "0f6c0000-1111-2222-3333-444455556666";
        let tokens = serde_json::json!({
            "AuthenticationResult": {
                "AccessToken": jwt(serde_json::json!({"sub": sub, "token_use": "access",
                    "username": inputs.user_id_for_srp, "exp": NOW + 3600, "iat": NOW})),
                "IdToken": jwt(serde_json::json!({"sub": sub, "token_use": "id",
                    "cognito:username": inputs.user_id_for_srp, "exp": NOW + 3600, "iat": NOW})),
                "RefreshToken": "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.a.b.c.d",
                "ExpiresIn": 3600,
                "TokenType": "Bearer",
            },
            "ChallengeParameters": {},
        });
        Ok(ScriptedCognito {
            config,
            endpoint,
            username: "alice".to_owned(),
            password: inputs.password.clone(),
            challenge: challenge.to_string().into_bytes(),
            tokens: tokens.to_string().into_bytes(),
        })
    }

    /// The app client's configuration and endpoint.
    pub fn parts(&self) -> (&ClientConfig, &Endpoint) {
        (&self.config, &self.endpoint)
    }

    /// The user's password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The `PASSWORD_VERIFIER` challenge, as the answer to `InitiateAuth`.
    pub fn challenge_response(&self) -> http::Response<Vec<u8>> {
        Self::reply(&self.challenge)
    }

    fn reply(body: &[u8]) -> http::Response<Vec<u8>> {
        let mut response = http::Response::new(body.to_vec());
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        response
    }

    /// One whole `USER_SRP_AUTH` sign-in through the sans-IO state machine: start (draws `a`,
    /// computes `A`), the `PASSWORD_VERIFIER` claim, then the tokens.
    pub fn sign_in<R: rand_core::CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<SignedIn, String> {
        let (mut flow, first) = SignInFlow::start(
            &self.config,
            &self.endpoint,
            Start::srp(self.username.as_str(), self.password.as_str()),
            None,
            NOW,
            rng,
        )
        .map_err(|e| format!("{e:?}"))?;
        let Event::Send(_) = first else {
            return Err(format!("expected InitiateAuth, got {first:?}"));
        };
        let claim = flow
            .handle_response(Self::reply(&self.challenge), NOW, rng)
            .map_err(|e| format!("{e:?}"))?;
        let Event::Send(_) = claim else {
            return Err(format!("expected RespondToAuthChallenge, got {claim:?}"));
        };
        match flow
            .handle_response(Self::reply(&self.tokens), NOW, rng)
            .map_err(|e| format!("{e:?}"))?
        {
            Event::Done(done) => Ok(done),
            other => Err(format!("expected tokens, got {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_login_verifies_against_the_server_side_computation() {
        // The server's S = (A · v^u)^b must equal the client's, so the fixture B is real.
        let inputs = LoginInputs::fixed();
        let eph = ephemeral(&inputs).expect("A != 0");
        let claim = login_cold(&eph, &inputs).expect("valid challenge");
        assert_eq!(claim.signature.len(), 44);
        let mut rng = ChaCha20Rng::seed_from_u64(0x5eed_c09a_1702);
        let _a = random_bytes::<128>(&mut rng);
        let salt = BigUint::from_bytes_be(&random_bytes::<16>(&mut rng));
        let b = BigUint::from_bytes_be(&random_bytes::<32>(&mut rng));
        let n = srp::modulus();
        let v = srp::verifier(
            &salt,
            "BenchPool7",
            &inputs.user_id_for_srp,
            &inputs.password,
        );
        let big_b = BigUint::parse_bytes(inputs.srp_b_hex.as_bytes(), 16).expect("hex");
        let u = srp::hash_u(eph.public(), &big_b);
        let s_server = (eph.public() * v.modpow(&u, n) % n).modpow(&b, n);
        let key = srp::derive_key(&s_server, &u);
        assert_eq!(key.expose_secret(), claim.key().expose_secret());
    }

    #[test]
    fn server_inputs_give_the_clients_premaster() {
        let server = ServerInputs::fixed();
        assert_eq!(
            server_public(&server),
            server.big_b,
            "B is the fixture's SRP_B"
        );
        let inputs = LoginInputs::fixed();
        let eph = ephemeral(&inputs).expect("A != 0");
        let claim = login_cold(&eph, &inputs).expect("valid challenge");
        let key = srp::derive_key(&server_premaster(&server), &server.u);
        assert_eq!(key.expose_secret(), claim.key().expose_secret());
        assert_eq!(server_premaster_first(&server), server_premaster(&server));
        let plain =
            srp::server::premaster_uncached(&server.big_a, &server.verifier, &server.u, &server.b);
        assert_eq!(plain, server_premaster(&server));
    }

    #[test]
    fn login_total_equals_cold_after_ephemeral() {
        let inputs = LoginInputs::fixed();
        let total = login_total(&inputs).expect("login");
        let eph = ephemeral(&inputs).expect("A != 0");
        let cold = login_cold(&eph, &inputs).expect("login");
        assert_eq!(total.signature, cold.signature);
        assert_eq!(inputs.a().bits(), 1024);
    }

    #[test]
    fn scripted_sign_in_completes_with_tokens() {
        let server = ScriptedCognito::new(&LoginInputs::fixed()).expect("fixture");
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        let done = server.sign_in(&mut rng).expect("signed in");
        assert_eq!(done.username, LoginInputs::fixed().user_id_for_srp);
        assert!(done.tokens.refresh_token.is_some());
    }

    #[test]
    fn inputs_json_has_every_field() {
        let json = LoginInputs::fixed().to_json();
        for key in [
            "pool_id",
            "user_id_for_srp",
            "password",
            "a_hex",
            "salt_hex",
            "srp_b_hex",
            "secret_block_b64",
            "timestamp",
        ] {
            assert!(json.contains(&format!("\"{key}\": \"")), "{key}");
        }
    }
}
