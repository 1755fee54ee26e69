//! Secret hygiene: a full sign-in — client secret, SRP, TOTP setup and TOTP challenge, a new
//! device confirmed and then used for device SRP, refresh, profile calls, sign-out — under a
//! `tracing` subscriber that records everything at TRACE level (every span, every field,
//! every event, from every crate) and a `log` logger at TRACE level (what the HTTP stacks
//! log). The captured text must contain no password, token, code, TOTP secret, device
//! password or client secret. Then every public type that
//! can hold a secret is formatted with `Debug`, filled with the real secrets of this run, and
//! grepped the same way.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::driver;
use crate::secrets::{log_capture, trace_capture, traced_since};
use cognito_emulator::{ClientConfig, Emulator, MessageKind, MfaConfiguration, PoolConfig};
use driver::ops::{self, MfaSettings};
use driver::{Answer, MfaPreference, NextStep, SignInOutcome, Start, UserPool};
use serde_json::json;

const PASSWORD: &str = "Pw-3ecret-Horse-77";

/// Every secret seen during the run, with a label for the failure message.
#[derive(Default)]
struct Secrets(Vec<(String, String)>);

impl Secrets {
    fn add(&mut self, label: &str, value: &str) {
        if value.len() >= 6 {
            self.0.push((label.to_owned(), value.to_owned()));
        }
        // For JWTs, also the signature alone (a log could cut a token).
        if value.matches('.').count() == 2
            && let Some(sig) = value.rsplit('.').next()
        {
            self.0
                .push((format!("{label} (signature)"), sig.to_owned()));
        }
    }
    fn check(&self, what: &str, text: &str) {
        for (label, value) in &self.0 {
            assert!(
                !text.contains(value.as_str()),
                "{what} contains the {label}"
            );
        }
    }
}

driver_test! {
async fn no_secret_in_trace_output_or_debug() {
    let log_start = log_capture();
    let trace_start = trace_capture();
    let mut secrets = Secrets::default();
    secrets.add("password", PASSWORD);

    let emu = Emulator::start_blocking().expect("emulator");
    let info = emu
        .create_pool(PoolConfig {
            mfa: MfaConfiguration::Optional,
            device_tracking: Some((true, false)),
            ..PoolConfig::default()
        })
        .expect("pool");
    let client = emu
        .create_client(
            &info.pool_id,
            ClientConfig {
                generate_secret: true,
                ..ClientConfig::default()
            },
        )
        .expect("client");
    let client_secret = client.client_secret.clone().expect("client secret");
    secrets.add("client secret", &client_secret);
    emu.create_user(
        &info.pool_id,
        "tess",
        PASSWORD,
        &[("email", "tess@example.com")],
    )
    .expect("user");
    let skew = Arc::new(AtomicU64::new(0));
    let build = |store: Arc<dyn driver::SessionStore + Send + Sync>| {
        let skew = Arc::clone(&skew);
        UserPool::builder(&info.pool_id, &client.client_id)
            .endpoint_url(&emu.url())
            .expect("url")
            .client_secret(client_secret.as_str())
            .shared_store(store)
            .clock(move || SystemTime::now() + Duration::from_secs(skew.load(Ordering::SeqCst)))
            .build()
            .expect("pool handle")
    };

    // 1. Sign in on a first device, set up TOTP with the access token.
    let pool = build(Arc::new(cognito_store::MemoryStore::new()));
    let user = aw!(pool.sign_in("tess", PASSWORD))
        .expect("first sign-in")
        .signed_in()
        .expect("no MFA yet");
    let totp_secret = aw!(user.associate_software_token()).expect("associate");
    secrets.add("TOTP secret", totp_secret.expose_secret());
    let code = cognito_emulator::totp::code(totp_secret.expose_secret(), emu.now()).expect("code");
    aw!(user.verify_software_token(&code, Some("phone"))).expect("verify");
    aw!(user.set_mfa_preference(MfaPreference {
        software_token: Some(MfaSettings {
            enabled: Some(true),
            preferred_mfa: Some(true),
        }),
        ..MfaPreference::default()
    }))
    .expect("prefer TOTP");

    // 2. A new device: TOTP challenge, then the device is confirmed.
    let store: Arc<dyn driver::SessionStore + Send + Sync> =
        Arc::new(cognito_store::MemoryStore::new());
    let pool = build(Arc::clone(&store));
    emu.advance_clock(30);
    skew.fetch_add(30, Ordering::SeqCst);
    let mut step = match aw!(pool.sign_in("tess", PASSWORD)).expect("TOTP sign-in") {
        SignInOutcome::Pending(s) => s,
        SignInOutcome::SignedIn(_) => panic!("TOTP was not asked"),
    };
    assert_eq!(step.next_step(), &NextStep::ConfirmWithTotpCode);
    let code = cognito_emulator::totp::code(totp_secret.expose_secret(), emu.now()).expect("code");
    secrets.add("TOTP code", &code);
    let user = aw!(step.answer(Answer::code(code.clone())))
        .expect("TOTP answer")
        .signed_in()
        .expect("signed in");
    let device = aw!(user.remembered_device())
        .expect("store")
        .expect("a device was confirmed");
    secrets.add("device password", device.device_password.expose_secret());

    // 3. Device SRP with the remembered device, refresh, profile, sign-out.
    let user = aw!(pool.sign_in("tess", PASSWORD))
        .expect("device sign-in")
        .signed_in()
        .expect("the remembered device skips MFA");
    let tokens = aw!(user.session()).expect("tokens");
    emu.advance_clock(3700);
    skew.fetch_add(3700, Ordering::SeqCst);
    let refreshed = aw!(user.session()).expect("refresh");
    for (label, t) in [("first", &tokens), ("refreshed", &refreshed)] {
        secrets.add(
            &format!("{label} ID token"),
            t.id_token().token().expose_secret(),
        );
        secrets.add(
            &format!("{label} access token"),
            t.access_token().token().expose_secret(),
        );
        if let Some(r) = t.refresh_token() {
            secrets.add(&format!("{label} refresh token"), r.expose_secret());
        }
    }
    aw!(user.get_user()).expect("get user");
    aw!(user.update_attributes(&[("email", "tess@example.org")])).expect("update");
    let verify = emu
        .last_code("tess", MessageKind::VerifyAttribute)
        .expect("verification code");
    secrets.add("verification code", &verify);
    aw!(user.verify_attribute("email", &verify)).expect("verify");
    aw!(user.change_password(PASSWORD, "Pw-New-Secret-88")).expect("change password");
    secrets.add("new password", "Pw-New-Secret-88");
    let pool_record = store
        .load(&client.client_id, "tess")
        .expect("load")
        .expect("record");
    aw!(user.sign_out()).expect("sign out");

    let trace = traced_since(trace_start);
    assert!(
        trace.contains("operation"),
        "the capture saw the driver's spans"
    );
    assert!(
        trace.contains("RespondToAuthChallenge") && trace.contains("ConfirmDevice"),
        "the capture covers the whole sign-in"
    );
    secrets.check("the TRACE output", &trace);
    let logged = crate::secrets::logged_since(log_start);
    assert!(
        logged.contains("log capture works"),
        "the log capture is installed"
    );
    secrets.check("the `log` output at TRACE", &logged);

    // Debug of every public type that can hold a secret, filled with this run's secrets.
    let access = refreshed.access_token().token().expose_secret().clone();
    let refresh = refreshed
        .refresh_token()
        .map(|r| r.expose_secret().clone())
        .unwrap_or_default();
    let mut debug = String::new();
    let mut dbg = |label: &str, v: &dyn std::fmt::Debug| {
        let _ = write!(debug, "\n{label}: {v:?} {v:#?}");
    };
    dbg("TokenSet", &refreshed);
    dbg("Jwt", refreshed.id_token());
    dbg("SessionRecord", &pool_record);
    dbg("RememberedDevice", &device);
    dbg("SecretString", &totp_secret);
    dbg("UserPool", &pool);
    dbg("User", &user);
    dbg("ClientConfig", pool.config());
    dbg(
        "UserPoolBuilder",
        &UserPool::builder(&info.pool_id, &client.client_id).client_secret(client_secret.as_str()),
    );
    dbg("Answer::Code", &Answer::code(code.clone()));
    dbg("Answer::Password", &Answer::Password(PASSWORD.into()));
    dbg(
        "Answer::NewPassword",
        &Answer::NewPassword {
            password: PASSWORD.into(),
            attributes: BTreeMap::new(),
        },
    );
    dbg(
        "Answer::Custom",
        &Answer::Custom {
            answer: code.clone().into(),
            extra: BTreeMap::from([("k".to_owned(), PASSWORD.to_owned())]),
        },
    );
    dbg(
        "Answer::TotpSetup",
        &Answer::TotpSetup {
            code: code.clone().into(),
            friendly_device_name: None,
        },
    );
    dbg(
        "Answer::Raw",
        &Answer::Raw(BTreeMap::from([("X".to_owned(), PASSWORD.to_owned())])),
    );
    dbg("Start::srp", &Start::srp("tess", PASSWORD));
    dbg("Start::password", &Start::password("tess", PASSWORD));
    dbg(
        "Start::custom",
        &Start::custom(
            "tess",
            BTreeMap::from([("PASSWORD".to_owned(), PASSWORD.to_owned())]),
        ),
    );
    dbg(
        "Start::auto_sign_in",
        &Start::auto_sign_in("tess", refresh.as_str()),
    );
    let parse = |label: &str, v: serde_json::Value| -> serde_json::Value {
        let _ = label;
        v
    };
    macro_rules! op_debug {
        ($ty:ty, $json:expr) => {{
            let value: $ty = serde_json::from_value(parse(stringify!($ty), $json))
                .unwrap_or_else(|e| panic!("{}: {e}", stringify!($ty)));
            dbg(stringify!($ty), &value);
        }};
    }
    op_debug!(
        ops::InitiateAuth,
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "c",
               "AuthParameters": {"USERNAME": "tess", "PASSWORD": PASSWORD,
                                  "SECRET_HASH": client_secret, "REFRESH_TOKEN": refresh}})
    );
    op_debug!(
        ops::RespondToAuthChallenge,
        json!({"ChallengeName": "SOFTWARE_TOKEN_MFA", "ClientId": "c", "Session": refresh,
               "ChallengeResponses": {"USERNAME": "tess", "SOFTWARE_TOKEN_MFA_CODE": code,
                                      "NEW_PASSWORD": PASSWORD}})
    );
    let auth_result = json!({"AccessToken": access, "IdToken": access,
                             "RefreshToken": refresh, "ExpiresIn": 3600, "TokenType": "Bearer"});
    op_debug!(
        ops::InitiateAuthResponse,
        json!({"AuthenticationResult": auth_result.clone(), "Session": refresh})
    );
    op_debug!(
        ops::GetTokensFromRefreshToken,
        json!({"RefreshToken": refresh, "ClientId": "c", "ClientSecret": client_secret})
    );
    op_debug!(
        ops::GetTokensFromRefreshTokenResponse,
        json!({"AuthenticationResult": auth_result})
    );
    op_debug!(
        ops::RevokeToken,
        json!({"Token": refresh, "ClientId": "c", "ClientSecret": client_secret})
    );
    op_debug!(ops::GetUser, json!({"AccessToken": access}));
    op_debug!(
        ops::AssociateSoftwareTokenResponse,
        json!({"SecretCode": totp_secret.expose_secret(), "Session": refresh})
    );
    op_debug!(
        ops::VerifySoftwareToken,
        json!({"AccessToken": access, "UserCode": code, "Session": refresh})
    );
    op_debug!(
        ops::ChangePassword,
        json!({"AccessToken": access, "PreviousPassword": PASSWORD,
               "ProposedPassword": PASSWORD})
    );
    op_debug!(
        ops::SignUp,
        json!({"ClientId": "c", "Username": "tess", "Password": PASSWORD,
               "SecretHash": client_secret})
    );
    op_debug!(
        ops::ConfirmForgotPassword,
        json!({"ClientId": "c", "Username": "tess", "Password": PASSWORD,
               "ConfirmationCode": code, "SecretHash": client_secret})
    );
    op_debug!(
        ops::ConfirmDevice,
        json!({"AccessToken": access, "DeviceKey": device.device_key,
               "DeviceSecretVerifierConfig": {"PasswordVerifier": "AAAA", "Salt": "AAAA"}})
    );
    // An error carrying a raw token response body.
    let raw = http::Response::builder()
        .status(200)
        .body(
            format!("{{\"AuthenticationResult\": {{\"AccessToken\": \"{access}\", \"RefreshToken\": \"{refresh}\"")
                .into_bytes(),
        )
        .expect("response");
    let decoded = driver::cognito_proto::envelope::decode::<ops::InitiateAuth>(&raw);
    dbg("decode error", &decoded);
    dbg("driver error", &decoded.map_err(driver::Error::from));

    secrets.check("the Debug output", &debug);
    // The checks saw the secrets' neighbours: the capture is not empty of useful data.
    assert!(
        debug.contains("tess"),
        "Debug output shows non-secret fields"
    );
}
}
