//! Every use case of the blocking API against the in-process emulator.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use cognito_async::ServiceErrorKind;
use cognito_async::ops::{MfaSettings, VerifySoftwareTokenStatus};
use cognito_async::{
    Answer, Error, MfaPreference, NextStep, RefreshMethod, RetryPolicy, SignInOutcome, Start, User,
    UserPool,
};
use cognito_emulator::{
    ClientConfig, Emulator, EmulatorHandle, Fault, FaultKind, MessageKind, PoolConfig,
};
use cognito_store::{FileStore, MemoryStore};

const PASSWORD: &str = "Correct-Horse-1";

/// An emulator with one pool and one client, and a client clock the test can move.
struct Setup {
    emu: EmulatorHandle,
    pool_id: String,
    client_id: String,
    client_secret: Option<String>,
    /// Seconds added to the client's clock.
    skew: Arc<AtomicU64>,
}

impl Setup {
    async fn new() -> Self {
        Self::with(PoolConfig::default(), ClientConfig::default()).await
    }

    async fn with(pool: PoolConfig, client: ClientConfig) -> Self {
        let emu = Emulator::start().await.expect("emulator starts");
        let pool = emu.create_pool(pool).expect("pool");
        let client = emu.create_client(&pool.pool_id, client).expect("client");
        Setup {
            emu,
            pool_id: pool.pool_id,
            client_id: client.client_id,
            client_secret: client.client_secret,
            skew: Arc::new(AtomicU64::new(0)),
        }
    }

    fn builder(&self) -> cognito_async::UserPoolBuilder {
        let skew = Arc::clone(&self.skew);
        let mut b = UserPool::builder(&self.pool_id, &self.client_id)
            .endpoint_url(&self.emu.url())
            .unwrap()
            .retry_policy(RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(5),
                max_delay: Duration::from_millis(20),
            })
            .clock(move || SystemTime::now() + Duration::from_secs(skew.load(Ordering::SeqCst)));
        if let Some(secret) = &self.client_secret {
            b = b.client_secret(secret.as_str());
        }
        b
    }

    fn pool(&self) -> UserPool {
        self.builder().build().unwrap()
    }

    fn user(&self, name: &str) {
        self.emu
            .create_user(
                &self.pool_id,
                name,
                PASSWORD,
                &[("email", &format!("{name}@example.com"))],
            )
            .unwrap();
    }

    /// Move both clocks forward.
    fn advance(&self, secs: u64) {
        self.emu.advance_clock(secs);
        self.skew.fetch_add(secs, Ordering::SeqCst);
    }

    fn count(&self, op: &str) -> u64 {
        self.emu.request_count(op)
    }

    fn refresh_count(&self) -> u64 {
        self.count("GetTokensFromRefreshToken") + self.count("InitiateAuth:REFRESH_TOKEN_AUTH")
    }
}

fn signed_in(outcome: SignInOutcome) -> User {
    match outcome {
        SignInOutcome::SignedIn(user) => user,
        SignInOutcome::NextStep(s) => panic!("expected tokens, got step {:?}", s.next_step()),
    }
}

fn remembered_status() -> cognito_async::ops::DeviceRememberedStatus {
    cognito_async::ops::DeviceRememberedStatus::Remembered
}

fn kind(e: &Error) -> Option<&ServiceErrorKind> {
    e.service_kind()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_up_confirm_and_sign_in() {
    let s = Setup::new().await;
    let pool = s.pool();
    let result = pool
        .sign_up("carol", PASSWORD, &[("email", "carol@example.com")])
        .await
        .unwrap();
    assert!(!result.user_confirmed);
    // Signing in before confirming is a step, not a crash (pitfall 13).
    match pool.sign_in("carol", PASSWORD).await {
        Ok(SignInOutcome::NextStep(step)) => {
            assert!(matches!(step.next_step(), NextStep::ConfirmSignUp { .. }))
        }
        Err(e) => assert_eq!(kind(&e), Some(&ServiceErrorKind::UserNotConfirmed)),
        Ok(other) => panic!("{other:?}"),
    }
    let first = s.emu.last_code("carol", MessageKind::SignUp).unwrap();
    pool.resend_confirmation_code("carol").await.unwrap();
    let code = s.emu.last_code("carol", MessageKind::SignUp).unwrap();
    assert_eq!(s.count("ResendConfirmationCode"), 1);
    let _ = first;
    let wrong = pool.confirm_sign_up("carol", "000000").await.unwrap_err();
    assert!(matches!(
        kind(&wrong),
        Some(ServiceErrorKind::CodeMismatch | ServiceErrorKind::ExpiredCode)
    ));
    pool.confirm_sign_up("carol", &code).await.unwrap();
    let user = signed_in(pool.sign_in("carol", PASSWORD).await.unwrap());
    assert_eq!(user.username(), "carol");
    let profile = user.get_user().await.unwrap();
    assert_eq!(profile.attribute("email"), Some("carol@example.com"));
    // The current user comes from the store.
    assert_eq!(pool.current_user().unwrap().unwrap().username(), "carol");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_in_with_client_secret() {
    let s = Setup::with(
        PoolConfig::default(),
        ClientConfig {
            generate_secret: true,
            ..ClientConfig::default()
        },
    )
    .await;
    assert!(s.client_secret.is_some());
    s.user("dave");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("dave", PASSWORD).await.unwrap());
    // Refresh with the secret works too.
    s.advance(3600);
    user.session().await.unwrap();
    assert_eq!(s.refresh_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pitfall_22_wrong_password_is_not_retried() {
    let s = Setup::new().await;
    s.user("erin");
    let pool = s.pool();
    let e = pool.sign_in("erin", "Wrong-Password-1").await.unwrap_err();
    assert_eq!(kind(&e), Some(&ServiceErrorKind::NotAuthorized));
    assert!(!e.is_retryable());
    assert_eq!(e.status(), Some(400));
    assert!(e.request_id().is_some());
    assert_eq!(s.count("RespondToAuthChallenge"), 1);
    assert_eq!(s.count("InitiateAuth"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn user_password_auth_flow() {
    let s = Setup::new().await;
    s.user("fred");
    let pool = s.pool();
    let user = signed_in(
        pool.sign_in_with(Start::password("fred", PASSWORD))
            .await
            .unwrap(),
    );
    assert_eq!(user.username(), "fred");
    assert_eq!(s.count("InitiateAuth:USER_PASSWORD_AUTH"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forgot_password_then_sign_in_with_the_new_one() {
    let s = Setup::new().await;
    s.user("gina");
    let pool = s.pool();
    let delivery = pool.forgot_password("gina").await.unwrap();
    assert!(delivery.is_some());
    let code = s
        .emu
        .last_code("gina", MessageKind::ForgotPassword)
        .unwrap();
    pool.confirm_forgot_password("gina", &code, "New-Password-2")
        .await
        .unwrap();
    assert!(pool.sign_in("gina", PASSWORD).await.is_err());
    signed_in(pool.sign_in("gina", "New-Password-2").await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn change_password() {
    let s = Setup::new().await;
    s.user("hank");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("hank", PASSWORD).await.unwrap());
    let e = user
        .change_password("Wrong-Password-1", "New-Password-2")
        .await
        .unwrap_err();
    assert_eq!(kind(&e), Some(&ServiceErrorKind::NotAuthorized));
    user.change_password(PASSWORD, "New-Password-2")
        .await
        .unwrap();
    signed_in(pool.sign_in("hank", "New-Password-2").await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn attributes_update_verify_delete() {
    let s = Setup::new().await;
    s.user("iris");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("iris", PASSWORD).await.unwrap());
    user.update_attributes(&[("name", "Iris"), ("email", "iris2@example.com")])
        .await
        .unwrap();
    let profile = user.get_user().await.unwrap();
    assert_eq!(profile.attribute("name"), Some("Iris"));
    assert_eq!(profile.attribute("email_verified"), Some("false"));
    user.get_attribute_verification_code("email").await.unwrap();
    let code = s
        .emu
        .last_code("iris", MessageKind::VerifyAttribute)
        .unwrap();
    user.verify_attribute("email", &code).await.unwrap();
    assert_eq!(
        user.get_user().await.unwrap().attribute("email_verified"),
        Some("true")
    );
    user.delete_attributes(&["name"]).await.unwrap();
    assert_eq!(user.get_user().await.unwrap().attribute("name"), None);
}

fn totp_now(s: &Setup, secret: &str) -> String {
    cognito_emulator::totp::code(secret, s.emu.now()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn totp_association_preference_and_sign_in_step() {
    let s = Setup::with(
        PoolConfig {
            mfa: cognito_emulator::MfaConfiguration::Optional,
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    )
    .await;
    s.user("jack");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("jack", PASSWORD).await.unwrap());
    let secret = user.associate_software_token().await.unwrap();
    let status = user
        .verify_software_token(&totp_now(&s, secret.expose_secret()), Some("phone"))
        .await
        .unwrap();
    assert_eq!(status, Some(VerifySoftwareTokenStatus::Success));
    user.set_mfa_preference(MfaPreference {
        software_token: Some(MfaSettings {
            enabled: Some(true),
            preferred_mfa: Some(true),
        }),
        ..MfaPreference::default()
    })
    .await
    .unwrap();
    user.sign_out().await.unwrap();
    // The next sign-in asks for the TOTP code.
    let mut step = match pool.sign_in("jack", PASSWORD).await.unwrap() {
        SignInOutcome::NextStep(step) => step,
        other => panic!("{other:?}"),
    };
    assert_eq!(step.next_step(), &NextStep::ConfirmWithTotpCode);
    // A wrong code is an error and the same step can be answered again.
    let e = step.answer(Answer::code("000000")).await.unwrap_err();
    assert_eq!(kind(&e), Some(&ServiceErrorKind::CodeMismatch));
    s.advance(30); // a fresh TOTP window: a code is single-use
    let user = signed_in(
        step.answer(Answer::code(totp_now(&s, secret.expose_secret())))
            .await
            .unwrap(),
    );
    assert!(user.is_signed_in().unwrap());
}

fn step(outcome: SignInOutcome) -> cognito_async::SignIn {
    match outcome {
        SignInOutcome::NextStep(step) => step,
        SignInOutcome::SignedIn(user) => panic!("expected a step, {} signed in", user.username()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn new_password_required_step() {
    let s = Setup::new().await;
    s.emu
        .call(
            "AdminCreateUser",
            serde_json::json!({"UserPoolId": s.pool_id, "Username": "abby",
                "TemporaryPassword": "Temp-Password-1", "MessageAction": "SUPPRESS",
                "UserAttributes": [{"Name": "email", "Value": "abby@example.com"}]}),
        )
        .unwrap();
    let pool = s.pool();
    let mut sign_in = step(pool.sign_in("abby", "Temp-Password-1").await.unwrap());
    assert!(matches!(
        sign_in.next_step(),
        NextStep::NewPasswordRequired { .. }
    ));
    let user = signed_in(
        sign_in
            .answer(Answer::NewPassword {
                password: "Final-Password-2".into(),
                attributes: Default::default(),
            })
            .await
            .unwrap(),
    );
    user.sign_out().await.unwrap();
    signed_in(pool.sign_in("abby", "Final-Password-2").await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mfa_setup_with_totp_during_sign_in() {
    let s = Setup::with(
        PoolConfig {
            mfa: cognito_emulator::MfaConfiguration::On,
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    )
    .await;
    s.user("bert");
    let pool = s.pool();
    let mut sign_in = step(pool.sign_in("bert", PASSWORD).await.unwrap());
    if let NextStep::SelectMfaSetupType { .. } = sign_in.next_step() {
        sign_in = step(
            sign_in
                .answer(Answer::MfaType(cognito_async::MfaType::Totp))
                .await
                .unwrap(),
        );
    }
    let secret = match sign_in.next_step() {
        NextStep::SetUpTotp { shared_secret } => shared_secret.expose_secret().to_owned(),
        other => panic!("{other:?}"),
    };
    let uri = sign_in.next_step().otpauth_uri("MyApp", "bert").unwrap();
    assert!(uri.starts_with("otpauth://totp/MyApp:bert?secret="));
    let user = signed_in(
        sign_in
            .answer(Answer::code(totp_now(&s, &secret)))
            .await
            .unwrap(),
    );
    assert!(user.is_signed_in().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn custom_auth_challenge() {
    let s = Setup::with(
        PoolConfig {
            custom_auth_trigger: true,
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    )
    .await;
    s.user("cleo");
    let pool = s.pool();
    let mut sign_in = step(
        pool.sign_in_with(Start::custom_with_srp("cleo", PASSWORD))
            .await
            .unwrap(),
    );
    assert!(matches!(
        sign_in.next_step(),
        NextStep::CustomChallenge { .. }
    ));
    let code = s.emu.last_code("cleo", MessageKind::Custom).unwrap();
    let user = signed_in(
        sign_in
            .answer(Answer::Custom {
                answer: code.as_str().into(),
                extra: Default::default(),
            })
            .await
            .unwrap(),
    );
    assert_eq!(user.username(), "cleo");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn email_otp_first_factor() {
    let s = Setup::with(
        PoolConfig {
            allowed_first_auth_factors: vec!["PASSWORD".into(), "EMAIL_OTP".into()],
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    )
    .await;
    s.user("dina");
    let pool = s.pool();
    let mut sign_in = step(
        pool.sign_in_with(Start::user_auth(
            "dina",
            Some(cognito_async::FirstFactor::EmailOtp),
        ))
        .await
        .unwrap(),
    );
    assert!(matches!(
        sign_in.next_step(),
        NextStep::ConfirmWithEmailCode { .. }
    ));
    let code = s.emu.last_code("dina", MessageKind::Otp).unwrap();
    signed_in(sign_in.answer(Answer::code(code)).await.unwrap());
}

async fn device_pool() -> Setup {
    Setup::with(
        PoolConfig {
            device_tracking: Some((true, false)),
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn devices_remembered_listed_used_and_forgotten() {
    let s = device_pool().await;
    s.user("kate");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("kate", PASSWORD).await.unwrap());
    let device = user.remembered_device().unwrap().expect("device stored");
    assert_eq!(s.count("ConfirmDevice"), 1);
    let listed = user.list_devices(None, None).await.unwrap();
    assert!(
        listed
            .devices
            .iter()
            .any(|d| d.device_key == device.device_key)
    );
    let current = user.get_device(None).await.unwrap();
    assert_eq!(current.device_key, device.device_key);
    user.remember_device().await.unwrap();
    user.do_not_remember_device().await.unwrap();
    user.remember_device().await.unwrap();
    // Sign-out keeps the device (pitfall 24); the next sign-in authenticates it.
    user.sign_out().await.unwrap();
    assert!(user.remembered_device().unwrap().is_some());
    let user = signed_in(pool.sign_in("kate", PASSWORD).await.unwrap());
    assert_eq!(s.count("ConfirmDevice"), 1, "the device was reused");
    assert!(s.count("RespondToAuthChallenge") >= 4, "device SRP ran");
    user.forget_device().await.unwrap();
    assert!(user.remembered_device().unwrap().is_none());
    let listed = user.list_devices(None, None).await.unwrap();
    assert!(
        listed
            .devices
            .iter()
            .all(|d| d.device_key != device.device_key)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn device_remembered_on_user_prompt_is_marked_remembered() {
    let s = Setup::with(
        PoolConfig {
            device_tracking: Some((true, true)),
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    )
    .await;
    s.user("eddy");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("eddy", PASSWORD).await.unwrap());
    assert!(user.remembered_device().unwrap().is_some());
    assert_eq!(s.count("UpdateDeviceStatus"), 1);
    let device = user.get_device(None).await.unwrap();
    assert_eq!(device.remembered_status(), Some(remembered_status()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pitfall_17_refresh_sends_the_device_key() {
    let s = device_pool().await;
    s.user("liam");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("liam", PASSWORD).await.unwrap());
    s.advance(3600);
    // The emulator refuses a refresh of device-bound tokens without their DEVICE_KEY.
    user.session().await.unwrap();
    assert_eq!(s.refresh_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pitfall_24_sign_out_revokes_and_keeps_the_device() {
    let s = device_pool().await;
    s.user("mia");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("mia", PASSWORD).await.unwrap());
    let old = user.session().await.unwrap();
    user.sign_out().await.unwrap();
    assert_eq!(s.count("RevokeToken"), 1);
    assert!(!user.is_signed_in().unwrap());
    assert!(user.remembered_device().unwrap().is_some());
    assert!(pool.current_user().unwrap().is_none());
    assert!(matches!(
        user.session().await.unwrap_err(),
        Error::NotSignedIn
    ));
    // The revoked refresh token is dead on the server.
    let e = pool
        .call(&cognito_async::ops::GetTokensFromRefreshToken {
            refresh_token: old.refresh_token().unwrap().clone(),
            client_id: s.client_id.clone(),
            client_secret: None,
            device_key: old.device_key().map(str::to_owned),
            client_metadata: Default::default(),
        })
        .await
        .unwrap_err();
    assert_eq!(kind(&e), Some(&ServiceErrorKind::NotAuthorized));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pitfall_15_device_unknown_to_the_server_is_forgotten_and_replaced() {
    let s = device_pool().await;
    s.user("nina");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("nina", PASSWORD).await.unwrap());
    let old = user.remembered_device().unwrap().unwrap();
    // Another client of the same user forgets this device on the server only.
    let other = s.pool();
    let on_other = signed_in(other.sign_in("nina", PASSWORD).await.unwrap());
    on_other.forget_device_key(&old.device_key).await.unwrap();
    user.sign_out().await.unwrap();
    // The stale device makes the first attempt fail; the sign-in restarts once without it.
    let user = signed_in(pool.sign_in("nina", PASSWORD).await.unwrap());
    let new = user.remembered_device().unwrap().expect("a new device");
    assert_ne!(new.device_key, old.device_key);
    user.get_device(None).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pitfall_16_recreated_user_with_a_stale_device_signs_in() {
    let s = device_pool().await;
    s.user("owen");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("owen", PASSWORD).await.unwrap());
    let old = user.remembered_device().unwrap().unwrap();
    user.sign_out().await.unwrap();
    s.emu
        .call(
            "AdminDeleteUser",
            serde_json::json!({"UserPoolId": s.pool_id, "Username": "owen"}),
        )
        .unwrap();
    s.user("owen");
    let user = signed_in(pool.sign_in("owen", PASSWORD).await.unwrap());
    let new = user.remembered_device().unwrap().expect("a new device");
    assert_ne!(new.device_key, old.device_key);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pitfall_21_rotated_refresh_token_is_stored() {
    let s = Setup::with(
        PoolConfig::default(),
        ClientConfig {
            refresh_token_rotation: true,
            ..ClientConfig::default()
        },
    )
    .await;
    s.user("pam");
    let pool = s
        .builder()
        .refresh_method(RefreshMethod::GetTokensFromRefreshToken)
        .build()
        .unwrap();
    let user = signed_in(pool.sign_in("pam", PASSWORD).await.unwrap());
    let first = user.session().await.unwrap();
    s.advance(7200);
    let second = user.session().await.unwrap();
    assert_ne!(
        first.refresh_token().unwrap().expose_secret(),
        second.refresh_token().unwrap().expose_secret(),
        "rotated"
    );
    // The stored (new) refresh token works for the next refresh; the old one would not.
    s.advance(7200);
    user.session().await.unwrap();
    assert_eq!(s.count("GetTokensFromRefreshToken"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn global_sign_out_invalidates_every_session() {
    let s = Setup::new().await;
    s.user("noah");
    let a = s.pool();
    let b = s.pool(); // another device, its own store
    let on_a = signed_in(a.sign_in("noah", PASSWORD).await.unwrap());
    let on_b = signed_in(b.sign_in("noah", PASSWORD).await.unwrap());
    on_a.global_sign_out().await.unwrap();
    assert!(!on_a.is_signed_in().unwrap());
    // B's access token is revoked, and its refresh fails as a dead session (pitfall 20).
    let e = on_b.get_user().await.unwrap_err();
    assert_eq!(kind(&e), Some(&ServiceErrorKind::NotAuthorized));
    s.advance(3600);
    let e = on_b.session().await.unwrap_err();
    assert_eq!(kind(&e), Some(&ServiceErrorKind::NotAuthorized));
    assert!(!on_b.is_signed_in().unwrap(), "dead session cleared");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn delete_user_clears_everything() {
    let s = device_pool().await;
    s.user("olga");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("olga", PASSWORD).await.unwrap());
    user.delete_user().await.unwrap();
    assert!(!user.is_signed_in().unwrap());
    assert!(user.remembered_device().unwrap().is_none());
    let e = pool.sign_in("olga", PASSWORD).await.unwrap_err();
    assert!(matches!(
        kind(&e),
        Some(ServiceErrorKind::UserNotFound | ServiceErrorKind::NotAuthorized)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn identity_pool_credentials() {
    let s = Setup::new().await;
    s.user("pete");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("pete", PASSWORD).await.unwrap());
    let identity_pool = "us-east-1:0a1b2c3d-0000-4000-8000-00000000abcd";
    let creds = user.aws_credentials(identity_pool).await.unwrap();
    assert!(!creds.access_key_id.is_empty());
    assert!(!creds.session_token.expose_secret().is_empty());
    let again = user.aws_credentials(identity_pool).await.unwrap();
    assert_eq!(
        creds.identity_id, again.identity_id,
        "same user, same identity"
    );
    assert_eq!(s.count("GetId"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pitfall_19_session_refreshes_only_when_due() {
    let s = Setup::new().await;
    s.user("quin");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("quin", PASSWORD).await.unwrap());
    let first = user.session().await.unwrap();
    assert_eq!(s.refresh_count(), 0);
    s.advance(3600 - 30); // inside the 60 s margin
    let second = user.session().await.unwrap();
    assert_eq!(s.refresh_count(), 1);
    assert_ne!(
        first.access_token().token().expose_secret(),
        second.access_token().token().expose_secret()
    );
    // Pitfall 21: the refresh token is kept when the refresh returns none.
    assert!(second.refresh_token().is_some());
    user.session().await.unwrap();
    assert_eq!(s.refresh_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pitfall_18_hundred_tasks_one_refresh() {
    let s = Setup::new().await;
    s.user("ruth");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("ruth", PASSWORD).await.unwrap());
    s.advance(7200); // the access token has expired
    let barrier = Arc::new(tokio::sync::Barrier::new(100));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let user = user.clone();
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                user.session()
                    .await
                    .map(|t| t.access_token().token().expose_secret().clone())
            })
        })
        .collect();
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap().unwrap());
    }
    assert_eq!(s.refresh_count(), 1);
    assert!(tokens.iter().all(|t| t == &tokens[0]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancelled_refresh_does_not_strand_waiters() {
    let s = Setup::new().await;
    s.user("rosa");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("rosa", PASSWORD).await.unwrap());
    s.advance(7200);
    // The leader's refresh hangs for a while; cancel it mid-flight.
    s.emu
        .inject_fault(Fault::new("*", FaultKind::Delay).delay_ms(2_000));
    let leader = {
        let user = user.clone();
        tokio::spawn(async move { user.session().await.map(drop) })
    };
    while s.refresh_count() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let waiter = {
        let user = user.clone();
        tokio::spawn(async move { user.session().await.map(drop) })
    };
    leader.abort();
    assert!(leader.await.unwrap_err().is_cancelled());
    // The waiter takes over and refreshes; it does not wait forever.
    tokio::time::timeout(Duration::from_secs(30), waiter)
        .await
        .expect("waiter not stranded")
        .unwrap()
        .unwrap();
    assert!(user.is_signed_in().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pitfall_23_refresh_acts_on_the_named_user() {
    let s = Setup::new().await;
    s.user("sam");
    s.user("tess");
    let pool = s.pool();
    let sam = signed_in(pool.sign_in("sam", PASSWORD).await.unwrap());
    let tess = signed_in(pool.sign_in("tess", PASSWORD).await.unwrap());
    assert_eq!(pool.current_user().unwrap().unwrap().username(), "tess");
    s.advance(7200);
    let sam_tokens = sam.session().await.unwrap();
    assert_eq!(sam_tokens.username(), Some("sam"));
    assert_eq!(tess.session().await.unwrap().username(), Some("tess"));
    assert_eq!(s.refresh_count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn file_store_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("cognito-blocking-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("session.json");
    let _ = std::fs::remove_file(&path);
    let s = Setup::new().await;
    s.user("uma");
    {
        let pool = s.builder().store(FileStore::new(&path)).build().unwrap();
        signed_in(pool.sign_in("uma", PASSWORD).await.unwrap());
    }
    let pool = s.builder().store(FileStore::new(&path)).build().unwrap();
    let user = pool.current_user().unwrap().expect("user from the file");
    assert_eq!(user.get_user().await.unwrap().username, "uma");
    // A corrupt file is an error that says so (and is left alone).
    std::fs::write(&path, b"{ not json").unwrap();
    let e = pool.current_user().unwrap_err();
    assert!(matches!(e, Error::Session(_)), "{e:?}");
    assert_eq!(std::fs::read(&path).unwrap(), b"{ not json");
    std::fs::remove_dir_all(&dir).ok();
}

// ----- faults ------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fault_server_error_on_an_idempotent_call_is_retried() {
    let s = Setup::new().await;
    s.user("vera");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("vera", PASSWORD).await.unwrap());
    s.emu
        .inject_fault(Fault::new("GetUser", FaultKind::Http500));
    user.get_user().await.unwrap();
    assert_eq!(s.count("GetUser"), 2);
    s.emu.inject_fault(Fault::new("GetUser", FaultKind::Reset));
    user.get_user().await.unwrap();
    assert_eq!(s.count("GetUser"), 4);
    // Bounded: three attempts, then the typed error.
    s.emu
        .inject_fault(Fault::new("GetUser", FaultKind::Throttle).times(3));
    let e = user.get_user().await.unwrap_err();
    assert_eq!(kind(&e), Some(&ServiceErrorKind::TooManyRequests));
    assert!(e.is_retryable());
    assert_eq!(s.count("GetUser"), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fault_non_idempotent_call_is_not_retried_after_reaching_the_server() {
    let s = Setup::new().await;
    let pool = s.pool();
    s.emu
        .inject_fault(Fault::new("SignUp", FaultKind::Throttle));
    let e = pool.sign_up("walt", PASSWORD, &[]).await.unwrap_err();
    assert_eq!(kind(&e), Some(&ServiceErrorKind::TooManyRequests));
    assert_eq!(s.count("SignUp"), 1);
    s.emu.inject_fault(Fault::new("SignUp", FaultKind::Reset));
    let e = pool.sign_up("walt", PASSWORD, &[]).await.unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    assert_eq!(s.count("SignUp"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fault_sign_in_step_is_not_retried() {
    let s = Setup::new().await;
    s.user("xena");
    let pool = s.pool();
    s.emu
        .inject_fault(Fault::new("RespondToAuthChallenge", FaultKind::Http500));
    let e = pool.sign_in("xena", PASSWORD).await.unwrap_err();
    assert!(e.is_retryable());
    assert_eq!(s.count("RespondToAuthChallenge"), 1);
    signed_in(pool.sign_in("xena", PASSWORD).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pitfall_20_tokens_survive_network_errors_and_throttling() {
    let s = Setup::new().await;
    s.user("yuri");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("yuri", PASSWORD).await.unwrap());
    s.advance(7200);
    for fault in [FaultKind::Throttle, FaultKind::Http500, FaultKind::Reset] {
        // REFRESH_TOKEN_AUTH is safe to repeat: each of the three attempts meets a fault.
        let before = s.refresh_count();
        s.emu.inject_fault(Fault::new("*", fault).times(3));
        let e = user.session().await.unwrap_err();
        assert!(e.is_retryable(), "{e:?}");
        assert_eq!(s.refresh_count() - before, 3, "retried under {fault:?}");
        assert!(user.is_signed_in().unwrap(), "tokens kept after {fault:?}");
    }
    user.session().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pitfall_20_dead_session_is_cleared_but_device_kept() {
    let s = device_pool().await;
    s.user("zoe");
    let pool = s.pool();
    let user = signed_in(pool.sign_in("zoe", PASSWORD).await.unwrap());
    s.emu
        .call(
            "AdminUserGlobalSignOut",
            serde_json::json!({"UserPoolId": s.pool_id, "Username": "zoe"}),
        )
        .unwrap();
    s.advance(7200);
    let e = user.session().await.unwrap_err();
    assert_eq!(kind(&e), Some(&ServiceErrorKind::NotAuthorized));
    assert!(!user.is_signed_in().unwrap());
    assert!(user.remembered_device().unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unreachable_endpoint_is_a_transport_error() {
    // Bind then drop a listener: nothing listens on that port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let pool = UserPool::builder("us-east-1_Abc", "client")
        .endpoint_url(&format!("http://127.0.0.1:{port}"))
        .unwrap()
        .retry_policy(RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(1),
        })
        .store(MemoryStore::new())
        .build()
        .unwrap();
    let e = pool.sign_up("a", PASSWORD, &[]).await.unwrap_err();
    match e {
        Error::Transport(t) => {
            assert_eq!(t.kind(), cognito_async::TransportErrorKind::Connect);
            assert!(!t.may_have_reached_server());
        }
        other => panic!("{other:?}"),
    }
}

/// A pool whose usernames are email addresses (the internal username is the `sub`), SMS MFA
/// on, devices tracked and remembered without a prompt, and one user with a phone.
async fn email_username_device_pool() -> (Setup, String) {
    let s = Setup::with(
        PoolConfig {
            username_attributes: vec!["email".into()],
            mfa: cognito_emulator::MfaConfiguration::Optional,
            device_tracking: Some((false, false)),
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    )
    .await;
    let sub = s
        .emu
        .create_user(
            &s.pool_id,
            "xena@example.com",
            PASSWORD,
            &[("phone_number", "+15550003333")],
        )
        .unwrap();
    s.emu
        .call(
            "AdminSetUserMFAPreference",
            serde_json::json!({"UserPoolId": s.pool_id, "Username": sub,
                "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
        )
        .unwrap();
    (s, sub)
}

fn mfa_codes_sent(s: &Setup, sub: &str) -> usize {
    s.emu
        .messages(Some(sub))
        .iter()
        .filter(|m| m.kind == "MFA")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn alias_signin_uses_remembered_device() {
    let (s, sub) = email_username_device_pool().await;
    let pool = s.pool();
    // The first sign-in asks for the SMS code and remembers the device under the `sub`.
    let mut sign_in = step(pool.sign_in("xena@example.com", PASSWORD).await.unwrap());
    assert!(matches!(
        sign_in.next_step(),
        NextStep::ConfirmWithSmsCode { .. }
    ));
    let code = s.emu.last_code(&sub, MessageKind::Mfa).unwrap();
    let user = signed_in(sign_in.answer(Answer::code(code)).await.unwrap());
    assert_eq!(user.username(), sub);
    let device = user.remembered_device().unwrap().expect("device stored");
    assert_eq!(mfa_codes_sent(&s, &sub), 1);

    // Signed in again with the typed email while still signed in: device SRP, no SMS code.
    let user = signed_in(pool.sign_in("xena@example.com", PASSWORD).await.unwrap());
    assert_eq!(user.username(), sub);
    assert_eq!(mfa_codes_sent(&s, &sub), 1, "no second SMS code");

    // After sign-out (tokens and last user cleared) the typed email still finds the device.
    user.sign_out().await.unwrap();
    assert!(pool.current_user().unwrap().is_none());
    let user = signed_in(pool.sign_in("xena@example.com", PASSWORD).await.unwrap());
    assert_eq!(
        mfa_codes_sent(&s, &sub),
        1,
        "no SMS code after sign-out either"
    );
    assert_eq!(s.count("ConfirmDevice"), 1, "the device was reused");
    assert_eq!(
        user.remembered_device().unwrap().map(|d| d.device_key),
        Some(device.device_key)
    );
}
