//! Every use case of the API against the in-process emulator, for both drivers (see
//! `crates/driver-tests/README.md`). The concurrency tests, threads against tasks, are in each
//! crate's `tests/concurrency.rs`.

use std::time::Duration;

use crate::driver;
use crate::support::Setup;
use cognito_emulator::{ClientConfig, Fault, FaultKind, MessageKind, PoolConfig};
use cognito_store::{FileStore, MemoryStore};
use driver::ServiceErrorKind;
use driver::ops::{MfaSettings, VerifySoftwareTokenStatus};
use driver::{
    Answer, Error, MfaPreference, NextStep, RefreshMethod, RetryPolicy, SignInOutcome, Start, User,
    UserPool,
};

pub(crate) const PASSWORD: &str = "Correct-Horse-1";

impl Setup {
    pub(crate) fn user(&self, name: &str) {
        self.emu
            .create_user(
                &self.pool_id,
                name,
                PASSWORD,
                &[("email", &format!("{name}@example.com"))],
            )
            .unwrap();
    }

    fn count(&self, op: &str) -> u64 {
        self.emu.request_count(op)
    }

    pub(crate) fn refresh_count(&self) -> u64 {
        self.count("GetTokensFromRefreshToken") + self.count("InitiateAuth:REFRESH_TOKEN_AUTH")
    }
}

pub(crate) fn signed_in(outcome: SignInOutcome) -> User {
    match outcome {
        SignInOutcome::SignedIn(user) => user,
        SignInOutcome::Pending(s) => panic!("expected tokens, got step {:?}", s.next_step()),
    }
}

fn remembered_status() -> driver::ops::DeviceRememberedStatus {
    driver::ops::DeviceRememberedStatus::Remembered
}

fn kind(e: &Error) -> Option<&ServiceErrorKind> {
    e.service_kind()
}

driver_test! {
    async fn sign_up_confirm_and_sign_in() {
        let s = Setup::new();
        let pool = s.pool();
        let result = aw!(pool
            .sign_up("carol", PASSWORD, &[("email", "carol@example.com")]))
            .unwrap();
        assert!(!result.user_confirmed);
        // Signing in before confirming is a step, not a crash (known client bug docs/protocol.md#pitfall-13).
        match aw!(pool.sign_in("carol", PASSWORD)) {
            Ok(SignInOutcome::Pending(step)) => {
                assert!(matches!(step.next_step(), NextStep::ConfirmSignUp { .. }))
            }
            Err(e) => assert_eq!(kind(&e), Some(&ServiceErrorKind::UserNotConfirmed)),
            Ok(other) => panic!("{other:?}"),
        }
        let first = s.emu.last_code("carol", MessageKind::SignUp).unwrap();
        aw!(pool.resend_confirmation_code("carol")).unwrap();
        let code = s.emu.last_code("carol", MessageKind::SignUp).unwrap();
        assert_eq!(s.count("ResendConfirmationCode"), 1);
        let _ = first;
        let wrong = aw!(pool.confirm_sign_up("carol", "000000")).unwrap_err();
        assert!(matches!(
            kind(&wrong),
            Some(ServiceErrorKind::CodeMismatch | ServiceErrorKind::ExpiredCode)
        ));
        aw!(pool.confirm_sign_up("carol", &code)).unwrap();
        let user = signed_in(aw!(pool.sign_in("carol", PASSWORD)).unwrap());
        assert_eq!(user.username(), "carol");
        let profile = aw!(user.get_user()).unwrap();
        assert_eq!(profile.attribute("email"), Some("carol@example.com"));
        // The current user comes from the store.
        assert_eq!(aw!(pool.current_user()).unwrap().unwrap().username(), "carol");
    }
}

driver_test! {
    async fn sign_in_with_client_secret() {
        let s = Setup::with(
            PoolConfig::default(),
            ClientConfig {
                generate_secret: true,
                ..ClientConfig::default()
            },
        );
        assert!(s.client_secret.is_some());
        s.user("dave");
        let pool = s.pool();
        let user = signed_in(aw!(pool.sign_in("dave", PASSWORD)).unwrap());
        // Refresh with the secret works too.
        s.advance(3600);
        aw!(user.session()).unwrap();
        assert_eq!(s.refresh_count(), 1);
    }
}

driver_test! {
    async fn pitfall_22_wrong_password_is_not_retried() {
        let s = Setup::new();
        s.user("erin");
        let pool = s.pool();
        let e = aw!(pool.sign_in("erin", "Wrong-Password-1")).unwrap_err();
        assert_eq!(kind(&e), Some(&ServiceErrorKind::NotAuthorized));
        assert!(!e.is_retryable());
        assert_eq!(e.status(), Some(400));
        assert!(e.request_id().is_some());
        assert_eq!(s.count("RespondToAuthChallenge"), 1);
        assert_eq!(s.count("InitiateAuth"), 1);
    }
}

driver_test! {
    async fn user_password_auth_flow() {
        let s = Setup::new();
        s.user("fred");
        let pool = s.pool();
        let user = signed_in(
            aw!(pool.sign_in_with(Start::password("fred", PASSWORD)))
                .unwrap(),
        );
        assert_eq!(user.username(), "fred");
        assert_eq!(s.count("InitiateAuth:USER_PASSWORD_AUTH"), 1);
    }
}

driver_test! {
    async fn forgot_password_then_sign_in_with_the_new_one() {
        let s = Setup::new();
        s.user("gina");
        let pool = s.pool();
        let delivery = aw!(pool.forgot_password("gina")).unwrap();
        assert!(delivery.is_some());
        let code = s
            .emu
            .last_code("gina", MessageKind::ForgotPassword)
            .unwrap();
        aw!(pool.confirm_forgot_password("gina", &code, "New-Password-2"))
            .unwrap();
        assert!(aw!(pool.sign_in("gina", PASSWORD)).is_err());
        signed_in(aw!(pool.sign_in("gina", "New-Password-2")).unwrap());
    }
}

driver_test! {
    async fn change_password() {
        let s = Setup::new();
        s.user("hank");
        let pool = s.pool();
        let user = signed_in(aw!(pool.sign_in("hank", PASSWORD)).unwrap());
        let e = aw!(user
            .change_password("Wrong-Password-1", "New-Password-2"))
            .unwrap_err();
        assert_eq!(kind(&e), Some(&ServiceErrorKind::NotAuthorized));
        aw!(user.change_password(PASSWORD, "New-Password-2"))
            .unwrap();
        signed_in(aw!(pool.sign_in("hank", "New-Password-2")).unwrap());
    }
}

driver_test! {
    async fn attributes_update_verify_delete() {
        let s = Setup::new();
        s.user("iris");
        let pool = s.pool();
        let user = signed_in(aw!(pool.sign_in("iris", PASSWORD)).unwrap());
        aw!(user.update_attributes(&[("name", "Iris"), ("email", "iris2@example.com")]))
            .unwrap();
        let profile = aw!(user.get_user()).unwrap();
        assert_eq!(profile.attribute("name"), Some("Iris"));
        assert_eq!(profile.attribute("email_verified"), Some("false"));
        aw!(user.get_attribute_verification_code("email")).unwrap();
        let code = s
            .emu
            .last_code("iris", MessageKind::VerifyAttribute)
            .unwrap();
        aw!(user.verify_attribute("email", &code)).unwrap();
        assert_eq!(
            aw!(user.get_user()).unwrap().attribute("email_verified"),
            Some("true")
        );
        aw!(user.delete_attributes(&["name"])).unwrap();
        assert_eq!(aw!(user.get_user()).unwrap().attribute("name"), None);
    }
}

fn totp_now(s: &Setup, secret: &str) -> String {
    cognito_emulator::totp::code(secret, s.emu.now()).unwrap()
}

driver_test! {
    async fn totp_association_preference_and_sign_in_step() {
        let s = Setup::with(
            PoolConfig {
                mfa: cognito_emulator::MfaConfiguration::Optional,
                ..PoolConfig::default()
            },
            ClientConfig::default(),
        );
        s.user("jack");
        let pool = s.pool();
        let user = signed_in(aw!(pool.sign_in("jack", PASSWORD)).unwrap());
        let secret = aw!(user.associate_software_token()).unwrap();
        let status = aw!(user
            .verify_software_token(&totp_now(&s, secret.expose_secret()), Some("phone")))
            .unwrap();
        assert_eq!(status, Some(VerifySoftwareTokenStatus::Success));
        aw!(user.set_mfa_preference(MfaPreference {
            software_token: Some(MfaSettings {
                enabled: Some(true),
                preferred_mfa: Some(true),
            }),
            ..MfaPreference::default()
        }))
        .unwrap();
        aw!(user.sign_out()).unwrap();
        // The next sign-in asks for the TOTP code.
        let mut step = match aw!(pool.sign_in("jack", PASSWORD)).unwrap() {
            SignInOutcome::Pending(step) => step,
            other => panic!("{other:?}"),
        };
        assert_eq!(step.next_step(), &NextStep::ConfirmWithTotpCode);
        // A wrong code is an error and the same step can be answered again.
        let e = aw!(step.answer(Answer::code("000000"))).unwrap_err();
        assert_eq!(kind(&e), Some(&ServiceErrorKind::CodeMismatch));
        s.advance(30); // a fresh TOTP window: a code is single-use
        let user = signed_in(
            aw!(step.answer(Answer::code(totp_now(&s, secret.expose_secret()))))
                .unwrap(),
        );
        assert!(aw!(user.is_signed_in()).unwrap());
    }
}

fn step(outcome: SignInOutcome) -> driver::PendingSignIn {
    match outcome {
        SignInOutcome::Pending(step) => step,
        SignInOutcome::SignedIn(user) => panic!("expected a step, {} signed in", user.username()),
    }
}

driver_test! {
    async fn new_password_required_step() {
        let s = Setup::new();
        s.emu
            .call(
                "AdminCreateUser",
                serde_json::json!({"UserPoolId": s.pool_id, "Username": "abby",
                    "TemporaryPassword": "Temp-Password-1", "MessageAction": "SUPPRESS",
                    "UserAttributes": [{"Name": "email", "Value": "abby@example.com"}]}),
            )
            .unwrap();
        let pool = s.pool();
        let mut sign_in = step(aw!(pool.sign_in("abby", "Temp-Password-1")).unwrap());
        assert!(matches!(
            sign_in.next_step(),
            NextStep::NewPasswordRequired { .. }
        ));
        let user = signed_in(
            aw!(sign_in
                .answer(Answer::NewPassword {
                    password: "Final-Password-2".into(),
                    attributes: Default::default(),
                }))
                .unwrap(),
        );
        aw!(user.sign_out()).unwrap();
        signed_in(aw!(pool.sign_in("abby", "Final-Password-2")).unwrap());
    }
}

driver_test! {
    async fn mfa_setup_with_totp_during_sign_in() {
        let s = Setup::with(
            PoolConfig {
                mfa: cognito_emulator::MfaConfiguration::On,
                ..PoolConfig::default()
            },
            ClientConfig::default(),
        );
        s.user("bert");
        let pool = s.pool();
        let mut sign_in = step(aw!(pool.sign_in("bert", PASSWORD)).unwrap());
        if let NextStep::SelectMfaSetupType { .. } = sign_in.next_step() {
            sign_in = step(
                aw!(sign_in
                    .answer(Answer::MfaType(driver::MfaType::Totp)))
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
            aw!(sign_in
                .answer(Answer::code(totp_now(&s, &secret))))
                .unwrap(),
        );
        assert!(aw!(user.is_signed_in()).unwrap());
    }
}

driver_test! {
    async fn custom_auth_challenge() {
        let s = Setup::with(
            PoolConfig {
                custom_auth_trigger: true,
                ..PoolConfig::default()
            },
            ClientConfig::default(),
        );
        s.user("cleo");
        let pool = s.pool();
        let mut sign_in = step(
            aw!(pool.sign_in_with(Start::custom_with_srp("cleo", PASSWORD)))
                .unwrap(),
        );
        assert!(matches!(
            sign_in.next_step(),
            NextStep::CustomChallenge { .. }
        ));
        let code = s.emu.last_code("cleo", MessageKind::Custom).unwrap();
        let user = signed_in(
            aw!(sign_in
                .answer(Answer::Custom {
                    answer: code.as_str().into(),
                    extra: Default::default(),
                }))
                .unwrap(),
        );
        assert_eq!(user.username(), "cleo");
    }
}

driver_test! {
    async fn email_otp_first_factor() {
        let s = Setup::with(
            PoolConfig {
                allowed_first_auth_factors: vec!["PASSWORD".into(), "EMAIL_OTP".into()],
                ..PoolConfig::default()
            },
            ClientConfig::default(),
        );
        s.user("dina");
        let pool = s.pool();
        let mut sign_in = step(
            aw!(pool.sign_in_with(Start::user_auth(
                "dina",
                Some(driver::FirstFactor::EmailOtp),
            )))
            .unwrap(),
        );
        assert!(matches!(
            sign_in.next_step(),
            NextStep::ConfirmWithEmailCode { .. }
        ));
        let code = s.emu.last_code("dina", MessageKind::Otp).unwrap();
        signed_in(aw!(sign_in.answer(Answer::code(code))).unwrap());
    }
}

driver_fn! {
    async fn device_pool() -> Setup {
        Setup::with(
            PoolConfig {
                device_tracking: Some((true, false)),
                ..PoolConfig::default()
            },
            ClientConfig::default(),
        )
    }
}

driver_test! {
    async fn devices_remembered_listed_used_and_forgotten() {
        let s = aw!(device_pool());
        s.user("kate");
        let pool = s.pool();
        let user = signed_in(aw!(pool.sign_in("kate", PASSWORD)).unwrap());
        let device = aw!(user.remembered_device()).unwrap().expect("device stored");
        assert_eq!(s.count("ConfirmDevice"), 1);
        let listed = aw!(user.list_devices(None, None)).unwrap();
        assert!(
            listed
                .devices
                .iter()
                .any(|d| d.device_key == device.device_key)
        );
        let current = aw!(user.get_device(None)).unwrap();
        assert_eq!(current.device_key, device.device_key);
        aw!(user.remember_device()).unwrap();
        aw!(user.do_not_remember_device()).unwrap();
        aw!(user.remember_device()).unwrap();
        // Sign-out keeps the device (known client bug docs/protocol.md#pitfall-24); the next sign-in authenticates it.
        aw!(user.sign_out()).unwrap();
        assert!(aw!(user.remembered_device()).unwrap().is_some());
        let user = signed_in(aw!(pool.sign_in("kate", PASSWORD)).unwrap());
        assert_eq!(s.count("ConfirmDevice"), 1, "the device was reused");
        assert!(s.count("RespondToAuthChallenge") >= 4, "device SRP ran");
        aw!(user.forget_device()).unwrap();
        assert!(aw!(user.remembered_device()).unwrap().is_none());
        let listed = aw!(user.list_devices(None, None)).unwrap();
        assert!(
            listed
                .devices
                .iter()
                .all(|d| d.device_key != device.device_key)
        );
    }
}

driver_test! {
    async fn device_remembered_on_user_prompt_is_marked_remembered() {
        let s = Setup::with(
            PoolConfig {
                device_tracking: Some((true, true)),
                ..PoolConfig::default()
            },
            ClientConfig::default(),
        );
        s.user("eddy");
        let pool = s.pool();
        let user = signed_in(aw!(pool.sign_in("eddy", PASSWORD)).unwrap());
        assert!(aw!(user.remembered_device()).unwrap().is_some());
        assert_eq!(s.count("UpdateDeviceStatus"), 1);
        let device = aw!(user.get_device(None)).unwrap();
        assert_eq!(device.remembered_status(), Some(remembered_status()));
    }
}

driver_test! {
    async fn pitfall_17_refresh_sends_the_device_key() {
        let s = aw!(device_pool());
        s.user("liam");
        let pool = s.pool();
        let user = signed_in(aw!(pool.sign_in("liam", PASSWORD)).unwrap());
        s.advance(3600);
        // The emulator refuses a refresh of device-bound tokens without their DEVICE_KEY.
        aw!(user.session()).unwrap();
        assert_eq!(s.refresh_count(), 1);
    }
}

driver_test! {
    async fn pitfall_24_sign_out_revokes_and_keeps_the_device() {
        let s = aw!(device_pool());
        s.user("mia");
        let pool = s.pool();
        let user = signed_in(aw!(pool.sign_in("mia", PASSWORD)).unwrap());
        let old = aw!(user.session()).unwrap();
        aw!(user.sign_out()).unwrap();
        assert_eq!(s.count("RevokeToken"), 1);
        assert!(!aw!(user.is_signed_in()).unwrap());
        assert!(aw!(user.remembered_device()).unwrap().is_some());
        assert!(aw!(pool.current_user()).unwrap().is_none());
        assert!(matches!(
            aw!(user.session()).unwrap_err(),
            Error::NotSignedIn
        ));
        // The revoked refresh token is dead on the server.
        let e = aw!(pool
            .call(&driver::ops::GetTokensFromRefreshToken {
                refresh_token: old.refresh_token().unwrap().clone(),
                client_id: s.client_id.clone(),
                client_secret: None,
                device_key: old.device_key().map(str::to_owned),
                client_metadata: Default::default(),
            }))
            .unwrap_err();
        assert_eq!(kind(&e), Some(&ServiceErrorKind::NotAuthorized));
    }
}

driver_test! {
    async fn pitfall_15_device_unknown_to_the_server_is_forgotten_and_replaced() {
        let s = aw!(device_pool());
        s.user("nina");
        let pool = s.pool();
        let user = signed_in(aw!(pool.sign_in("nina", PASSWORD)).unwrap());
        let old = aw!(user.remembered_device()).unwrap().unwrap();
        // Another client of the same user forgets this device on the server only.
        let other = s.pool();
        let on_other = signed_in(aw!(other.sign_in("nina", PASSWORD)).unwrap());
        aw!(on_other.forget_device_key(&old.device_key)).unwrap();
        aw!(user.sign_out()).unwrap();
        // The stale device makes the first attempt fail; the sign-in restarts once without it.
        let user = signed_in(aw!(pool.sign_in("nina", PASSWORD)).unwrap());
        let new = aw!(user.remembered_device()).unwrap().expect("a new device");
        assert_ne!(new.device_key, old.device_key);
        aw!(user.get_device(None)).unwrap();
    }
}

driver_test! {
    async fn pitfall_16_recreated_user_with_a_stale_device_signs_in() {
        let s = aw!(device_pool());
        s.user("owen");
        let pool = s.pool();
        let user = signed_in(aw!(pool.sign_in("owen", PASSWORD)).unwrap());
        let old = aw!(user.remembered_device()).unwrap().unwrap();
        aw!(user.sign_out()).unwrap();
        s.emu
            .call(
                "AdminDeleteUser",
                serde_json::json!({"UserPoolId": s.pool_id, "Username": "owen"}),
            )
            .unwrap();
        s.user("owen");
        let user = signed_in(aw!(pool.sign_in("owen", PASSWORD)).unwrap());
        let new = aw!(user.remembered_device()).unwrap().expect("a new device");
        assert_ne!(new.device_key, old.device_key);
    }
}

driver_test! {
    async fn pitfall_21_rotated_refresh_token_is_stored() {
        let s = Setup::with(
            PoolConfig::default(),
            ClientConfig {
                refresh_token_rotation: true,
                ..ClientConfig::default()
            },
        );
        s.user("pam");
        let pool = s
            .builder()
            .refresh_method(RefreshMethod::GetTokensFromRefreshToken)
            .build()
            .unwrap();
        let user = signed_in(aw!(pool.sign_in("pam", PASSWORD)).unwrap());
        let first = aw!(user.session()).unwrap();
        s.advance(7200);
        let second = aw!(user.session()).unwrap();
        assert_ne!(
            first.refresh_token().unwrap().expose_secret(),
            second.refresh_token().unwrap().expose_secret(),
            "rotated"
        );
        // The stored (new) refresh token works for the next refresh; the old one would not.
        s.advance(7200);
        aw!(user.session()).unwrap();
        assert_eq!(s.count("GetTokensFromRefreshToken"), 2);
    }
}

driver_test! {
    async fn global_sign_out_invalidates_every_session() {
        let s = Setup::new();
        s.user("noah");
        let a = s.pool();
        let b = s.pool(); // another device, its own store
        let on_a = signed_in(aw!(a.sign_in("noah", PASSWORD)).unwrap());
        let on_b = signed_in(aw!(b.sign_in("noah", PASSWORD)).unwrap());
        aw!(on_a.global_sign_out()).unwrap();
        assert!(!aw!(on_a.is_signed_in()).unwrap());
        // B's access token is revoked, and its refresh fails as a dead session (known client bug docs/protocol.md#pitfall-20).
        let e = aw!(on_b.get_user()).unwrap_err();
        assert_eq!(kind(&e), Some(&ServiceErrorKind::NotAuthorized));
        s.advance(3600);
        let e = aw!(on_b.session()).unwrap_err();
        assert_eq!(kind(&e), Some(&ServiceErrorKind::NotAuthorized));
        assert!(!aw!(on_b.is_signed_in()).unwrap(), "dead session cleared");
    }
}

driver_test! {
    async fn delete_user_clears_everything() {
        let s = aw!(device_pool());
        s.user("olga");
        let pool = s.pool();
        let user = signed_in(aw!(pool.sign_in("olga", PASSWORD)).unwrap());
        aw!(user.delete_user()).unwrap();
        assert!(!aw!(user.is_signed_in()).unwrap());
        assert!(aw!(user.remembered_device()).unwrap().is_none());
        let e = aw!(pool.sign_in("olga", PASSWORD)).unwrap_err();
        assert!(matches!(
            kind(&e),
            Some(ServiceErrorKind::UserNotFound | ServiceErrorKind::NotAuthorized)
        ));
    }
}

driver_test! {
    async fn identity_pool_credentials() {
        let s = Setup::new();
        s.user("pete");
        let pool = s.pool();
        let user = signed_in(aw!(pool.sign_in("pete", PASSWORD)).unwrap());
        let identity_pool = &s
            .emu
            .create_identity_pool(&s.pool_id, &s.client_id, false)
            .unwrap();
        let creds = aw!(user.aws_credentials(identity_pool)).unwrap();
        assert!(!creds.access_key_id.is_empty());
        assert!(!creds.session_token.expose_secret().is_empty());
        let again = aw!(user.aws_credentials(identity_pool)).unwrap();
        assert_eq!(
            creds.identity_id, again.identity_id,
            "same user, same identity"
        );
        // The second call is served from the handle's cache.
        assert_eq!(again.access_key_id, creds.access_key_id);
        assert_eq!(s.count("GetId"), 1);
        assert_eq!(s.count("GetCredentialsForIdentity"), 1);
    }
}

driver_test! {
    async fn pitfall_19_session_refreshes_only_when_due() {
        let s = Setup::new();
        s.user("quin");
        let pool = s.pool();
        let user = signed_in(aw!(pool.sign_in("quin", PASSWORD)).unwrap());
        let first = aw!(user.session()).unwrap();
        assert_eq!(s.refresh_count(), 0);
        s.advance(3600 - 30); // inside the 60 s margin
        let second = aw!(user.session()).unwrap();
        assert_eq!(s.refresh_count(), 1);
        assert_ne!(
            first.access_token().token().expose_secret(),
            second.access_token().token().expose_secret()
        );
        // Known client bug docs/protocol.md#pitfall-21: the refresh token is kept when the refresh returns none.
        assert!(second.refresh_token().is_some());
        aw!(user.session()).unwrap();
        assert_eq!(s.refresh_count(), 1);
    }
}

driver_test! {
    async fn pitfall_23_refresh_acts_on_the_named_user() {
        let s = Setup::new();
        s.user("sam");
        s.user("tess");
        let pool = s.pool();
        let sam = signed_in(aw!(pool.sign_in("sam", PASSWORD)).unwrap());
        let tess = signed_in(aw!(pool.sign_in("tess", PASSWORD)).unwrap());
        assert_eq!(aw!(pool.current_user()).unwrap().unwrap().username(), "tess");
        s.advance(7200);
        let sam_tokens = aw!(sam.session()).unwrap();
        assert_eq!(sam_tokens.username(), Some("sam"));
        assert_eq!(aw!(tess.session()).unwrap().username(), Some("tess"));
        assert_eq!(s.refresh_count(), 2);
    }
}

driver_test! {
    async fn file_store_survives_a_restart() {
        let dir = std::env::temp_dir().join(format!("cognito-blocking-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("session.json");
        let _ = std::fs::remove_file(&path);
        let s = Setup::new();
        s.user("uma");
        {
            let pool = s.builder().store(FileStore::new(&path)).build().unwrap();
            signed_in(aw!(pool.sign_in("uma", PASSWORD)).unwrap());
        }
        let pool = s.builder().store(FileStore::new(&path)).build().unwrap();
        let user = aw!(pool.current_user()).unwrap().expect("user from the file");
        assert_eq!(aw!(user.get_user()).unwrap().username, "uma");
        // A corrupt file is an error that says so (and is left alone).
        std::fs::write(&path, b"{ not json").unwrap();
        let e = aw!(pool.current_user()).unwrap_err();
        assert!(matches!(e, Error::Session(_)), "{e:?}");
        assert_eq!(std::fs::read(&path).unwrap(), b"{ not json");
        std::fs::remove_dir_all(&dir).ok();
    }
}

// ----- faults ------------------------------------------------------------------------------

driver_test! {
    async fn fault_server_error_on_an_idempotent_call_is_retried() {
        let s = Setup::new();
        s.user("vera");
        let pool = s.pool();
        let user = signed_in(aw!(pool.sign_in("vera", PASSWORD)).unwrap());
        s.emu
            .inject_fault(Fault::new("GetUser", FaultKind::Http500));
        aw!(user.get_user()).unwrap();
        assert_eq!(s.count("GetUser"), 2);
        s.emu.inject_fault(Fault::new("GetUser", FaultKind::Reset));
        aw!(user.get_user()).unwrap();
        assert_eq!(s.count("GetUser"), 4);
        // Bounded: three attempts, then the typed error.
        s.emu
            .inject_fault(Fault::new("GetUser", FaultKind::Throttle).times(3));
        let e = aw!(user.get_user()).unwrap_err();
        assert_eq!(kind(&e), Some(&ServiceErrorKind::TooManyRequests));
        assert!(e.is_retryable());
        assert_eq!(s.count("GetUser"), 7);
    }
}

driver_test! {
    async fn fault_non_idempotent_call_is_not_retried_after_reaching_the_server() {
        let s = Setup::new();
        let pool = s.pool();
        s.emu
            .inject_fault(Fault::new("SignUp", FaultKind::Throttle));
        let e = aw!(pool.sign_up("walt", PASSWORD, &[])).unwrap_err();
        assert_eq!(kind(&e), Some(&ServiceErrorKind::TooManyRequests));
        assert_eq!(s.count("SignUp"), 1);
        s.emu.inject_fault(Fault::new("SignUp", FaultKind::Reset));
        let e = aw!(pool.sign_up("walt", PASSWORD, &[])).unwrap_err();
        assert!(matches!(e, Error::Transport(_)), "{e:?}");
        assert_eq!(s.count("SignUp"), 2);
    }
}

driver_test! {
    async fn fault_sign_in_step_is_not_retried() {
        let s = Setup::new();
        s.user("xena");
        let pool = s.pool();
        s.emu
            .inject_fault(Fault::new("RespondToAuthChallenge", FaultKind::Http500));
        let e = aw!(pool.sign_in("xena", PASSWORD)).unwrap_err();
        assert!(e.is_retryable());
        assert_eq!(s.count("RespondToAuthChallenge"), 1);
        signed_in(aw!(pool.sign_in("xena", PASSWORD)).unwrap());
    }
}

driver_test! {
    async fn pitfall_20_tokens_survive_network_errors_and_throttling() {
        let s = Setup::new();
        s.user("yuri");
        let pool = s.pool();
        let user = signed_in(aw!(pool.sign_in("yuri", PASSWORD)).unwrap());
        s.advance(7200);
        for fault in [FaultKind::Throttle, FaultKind::Http500, FaultKind::Reset] {
            // REFRESH_TOKEN_AUTH is safe to repeat: each of the three attempts meets a fault.
            let before = s.refresh_count();
            s.emu.inject_fault(Fault::new("*", fault).times(3));
            let e = aw!(user.session()).unwrap_err();
            assert!(e.is_retryable(), "{e:?}");
            assert_eq!(s.refresh_count() - before, 3, "retried under {fault:?}");
            assert!(aw!(user.is_signed_in()).unwrap(), "tokens kept after {fault:?}");
        }
        aw!(user.session()).unwrap();
    }
}

driver_test! {
    async fn pitfall_20_dead_session_is_cleared_but_device_kept() {
        let s = aw!(device_pool());
        s.user("zoe");
        let pool = s.pool();
        let user = signed_in(aw!(pool.sign_in("zoe", PASSWORD)).unwrap());
        s.emu
            .call(
                "AdminUserGlobalSignOut",
                serde_json::json!({"UserPoolId": s.pool_id, "Username": "zoe"}),
            )
            .unwrap();
        s.advance(7200);
        let e = aw!(user.session()).unwrap_err();
        assert_eq!(kind(&e), Some(&ServiceErrorKind::NotAuthorized));
        assert!(!aw!(user.is_signed_in()).unwrap());
        assert!(aw!(user.remembered_device()).unwrap().is_some());
    }
}

driver_test! {
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
        let e = aw!(pool.sign_up("a", PASSWORD, &[])).unwrap_err();
        match e {
            Error::Transport(t) => {
                assert_eq!(t.kind(), driver::TransportErrorKind::Connect);
                assert!(!t.may_have_reached_server());
            }
            other => panic!("{other:?}"),
        }
    }
}

driver_fn! {
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
        );
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
}

fn mfa_codes_sent(s: &Setup, sub: &str) -> usize {
    s.emu
        .messages(Some(sub))
        .iter()
        .filter(|m| m.kind == "MFA")
        .count()
}

driver_test! {
    async fn alias_signin_uses_remembered_device() {
        let (s, sub) = aw!(email_username_device_pool());
        let pool = s.pool();
        // The first sign-in asks for the SMS code and remembers the device under the `sub`.
        let mut sign_in = step(aw!(pool.sign_in("xena@example.com", PASSWORD)).unwrap());
        assert!(matches!(
            sign_in.next_step(),
            NextStep::ConfirmWithSmsCode { .. }
        ));
        let code = s.emu.last_code(&sub, MessageKind::Mfa).unwrap();
        let user = signed_in(aw!(sign_in.answer(Answer::code(code))).unwrap());
        assert_eq!(user.username(), sub);
        let device = aw!(user.remembered_device()).unwrap().expect("device stored");
        assert_eq!(mfa_codes_sent(&s, &sub), 1);

        // Signed in again with the typed email while still signed in: device SRP, no SMS code.
        let user = signed_in(aw!(pool.sign_in("xena@example.com", PASSWORD)).unwrap());
        assert_eq!(user.username(), sub);
        assert_eq!(mfa_codes_sent(&s, &sub), 1, "no second SMS code");

        // After sign-out (tokens and last user cleared) the typed email still finds the device.
        aw!(user.sign_out()).unwrap();
        assert!(aw!(pool.current_user()).unwrap().is_none());
        let user = signed_in(aw!(pool.sign_in("xena@example.com", PASSWORD)).unwrap());
        assert_eq!(
            mfa_codes_sent(&s, &sub),
            1,
            "no SMS code after sign-out either"
        );
        assert_eq!(s.count("ConfirmDevice"), 1, "the device was reused");
        assert_eq!(
            aw!(user.remembered_device()).unwrap().map(|d| d.device_key),
            Some(device.device_key)
        );
    }
}

driver_test! {
    async fn alias_signin_after_the_device_was_forgotten_confirms_a_new_one() {
        let (s, sub) = aw!(email_username_device_pool());
        let pool = s.pool();
        let mut sign_in = step(aw!(pool.sign_in("xena@example.com", PASSWORD)).unwrap());
        let code = s.emu.last_code(&sub, MessageKind::Mfa).unwrap();
        let user = signed_in(aw!(sign_in.answer(Answer::code(code))).unwrap());
        let old = aw!(user.remembered_device()).unwrap().expect("device stored");
        // Forgotten through the user handle: on the server and in the user's own record. The
        // copy kept for the typed email is stale now.
        aw!(user.forget_device()).unwrap();
        assert!(aw!(user.remembered_device()).unwrap().is_none());
        aw!(user.sign_out()).unwrap();
        // The stale device is refused once (known client bug docs/protocol.md#pitfall-15), the sign-in restarts without it and
        // asks for the SMS code again, and the new device replaces the stale copy.
        let mut sign_in = step(aw!(pool.sign_in("xena@example.com", PASSWORD)).unwrap());
        assert!(matches!(
            sign_in.next_step(),
            NextStep::ConfirmWithSmsCode { .. }
        ));
        let code = s.emu.last_code(&sub, MessageKind::Mfa).unwrap();
        let user = signed_in(aw!(sign_in.answer(Answer::code(code))).unwrap());
        let new = aw!(user.remembered_device()).unwrap().expect("a new device");
        assert_ne!(new.device_key, old.device_key);
        assert_eq!(mfa_codes_sent(&s, &sub), 2);
        // And the next sign-in with the email uses the new device.
        aw!(user.sign_out()).unwrap();
        signed_in(aw!(pool.sign_in("xena@example.com", PASSWORD)).unwrap());
        assert_eq!(mfa_codes_sent(&s, &sub), 2, "the new device replaced the SMS code");
        assert_eq!(s.count("ConfirmDevice"), 2);
    }
}

driver_test! {
    async fn alias_in_another_letter_case_finds_the_device_of_the_internal_user() {
        let (s, sub) = aw!(email_username_device_pool());
        let pool = s.pool();
        let mut sign_in = step(aw!(pool.sign_in("xena@example.com", PASSWORD)).unwrap());
        let code = s.emu.last_code(&sub, MessageKind::Mfa).unwrap();
        let user = signed_in(aw!(sign_in.answer(Answer::code(code))).unwrap());
        let device = aw!(user.remembered_device()).unwrap().expect("device stored");
        aw!(user.sign_out()).unwrap();
        // Typed in other letters: nothing is stored under this spelling and nobody is signed
        // in, so the sign-in starts without a device. Once the server names the internal user
        // (`USER_ID_FOR_SRP`), the device stored for it is looked up and used: device SRP,
        // no SMS code, no new device.
        let user = signed_in(aw!(pool.sign_in("XENA@Example.COM", PASSWORD)).unwrap());
        assert_eq!(user.username(), sub);
        assert_eq!(mfa_codes_sent(&s, &sub), 1, "no second SMS code");
        assert_eq!(s.count("ConfirmDevice"), 1, "no new device");
        assert_eq!(
            aw!(user.remembered_device()).unwrap().map(|d| d.device_key),
            Some(device.device_key)
        );
    }
}

driver_test! {
    async fn a_paused_sign_in_resumes_in_another_handle() {
        let (s, sub) = aw!(email_username_device_pool());
        // "Process A": starts the sign-in, which stops at the SMS code, and keeps it as JSON.
        let pool_a = s.pool();
        let sign_in = step(aw!(pool_a.sign_in("xena@example.com", PASSWORD)).unwrap());
        let paused = serde_json::to_string(&sign_in.pause().unwrap()).unwrap();
        assert!(!paused.contains(PASSWORD), "no password in {paused}");
        drop(sign_in);
        drop(pool_a);
        // "Process B": a new handle with its own store resumes it and answers the code.
        let pool_b = s.pool();
        let paused: driver::PausedSignIn = serde_json::from_str(&paused).unwrap();
        let mut sign_in = aw!(pool_b.resume_sign_in(paused)).unwrap();
        assert!(matches!(
            sign_in.next_step(),
            NextStep::ConfirmWithSmsCode { .. }
        ));
        // A wrong code keeps the resumed sign-in answerable, as any other.
        let e = aw!(sign_in.answer(Answer::code("000000"))).unwrap_err();
        assert_eq!(e.service_kind(), Some(&ServiceErrorKind::CodeMismatch));
        let code = s.emu.last_code(&sub, MessageKind::Mfa).unwrap();
        let user = signed_in(aw!(sign_in.answer(Answer::code(code))).unwrap());
        assert_eq!(user.username(), sub);
        assert!(aw!(user.session()).is_ok());
        // A paused sign-in of another app client is refused.
        let other = s
            .emu
            .create_client(&s.pool_id, ClientConfig::default())
            .unwrap();
        let foreign = driver::UserPool::builder(&s.pool_id, &other.client_id)
            .endpoint_url(&s.emu.url())
            .unwrap()
            .build()
            .unwrap();
        let sign_in = step(aw!(s.pool().sign_in("xena@example.com", PASSWORD)).unwrap());
        let paused = sign_in.pause().unwrap();
        assert!(aw!(foreign.resume_sign_in(paused)).is_err());
    }
}
