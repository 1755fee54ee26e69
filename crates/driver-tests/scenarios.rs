//! The interop scenarios of issue 5, run by this driver against the in-process emulator: the
//! nine scenarios the JavaScript client runs (`tests/interop/`), plus email OTP, `USER_AUTH`,
//! refresh-token rotation and a client with a secret. Every failure message names the scenario
//! and the step. Shared by both drivers' test binaries (see `crates/driver-tests/README.md`).

use std::collections::BTreeMap;

use crate::driver;
use crate::support::{Rng, Setup};
use cognito_emulator::{ClientConfig, MessageKind, MfaConfiguration, PoolConfig};
use driver::cognito_proto::error::ServiceErrorKind;
use driver::ops::{self, AuthFlow};
use driver::{
    Answer, Error, FirstFactor, MfaType, NextStep, PendingSignIn, RefreshMethod, SecretString,
    SignInOutcome, Start, User, UserPool,
};
use serde_json::{Value, json};

const PASSWORD: &str = "Correct-Horse-1";

/// Random users per driver in debug builds (scenario 2).
const RANDOM_USERS: usize = 50;

// ----- scaffolding ---------------------------------------------------------------------------

impl Setup {
    fn create_user(&self, sc: &str, name: &str, password: &str, attrs: &[(&str, &str)]) {
        self.emu
            .create_user(&self.pool_id, name, password, attrs)
            .unwrap_or_else(|e| panic!("{sc}: create user {name:?}: {e:?}"));
    }

    /// An unsigned admin call (AdminCreateUser, AdminSetUserMFAPreference, ...).
    fn admin(&self, sc: &str, op: &str, mut body: Value) -> Value {
        body["UserPoolId"] = json!(self.pool_id);
        self.emu
            .call(op, body)
            .unwrap_or_else(|e| panic!("{sc}: admin {op}: {e:?}"))
    }

    fn code(&self, sc: &str, step: &str, user: &str, kind: MessageKind) -> String {
        self.emu
            .last_code(user, kind)
            .unwrap_or_else(|| panic!("{sc} / {step}: no {kind:?} code for {user}"))
    }

    fn message_count(&self, kind: MessageKind) -> usize {
        self.emu
            .messages(None)
            .iter()
            .filter(|m| m.kind == kind.as_str())
            .count()
    }

    /// Move both clocks forward.
    fn totp(&self, secret: &str) -> String {
        cognito_emulator::totp::code(secret, self.emu.now()).expect("valid base32 secret")
    }
}

fn ok<T>(sc: &str, step: &str, r: Result<T, Error>) -> T {
    r.unwrap_or_else(|e| panic!("{sc} / {step}: unexpected error: {e} ({e:?})"))
}

fn err<T: std::fmt::Debug>(sc: &str, step: &str, r: Result<T, Error>) -> Error {
    match r {
        Ok(v) => panic!("{sc} / {step}: expected an error, got {v:?}"),
        Err(e) => e,
    }
}

fn expect_kind(sc: &str, step: &str, e: &Error, kinds: &[ServiceErrorKind]) {
    let got = e.service_kind();
    assert!(
        got.is_some_and(|k| kinds.contains(k)),
        "{sc} / {step}: expected one of {kinds:?}, got {e} ({e:?})"
    );
}

fn signed_in(sc: &str, step: &str, outcome: SignInOutcome) -> User {
    match outcome {
        SignInOutcome::SignedIn(user) => user,
        SignInOutcome::Pending(s) => {
            panic!(
                "{sc} / {step}: expected tokens, got step {:?}",
                s.next_step()
            )
        }
    }
}

fn next(sc: &str, step: &str, outcome: SignInOutcome) -> PendingSignIn {
    match outcome {
        SignInOutcome::Pending(s) => s,
        SignInOutcome::SignedIn(u) => {
            panic!(
                "{sc} / {step}: expected a step, got signed in as {}",
                u.username()
            )
        }
    }
}

fn other_code(code: &str) -> String {
    if code == "000000" { "111111" } else { "000000" }.to_owned()
}

const NAME_CHARS: &[char] = &[
    'a', 'b', 'z', 'Q', '0', '7', '_', '-', '.', '+', 'é', 'ß', 'Ω', 'Ж', 'ї', '中', '文', '日',
    'ع', 'ש', 'ñ', '√', '€', '🙂', '🦀',
];
// No whitespace: AWS's model refuses it in passwords (`[\S]+`).
const PASSWORD_EXTRA: &[char] = &[
    'a', 'K', '3', '!', '#', 'é', 'ü', 'Ж', '中', '🔑', '€', '"', '\\', '~', 'ﬀ',
];

fn random_username(rng: &mut Rng, i: usize) -> String {
    let len = 1 + rng.below(12);
    let mut s: String = (0..len).map(|_| rng.pick(NAME_CHARS)).collect();
    s.push_str(&format!("-{i}"));
    s
}

fn random_password(rng: &mut Rng) -> String {
    let mut s = String::from("aA1!");
    for _ in 0..4 + rng.below(20) {
        s.push(rng.pick(PASSWORD_EXTRA));
    }
    s
}

// ----- 1. sign-up, confirm, resend -----------------------------------------------------------

driver_test! {
    async fn s1_sign_up_confirm_resend() {
        let sc = "scenario 1 (sign-up/confirm/resend)";
        let s = Setup::with(PoolConfig::default(), ClientConfig::default());
        let pool = s.pool();
        let result = ok(
            sc,
            "sign up",
            aw!(pool.sign_up(
                "ulla",
                PASSWORD,
                &[("email", "ulla@example.com"), ("name", "Ulla Ek")],
            )),
        );
        assert!(
            !result.user_confirmed,
            "{sc} / sign up: user must be unconfirmed"
        );
        let delivery = result
            .code_delivery_details
            .unwrap_or_else(|| panic!("{sc} / sign up: no CodeDeliveryDetails"));
        assert_eq!(
            delivery.attribute_name.as_deref(),
            Some("email"),
            "{sc} / sign up: delivery attribute"
        );
        assert_ne!(
            delivery.destination.as_deref(),
            Some("ulla@example.com"),
            "{sc} / sign up: the destination must be masked"
        );
        let first = s.code(sc, "sign-up code", "ulla", MessageKind::SignUp);

        // Signing in now is a typed answer, not a crash.
        match aw!(pool.sign_in("ulla", PASSWORD)) {
            Ok(SignInOutcome::Pending(step)) => assert_eq!(
                step.next_step(),
                &NextStep::ConfirmSignUp {
                    username: "ulla".into()
                },
                "{sc} / sign in before confirming"
            ),
            Err(e) => expect_kind(
                sc,
                "sign in before confirming",
                &e,
                &[ServiceErrorKind::UserNotConfirmed],
            ),
            Ok(other) => panic!("{sc} / sign in before confirming: {other:?}"),
        }

        let resent = ok(sc, "resend", aw!(pool.resend_confirmation_code("ulla")));
        assert_eq!(
            resent.and_then(|d| d.attribute_name).as_deref(),
            Some("email"),
            "{sc} / resend: delivery attribute"
        );
        let second = s.code(sc, "resent code", "ulla", MessageKind::SignUp);
        assert_eq!(
            s.message_count(MessageKind::SignUp),
            2,
            "{sc} / resend: a second code was sent"
        );
        if first != second {
            let e = err(
                sc,
                "confirm with the superseded code",
                aw!(pool.confirm_sign_up("ulla", &first)),
            );
            expect_kind(
                sc,
                "confirm with the superseded code",
                &e,
                &[
                    ServiceErrorKind::CodeMismatch,
                    ServiceErrorKind::ExpiredCode,
                ],
            );
        }
        let e = err(
            sc,
            "confirm with a wrong code",
            aw!(pool.confirm_sign_up("ulla", &other_code(&second))),
        );
        expect_kind(
            sc,
            "confirm with a wrong code",
            &e,
            &[ServiceErrorKind::CodeMismatch],
        );
        ok(sc, "confirm", aw!(pool.confirm_sign_up("ulla", &second)));
        let user = signed_in(
            sc,
            "sign in",
            ok(sc, "sign in", aw!(pool.sign_in("ulla", PASSWORD))),
        );
        let profile = ok(sc, "get user", aw!(user.get_user()));
        assert_eq!(profile.username, "ulla", "{sc} / get user: username");
        assert_eq!(
            profile.attribute("email"),
            Some("ulla@example.com"),
            "{sc} / get user: email"
        );
        assert_eq!(
            profile.attribute("name"),
            Some("Ulla Ek"),
            "{sc} / get user: name"
        );
        assert_eq!(
            profile.attribute("sub"),
            Some(result.user_sub.as_str()),
            "{sc} / get user: sub matches SignUp's UserSub"
        );
        // Confirming again is refused.
        let e = err(
            sc,
            "confirm twice",
            aw!(pool.confirm_sign_up("ulla", &second)),
        );
        assert!(
            e.service_kind().is_some(),
            "{sc} / confirm twice: typed error, got {e:?}"
        );
    }
}

// ----- 2. SRP for many random users, then USER_PASSWORD_AUTH --------------------------------

driver_test! {
    async fn s2_srp_sign_in_random_users_then_password_auth() {
        let sc = "scenario 2 (SRP for random users)";
        let s = Setup::with(
            PoolConfig {
                relaxed_password_policy: true,
                ..PoolConfig::default()
            },
            ClientConfig::default(),
        );
        let pool = s.pool();
        let (mut rng, seed) = Rng::from_env("SCENARIO_SEED");
        let mut users = Vec::new();
        for i in 0..RANDOM_USERS {
            let name = random_username(&mut rng, i);
            let password = random_password(&mut rng);
            let sub = s
                .emu
                .create_user(&s.pool_id, &name, &password, &[])
                .unwrap_or_else(|e| panic!("{sc} (seed {seed}) / create {name:?}: {e:?}"));
            users.push((name, password, sub));
        }
        for (name, password, sub) in &users {
            let step = format!("SRP sign-in of {name:?} (seed {seed})");
            let user = signed_in(sc, &step, ok(sc, &step, aw!(pool.sign_in(name, password))));
            assert_eq!(user.username(), name, "{sc} / {step}: username");
            let tokens = ok(sc, &step, aw!(user.session()));
            assert_eq!(tokens.sub(), Some(sub.as_str()), "{sc} / {step}: sub");
            assert_eq!(
                tokens.username(),
                Some(name.as_str()),
                "{sc} / {step}: token username"
            );
        }
        // A wrong password is refused, not retried.
        let (name, password, _) = &users[0];
        let before = s.emu.request_count("RespondToAuthChallenge");
        let e = err(
            sc,
            "wrong password",
            aw!(pool.sign_in(name, &format!("{password}x"))),
        );
        expect_kind(sc, "wrong password", &e, &[ServiceErrorKind::NotAuthorized]);
        assert_eq!(
            s.emu.request_count("RespondToAuthChallenge"),
            before + 1,
            "{sc} / wrong password: the verifier step is sent once"
        );
        // USER_PASSWORD_AUTH for a few of them.
        for (name, password, sub) in users.iter().take(5) {
            let step = format!("USER_PASSWORD_AUTH of {name:?} (seed {seed})");
            let user = signed_in(
                sc,
                &step,
                ok(
                    sc,
                    &step,
                    aw!(pool.sign_in_with(Start::password(name.as_str(), password.as_str()))),
                ),
            );
            let profile = ok(sc, &step, aw!(user.get_user()));
            assert_eq!(
                profile.attribute("sub"),
                Some(sub.as_str()),
                "{sc} / {step}: sub"
            );
        }
        assert_eq!(
            s.emu.request_count("InitiateAuth:USER_PASSWORD_AUTH"),
            5,
            "{sc}: USER_PASSWORD_AUTH was used"
        );
        assert_eq!(
            s.emu.request_count("InitiateAuth:USER_SRP_AUTH"),
            RANDOM_USERS as u64 + 1,
            "{sc}: USER_SRP_AUTH was used"
        );
    }
}

// ----- 3. attributes -------------------------------------------------------------------------

driver_test! {
    async fn s3_attributes_update_verify_delete() {
        let sc = "scenario 3 (attributes)";
        let s = Setup::with(PoolConfig::default(), ClientConfig::default());
        s.create_user(
            sc,
            "vera",
            PASSWORD,
            &[("email", "vera@example.com"), ("name", "Vera")],
        );
        let pool = s.pool();
        let user = signed_in(
            sc,
            "sign in",
            ok(sc, "sign in", aw!(pool.sign_in("vera", PASSWORD))),
        );
        let profile = ok(sc, "get attributes", aw!(user.get_user()));
        assert_eq!(
            profile.attribute("name"),
            Some("Vera"),
            "{sc} / get attributes: name"
        );
        assert_eq!(
            profile.attribute("email_verified"),
            Some("true"),
            "{sc} / get attributes: email verified"
        );

        let deliveries = ok(
            sc,
            "update attributes",
            aw!(user.update_attributes(&[("name", "Vera V."), ("email", "vera@example.org")])),
        );
        assert_eq!(
            deliveries.first().and_then(|d| d.attribute_name.as_deref()),
            Some("email"),
            "{sc} / update attributes: a code goes to the new email"
        );
        let profile = ok(sc, "get after update", aw!(user.get_user()));
        assert_eq!(
            profile.attribute("name"),
            Some("Vera V."),
            "{sc} / get after update: name"
        );
        assert_eq!(
            profile.attribute("email"),
            Some("vera@example.org"),
            "{sc} / get after update: email"
        );
        assert_eq!(
            profile.attribute("email_verified"),
            Some("false"),
            "{sc} / get after update: a changed email is unverified"
        );

        let delivery = ok(
            sc,
            "get verification code",
            aw!(user.get_attribute_verification_code("email")),
        );
        assert!(
            delivery.is_some(),
            "{sc} / get verification code: delivery details"
        );
        let code = s.code(
            sc,
            "verification code",
            "vera",
            MessageKind::VerifyAttribute,
        );
        let e = err(
            sc,
            "verify with a wrong code",
            aw!(user.verify_attribute("email", &other_code(&code))),
        );
        expect_kind(
            sc,
            "verify with a wrong code",
            &e,
            &[ServiceErrorKind::CodeMismatch],
        );
        ok(
            sc,
            "verify attribute",
            aw!(user.verify_attribute("email", &code)),
        );
        let profile = ok(sc, "get after verify", aw!(user.get_user()));
        assert_eq!(
            profile.attribute("email_verified"),
            Some("true"),
            "{sc} / get after verify: email verified"
        );

        ok(
            sc,
            "delete attributes",
            aw!(user.delete_attributes(&["name"])),
        );
        let profile = ok(sc, "get after delete", aw!(user.get_user()));
        assert_eq!(
            profile.attribute("name"),
            None,
            "{sc} / get after delete: name is gone"
        );
        assert_eq!(
            profile.attribute("email"),
            Some("vera@example.org"),
            "{sc} / get after delete: email kept"
        );
    }
}

// ----- 4. change and forgot password --------------------------------------------------------

driver_test! {
    async fn s4_change_and_forgot_password() {
        let sc = "scenario 4 (change/forgot password)";
        let s = Setup::with(PoolConfig::default(), ClientConfig::default());
        s.create_user(sc, "walt", PASSWORD, &[("email", "walt@example.com")]);
        let pool = s.pool();
        let user = signed_in(
            sc,
            "sign in",
            ok(sc, "sign in", aw!(pool.sign_in("walt", PASSWORD))),
        );
        let e = err(
            sc,
            "change with a wrong old password",
            aw!(user.change_password("Wrong-Old-1", "Second-Pass-2")),
        );
        expect_kind(
            sc,
            "change with a wrong old password",
            &e,
            &[ServiceErrorKind::NotAuthorized],
        );
        ok(
            sc,
            "change password",
            aw!(user.change_password(PASSWORD, "Second-Pass-2")),
        );
        let e = err(
            sc,
            "old password after change",
            aw!(pool.sign_in("walt", PASSWORD)),
        );
        expect_kind(
            sc,
            "old password after change",
            &e,
            &[ServiceErrorKind::NotAuthorized],
        );
        signed_in(
            sc,
            "sign in with the changed password",
            ok(
                sc,
                "sign in with the changed password",
                aw!(pool.sign_in("walt", "Second-Pass-2")),
            ),
        );

        let delivery = ok(sc, "forgot password", aw!(pool.forgot_password("walt")));
        assert_eq!(
            delivery.and_then(|d| d.delivery_medium),
            Some(ops::DeliveryMedium::Email),
            "{sc} / forgot password: delivered by email"
        );
        let code = s.code(
            sc,
            "forgot-password code",
            "walt",
            MessageKind::ForgotPassword,
        );
        let e = err(
            sc,
            "confirm with a wrong code",
            aw!(pool.confirm_forgot_password("walt", &other_code(&code), "Third-Pass-3")),
        );
        expect_kind(
            sc,
            "confirm with a wrong code",
            &e,
            &[ServiceErrorKind::CodeMismatch],
        );
        let e = err(
            sc,
            "confirm with a weak password",
            aw!(pool.confirm_forgot_password("walt", &code, "weak")),
        );
        expect_kind(
            sc,
            "confirm with a weak password",
            &e,
            &[ServiceErrorKind::InvalidPassword],
        );
        ok(
            sc,
            "confirm forgot password",
            aw!(pool.confirm_forgot_password("walt", &code, "Third-Pass-3")),
        );
        let e = err(
            sc,
            "changed password after reset",
            aw!(pool.sign_in("walt", "Second-Pass-2")),
        );
        expect_kind(
            sc,
            "changed password after reset",
            &e,
            &[ServiceErrorKind::NotAuthorized],
        );
        let user = signed_in(
            sc,
            "sign in with the new password",
            ok(
                sc,
                "sign in with the new password",
                aw!(pool.sign_in("walt", "Third-Pass-3")),
            ),
        );
        assert_eq!(
            user.username(),
            "walt",
            "{sc} / sign in with the new password"
        );
    }
}

// ----- 5. devices ----------------------------------------------------------------------------

driver_test! {
    async fn s5_remembered_device_skips_sms_mfa() {
        let sc = "scenario 5 (devices)";
        let s = Setup::with(
            PoolConfig {
                mfa: MfaConfiguration::Optional,
                device_tracking: Some((false, false)),
                ..PoolConfig::default()
            },
            ClientConfig::default(),
        );
        s.create_user(sc, "xena", PASSWORD, &[("phone_number", "+15550001111")]);
        s.admin(
            sc,
            "AdminSetUserMFAPreference",
            json!({"Username": "xena", "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
        );
        let pool = s.pool();

        // First sign-in: SMS MFA, then the device is confirmed.
        let mut step = next(
            sc,
            "first sign-in",
            ok(sc, "first sign-in", aw!(pool.sign_in("xena", PASSWORD))),
        );
        assert_eq!(
            step.next_step(),
            &NextStep::ConfirmWithSmsCode {
                destination: Some("+*******1111".into())
            },
            "{sc} / first sign-in: SMS MFA"
        );
        let code = s.code(sc, "first SMS code", "xena", MessageKind::Mfa);
        let user = signed_in(
            sc,
            "first SMS code",
            ok(sc, "first SMS code", aw!(step.answer(Answer::code(code)))),
        );
        let device = ok(sc, "remembered device", aw!(user.remembered_device()))
            .unwrap_or_else(|| panic!("{sc} / first sign-in: the device was not stored"));
        assert_eq!(
            s.emu.request_count("ConfirmDevice"),
            1,
            "{sc} / first sign-in: ConfirmDevice"
        );
        let tokens = ok(sc, "tokens", aw!(user.session()));
        assert_eq!(
            tokens.device_key(),
            Some(device.device_key.as_str()),
            "{sc} / first sign-in: the access token names the device"
        );
        ok(
            sc,
            "set device status remembered",
            aw!(user.remember_device()),
        );
        let got = ok(sc, "get device", aw!(user.get_device(None)));
        assert_eq!(got.device_key, device.device_key, "{sc} / get device: key");
        assert_eq!(
            got.attribute("device_status"),
            Some("valid"),
            "{sc} / get device: status"
        );
        assert_eq!(
            got.attribute("dev:device_remembered_status"),
            Some("remembered"),
            "{sc} / get device: remembered"
        );

        // Second sign-in: DEVICE_SRP_AUTH instead of SMS.
        let sms_before = s.message_count(MessageKind::Mfa);
        let user = signed_in(
            sc,
            "second sign-in with the remembered device",
            ok(sc, "second sign-in", aw!(pool.sign_in("xena", PASSWORD))),
        );
        assert_eq!(
            s.message_count(MessageKind::Mfa),
            sms_before,
            "{sc} / second sign-in: no SMS sent"
        );
        assert_eq!(
            s.emu.request_count("ConfirmDevice"),
            1,
            "{sc} / second sign-in: same device"
        );
        let tokens = ok(sc, "second tokens", aw!(user.session()));
        assert_eq!(
            tokens.device_key(),
            Some(device.device_key.as_str()),
            "{sc} / second sign-in: the tokens are bound to the remembered device"
        );

        let listed = ok(sc, "list devices", aw!(user.list_devices(Some(10), None)));
        assert_eq!(
            listed
                .devices
                .iter()
                .map(|d| d.device_key.as_str())
                .collect::<Vec<_>>(),
            vec![device.device_key.as_str()],
            "{sc} / list devices"
        );

        ok(sc, "forget device", aw!(user.forget_device()));
        assert!(
            ok(sc, "after forget", aw!(user.remembered_device())).is_none(),
            "{sc} / forget device: removed from the store"
        );
        let listed = ok(sc, "list after forget", aw!(user.list_devices(None, None)));
        assert!(
            listed.devices.is_empty(),
            "{sc} / list after forget: {listed:?}"
        );
        let e = err(
            sc,
            "get forgotten device",
            aw!(user.get_device(Some(&device.device_key))),
        );
        expect_kind(
            sc,
            "get forgotten device",
            &e,
            &[ServiceErrorKind::ResourceNotFound],
        );

        // Third sign-in: SMS again.
        let step = next(
            sc,
            "third sign-in",
            ok(sc, "third sign-in", aw!(pool.sign_in("xena", PASSWORD))),
        );
        assert!(
            matches!(step.next_step(), NextStep::ConfirmWithSmsCode { .. }),
            "{sc} / third sign-in: SMS MFA again, got {:?}",
            step.next_step()
        );
    }
}

// ----- 6. MFA --------------------------------------------------------------------------------

driver_test! {
    async fn s6_totp_setup_and_sign_in() {
        let sc = "scenario 6a (TOTP)";
        let s = Setup::with(
            PoolConfig {
                mfa: MfaConfiguration::On,
                ..PoolConfig::default()
            },
            ClientConfig::default(),
        );
        s.create_user(sc, "yuki", PASSWORD, &[("email", "yuki@example.com")]);
        let pool = s.pool();
        let mut step = next(
            sc,
            "sign-in",
            ok(sc, "sign-in", aw!(pool.sign_in("yuki", PASSWORD))),
        );
        if let NextStep::SelectMfaSetupType { allowed } = step.next_step() {
            assert!(
                allowed.contains(&MfaType::Totp),
                "{sc} / MFA_SETUP offers TOTP: {allowed:?}"
            );
            step = next(
                sc,
                "choose TOTP setup",
                ok(
                    sc,
                    "choose TOTP setup",
                    aw!(step.answer(Answer::MfaType(MfaType::Totp))),
                ),
            );
        }
        let secret = match step.next_step() {
            NextStep::SetUpTotp { shared_secret } => shared_secret.expose_secret().to_owned(),
            other => panic!("{sc} / MFA_SETUP: expected SetUpTotp, got {other:?}"),
        };
        let uri = step
            .next_step()
            .otpauth_uri("Example", "yuki")
            .unwrap_or_else(|| panic!("{sc} / MFA_SETUP: otpauth URI"));
        assert!(
            uri.contains(&secret),
            "{sc} / MFA_SETUP: the URI holds the secret"
        );
        let wrong = other_code(&s.totp(&secret));
        let e = err(
            sc,
            "verify a wrong TOTP code",
            aw!(step.answer(Answer::TotpSetup {
                code: wrong.into(),
                friendly_device_name: Some("phone".into()),
            })),
        );
        expect_kind(
            sc,
            "verify a wrong TOTP code",
            &e,
            &[
                ServiceErrorKind::CodeMismatch,
                ServiceErrorKind::EnableSoftwareTokenMfa,
            ],
        );
        // A failed setup ends this sign-in; start again.
        let mut step = next(
            sc,
            "sign-in again",
            ok(sc, "sign-in again", aw!(pool.sign_in("yuki", PASSWORD))),
        );
        if let NextStep::SelectMfaSetupType { .. } = step.next_step() {
            step = next(
                sc,
                "choose TOTP setup again",
                ok(
                    sc,
                    "choose TOTP setup again",
                    aw!(step.answer(Answer::MfaType(MfaType::Totp))),
                ),
            );
        }
        let secret = match step.next_step() {
            NextStep::SetUpTotp { shared_secret } => shared_secret.expose_secret().to_owned(),
            other => panic!("{sc} / MFA_SETUP again: expected SetUpTotp, got {other:?}"),
        };
        let user = signed_in(
            sc,
            "verify TOTP setup",
            ok(
                sc,
                "verify TOTP setup",
                aw!(step.answer(Answer::TotpSetup {
                    code: s.totp(&secret).into(),
                    friendly_device_name: Some("phone".into()),
                })),
            ),
        );
        let profile = ok(sc, "get user", aw!(user.get_user()));
        assert_eq!(
            profile.preferred_mfa_setting.as_ref().map(|m| m.as_str()),
            Some("SOFTWARE_TOKEN_MFA"),
            "{sc} / get user: TOTP preferred"
        );

        // A later sign-in asks for the authenticator code.
        s.advance(30);
        let mut step = next(
            sc,
            "TOTP sign-in",
            ok(sc, "TOTP sign-in", aw!(pool.sign_in("yuki", PASSWORD))),
        );
        assert_eq!(
            step.next_step(),
            &NextStep::ConfirmWithTotpCode,
            "{sc} / TOTP sign-in"
        );
        let e = err(
            sc,
            "wrong TOTP code",
            aw!(step.answer(Answer::code(other_code(&s.totp(&secret))))),
        );
        expect_kind(sc, "wrong TOTP code", &e, &[ServiceErrorKind::CodeMismatch]);
        let user = signed_in(
            sc,
            "TOTP code after a wrong one",
            ok(
                sc,
                "TOTP code after a wrong one",
                aw!(step.answer(Answer::code(s.totp(&secret)))),
            ),
        );
        assert_eq!(user.username(), "yuki", "{sc} / TOTP sign-in: user");
    }
}

driver_test! {
    async fn s6_sms_mfa_and_select_mfa_type() {
        let sc = "scenario 6b (SMS_MFA, SELECT_MFA_TYPE)";
        let s = Setup::with(
            PoolConfig {
                mfa: MfaConfiguration::Optional,
                ..PoolConfig::default()
            },
            ClientConfig::default(),
        );
        s.create_user(sc, "zack", PASSWORD, &[("phone_number", "+15550002222")]);
        s.admin(
            sc,
            "AdminSetUserMFAPreference",
            json!({"Username": "zack", "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
        );
        let pool = s.pool();
        let mut step = next(
            sc,
            "SMS sign-in",
            ok(sc, "SMS sign-in", aw!(pool.sign_in("zack", PASSWORD))),
        );
        assert!(
            matches!(step.next_step(), NextStep::ConfirmWithSmsCode { .. }),
            "{sc} / SMS sign-in: {:?}",
            step.next_step()
        );
        let code = s.code(sc, "SMS code", "zack", MessageKind::Mfa);
        let e = err(
            sc,
            "wrong SMS code",
            aw!(step.answer(Answer::code(other_code(&code)))),
        );
        expect_kind(sc, "wrong SMS code", &e, &[ServiceErrorKind::CodeMismatch]);
        let user = signed_in(
            sc,
            "SMS code",
            ok(sc, "SMS code", aw!(step.answer(Answer::code(code)))),
        );
        assert_eq!(user.username(), "zack", "{sc} / SMS sign-in: user");

        // Two factors, no preference: SELECT_MFA_TYPE.
        s.create_user(
            sc,
            "abby",
            PASSWORD,
            &[
                ("phone_number", "+15550003333"),
                ("email", "abby@example.com"),
            ],
        );
        s.admin(
            sc,
            "AdminSetUserMFAPreference",
            json!({"Username": "abby", "SMSMfaSettings": {"Enabled": true},
                   "EmailMfaSettings": {"Enabled": true}}),
        );
        let mut step = next(
            sc,
            "select sign-in",
            ok(sc, "select sign-in", aw!(pool.sign_in("abby", PASSWORD))),
        );
        match step.next_step() {
            NextStep::SelectMfaType { allowed } => {
                assert!(
                    allowed.contains(&MfaType::Sms),
                    "{sc} / SELECT_MFA_TYPE: {allowed:?}"
                );
                assert!(
                    allowed.contains(&MfaType::Email),
                    "{sc} / SELECT_MFA_TYPE: {allowed:?}"
                );
            }
            other => panic!("{sc} / select sign-in: expected SelectMfaType, got {other:?}"),
        }
        let mut step = next(
            sc,
            "choose SMS",
            ok(
                sc,
                "choose SMS",
                aw!(step.answer(Answer::MfaType(MfaType::Sms))),
            ),
        );
        assert!(
            matches!(step.next_step(), NextStep::ConfirmWithSmsCode { .. }),
            "{sc} / choose SMS: {:?}",
            step.next_step()
        );
        let code = s.code(sc, "chosen SMS code", "abby", MessageKind::Mfa);
        let user = signed_in(
            sc,
            "chosen SMS code",
            ok(sc, "chosen SMS code", aw!(step.answer(Answer::code(code)))),
        );
        assert_eq!(user.username(), "abby", "{sc} / SELECT_MFA_TYPE: user");
    }
}

// ----- 7. CUSTOM_AUTH ------------------------------------------------------------------------

driver_test! {
    async fn s7_custom_auth_with_and_without_srp() {
        let sc = "scenario 7 (CUSTOM_AUTH)";
        let s = Setup::with(
            PoolConfig {
                custom_auth_trigger: true,
                ..PoolConfig::default()
            },
            ClientConfig::default(),
        );
        s.create_user(sc, "cleo", PASSWORD, &[("email", "cleo@example.com")]);
        let pool = s.pool();

        // Without SRP, one wrong answer first.
        let step = next(
            sc,
            "custom start",
            ok(
                sc,
                "custom start",
                aw!(pool.sign_in_with(Start::custom("cleo", BTreeMap::new()))),
            ),
        );
        assert!(
            matches!(step.next_step(), NextStep::CustomChallenge { .. }),
            "{sc} / custom start: {:?}",
            step.next_step()
        );
        let mut step = step;
        let code = s.code(sc, "first custom code", "cleo", MessageKind::Custom);
        let mut step = next(
            sc,
            "wrong answer",
            ok(
                sc,
                "wrong answer",
                aw!(step.answer(Answer::Custom {
                    answer: other_code(&code).into(),
                    extra: BTreeMap::new(),
                })),
            ),
        );
        assert!(
            matches!(step.next_step(), NextStep::CustomChallenge { .. }),
            "{sc} / wrong answer: another round, got {:?}",
            step.next_step()
        );
        let code = s.code(sc, "second custom code", "cleo", MessageKind::Custom);
        let user = signed_in(
            sc,
            "right answer",
            ok(
                sc,
                "right answer",
                aw!(step.answer(Answer::Custom {
                    answer: code.into(),
                    extra: BTreeMap::new(),
                })),
            ),
        );
        assert_eq!(user.username(), "cleo", "{sc} / without SRP: user");
        assert_eq!(
            s.emu.request_count("InitiateAuth:CUSTOM_AUTH"),
            1,
            "{sc} / without SRP: CUSTOM_AUTH"
        );

        // With SRP first.
        let mut step = next(
            sc,
            "custom with SRP",
            ok(
                sc,
                "custom with SRP",
                aw!(pool.sign_in_with(Start::custom_with_srp("cleo", PASSWORD))),
            ),
        );
        assert!(
            matches!(step.next_step(), NextStep::CustomChallenge { .. }),
            "{sc} / custom with SRP: {:?}",
            step.next_step()
        );
        let code = s.code(sc, "custom code after SRP", "cleo", MessageKind::Custom);
        let user = signed_in(
            sc,
            "answer after SRP",
            ok(
                sc,
                "answer after SRP",
                aw!(step.answer(Answer::Custom {
                    answer: code.into(),
                    extra: BTreeMap::new(),
                })),
            ),
        );
        assert_eq!(user.username(), "cleo", "{sc} / with SRP: user");
        // A wrong password with SRP fails before any custom challenge.
        let e = err(
            sc,
            "custom with SRP, wrong password",
            aw!(pool.sign_in_with(Start::custom_with_srp("cleo", "Wrong-Pass-9"))),
        );
        expect_kind(
            sc,
            "custom with SRP, wrong password",
            &e,
            &[ServiceErrorKind::NotAuthorized],
        );
    }
}

// ----- 8. NEW_PASSWORD_REQUIRED --------------------------------------------------------------

driver_test! {
    async fn s8_new_password_required_with_attribute() {
        let sc = "scenario 8 (NEW_PASSWORD_REQUIRED)";
        let s = Setup::with(PoolConfig::default(), ClientConfig::default());
        s.admin(
            sc,
            "AdminCreateUser",
            json!({"Username": "dora", "TemporaryPassword": "Temp-Pass-1",
                   "UserAttributes": [{"Name": "email", "Value": "dora@example.com"}],
                   "MessageAction": "SUPPRESS"}),
        );
        let pool = s.pool();
        let mut step = next(
            sc,
            "sign-in",
            ok(sc, "sign-in", aw!(pool.sign_in("dora", "Temp-Pass-1"))),
        );
        match step.next_step() {
            NextStep::NewPasswordRequired {
                user_attributes, ..
            } => assert_eq!(
                user_attributes.get("email").map(String::as_str),
                Some("dora@example.com"),
                "{sc} / NEW_PASSWORD_REQUIRED: current attributes"
            ),
            other => panic!("{sc} / sign-in: expected NewPasswordRequired, got {other:?}"),
        }
        let attributes = BTreeMap::from([("name".to_owned(), "Dora D.".to_owned())]);
        let user = signed_in(
            sc,
            "new password",
            ok(
                sc,
                "new password",
                aw!(step.answer(Answer::NewPassword {
                    password: "Final-Pass-2".into(),
                    attributes,
                })),
            ),
        );
        let profile = ok(sc, "get user", aw!(user.get_user()));
        assert_eq!(
            profile.attribute("name"),
            Some("Dora D."),
            "{sc} / get user: required attribute"
        );
        let admin = s.admin(sc, "AdminGetUser", json!({"Username": "dora"}));
        assert_eq!(
            admin["UserStatus"], "CONFIRMED",
            "{sc} / AdminGetUser: status"
        );
        let e = err(
            sc,
            "temporary password again",
            aw!(pool.sign_in("dora", "Temp-Pass-1")),
        );
        expect_kind(
            sc,
            "temporary password again",
            &e,
            &[ServiceErrorKind::NotAuthorized],
        );
        signed_in(
            sc,
            "sign in with the new password",
            ok(
                sc,
                "sign in with the new password",
                aw!(pool.sign_in("dora", "Final-Pass-2")),
            ),
        );
    }
}

// ----- 9. refresh, global sign-out, revocation, delete ----------------------------------------

driver_fn! {
    async fn raw_refresh(
        pool: &UserPool,
        refresh_token: &SecretString,
    ) -> Result<ops::InitiateAuthResponse, Error> {
        aw!(pool.call(&ops::InitiateAuth {
            auth_flow: AuthFlow::RefreshTokenAuth,
            client_id: pool.config().client_id().to_owned(),
            auth_parameters: BTreeMap::from([(
                "REFRESH_TOKEN".to_owned(),
                refresh_token.expose_secret().clone(),
            )]),
            client_metadata: BTreeMap::new(),
            analytics_metadata: None,
            user_context_data: None,
            session: None,
        }))
    }
}

driver_test! {
    async fn s9_refresh_sign_out_revoke_delete() {
        let sc = "scenario 9 (session lifecycle)";
        let s = Setup::with(PoolConfig::default(), ClientConfig::default());
        s.create_user(sc, "egon", PASSWORD, &[("email", "egon@example.com")]);
        let pool = s.pool();
        let user = signed_in(
            sc,
            "sign in",
            ok(sc, "sign in", aw!(pool.sign_in("egon", PASSWORD))),
        );
        let first = ok(sc, "first session", aw!(user.session()));
        assert_eq!(
            s.emu.request_count("InitiateAuth:REFRESH_TOKEN_AUTH"),
            0,
            "{sc} / first session: no refresh while valid"
        );

        // Refresh after the clock moves past expiry.
        s.advance(3700);
        let refreshed = ok(sc, "refresh after expiry", aw!(user.session()));
        assert_eq!(
            s.emu.request_count("InitiateAuth:REFRESH_TOKEN_AUTH"),
            1,
            "{sc} / refresh after expiry: one refresh"
        );
        assert_ne!(
            refreshed.access_token().token(),
            first.access_token().token(),
            "{sc} / refresh after expiry: a new access token"
        );
        assert!(
            refreshed.expiration() > first.expiration(),
            "{sc} / refresh after expiry: later expiry"
        );
        assert_eq!(
            refreshed.refresh_token(),
            first.refresh_token(),
            "{sc} / refresh after expiry: refresh token kept"
        );
        ok(sc, "get user after refresh", aw!(user.get_user()));

        // Global sign-out: the old access token no longer works.
        let access = refreshed.access_token().token().clone();
        ok(sc, "global sign-out", aw!(user.global_sign_out()));
        assert!(
            !ok(sc, "after global sign-out", aw!(user.is_signed_in())),
            "{sc} / global sign-out: tokens cleared locally"
        );
        let e = err(sc, "get user after global sign-out", aw!(user.get_user()));
        assert!(
            matches!(e, Error::NotSignedIn),
            "{sc} / get user after global sign-out: {e:?}"
        );
        let e = err(
            sc,
            "GetUser with the old access token",
            aw!(pool.call(&ops::GetUser {
                access_token: access,
            })),
        );
        expect_kind(
            sc,
            "GetUser with the old access token",
            &e,
            &[ServiceErrorKind::NotAuthorized],
        );
        let e = err(
            sc,
            "refresh after global sign-out",
            aw!(raw_refresh(&pool, first.refresh_token().expect("refresh token"))),
        );
        expect_kind(
            sc,
            "refresh after global sign-out",
            &e,
            &[ServiceErrorKind::NotAuthorized],
        );

        // Sign out with revocation: the refresh token stops working.
        let user = signed_in(
            sc,
            "sign in again",
            ok(sc, "sign in again", aw!(pool.sign_in("egon", PASSWORD))),
        );
        let tokens = ok(sc, "tokens before sign-out", aw!(user.session()));
        let refresh_token = tokens.refresh_token().expect("refresh token").clone();
        ok(
            sc,
            "refresh token works before sign-out",
            aw!(raw_refresh(&pool, &refresh_token)),
        );
        ok(sc, "sign out", aw!(user.sign_out()));
        assert_eq!(
            s.emu.request_count("RevokeToken"),
            1,
            "{sc} / sign out: RevokeToken sent"
        );
        assert!(
            ok(sc, "current user after sign-out", aw!(pool.current_user())).is_none(),
            "{sc} / sign out: no current user"
        );
        let e = err(
            sc,
            "refresh after revocation",
            aw!(raw_refresh(&pool, &refresh_token)),
        );
        expect_kind(
            sc,
            "refresh after revocation",
            &e,
            &[ServiceErrorKind::NotAuthorized],
        );

        // Delete the user.
        let user = signed_in(
            sc,
            "sign in to delete",
            ok(
                sc,
                "sign in to delete",
                aw!(pool.sign_in("egon", PASSWORD)),
            ),
        );
        ok(sc, "delete user", aw!(user.delete_user()));
        assert!(
            !ok(sc, "after delete", aw!(user.is_signed_in())),
            "{sc} / delete user: local tokens gone"
        );
        let e = err(
            sc,
            "sign in after delete",
            aw!(pool.sign_in("egon", PASSWORD)),
        );
        expect_kind(
            sc,
            "sign in after delete",
            &e,
            &[
                ServiceErrorKind::UserNotFound,
                ServiceErrorKind::NotAuthorized,
            ],
        );
    }
}

// ----- extras: email OTP, USER_AUTH, rotation, client secret ---------------------------------

fn choice_setup() -> Setup {
    Setup::with(
        PoolConfig {
            allowed_first_auth_factors: vec!["PASSWORD".into(), "EMAIL_OTP".into()],
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    )
}

driver_test! {
    async fn x1_email_otp_first_factor() {
        let sc = "extra 1 (email OTP)";
        let s = choice_setup();
        s.create_user(sc, "fred", PASSWORD, &[("email", "fred@example.com")]);
        let pool = s.pool();
        let mut step = next(
            sc,
            "USER_AUTH preferring EMAIL_OTP",
            ok(
                sc,
                "USER_AUTH preferring EMAIL_OTP",
                aw!(pool.sign_in_with(Start::user_auth("fred", Some(FirstFactor::EmailOtp)))),
            ),
        );
        assert!(
            matches!(step.next_step(), NextStep::ConfirmWithEmailCode { .. }),
            "{sc} / USER_AUTH preferring EMAIL_OTP: {:?}",
            step.next_step()
        );
        let code = s.code(sc, "OTP", "fred", MessageKind::Otp);
        let e = err(
            sc,
            "wrong OTP",
            aw!(step.answer(Answer::code(other_code(&code)))),
        );
        expect_kind(sc, "wrong OTP", &e, &[ServiceErrorKind::CodeMismatch]);
        let user = signed_in(
            sc,
            "OTP",
            ok(sc, "OTP", aw!(step.answer(Answer::code(code)))),
        );
        let profile = ok(sc, "get user", aw!(user.get_user()));
        assert_eq!(
            profile.attribute("email"),
            Some("fred@example.com"),
            "{sc} / get user"
        );
    }
}

driver_test! {
    async fn x2_user_auth_select_first_factor() {
        let sc = "extra 2 (USER_AUTH)";
        let s = choice_setup();
        s.create_user(sc, "gina", PASSWORD, &[("email", "gina@example.com")]);
        let pool = s.pool();
        let mut step = next(
            sc,
            "USER_AUTH without preference",
            ok(
                sc,
                "USER_AUTH without preference",
                aw!(pool.sign_in_with(Start::user_auth("gina", None))),
            ),
        );
        match step.next_step() {
            NextStep::SelectFirstFactor { available } => {
                let names: Vec<&str> = available.iter().map(|f| f.as_str()).collect();
                assert!(
                    names.contains(&"PASSWORD_SRP"),
                    "{sc} / SELECT_CHALLENGE: {names:?}"
                );
                assert!(
                    names.contains(&"EMAIL_OTP"),
                    "{sc} / SELECT_CHALLENGE: {names:?}"
                );
            }
            other => panic!("{sc} / USER_AUTH: expected SelectFirstFactor, got {other:?}"),
        }
        let user = signed_in(
            sc,
            "choose PASSWORD_SRP",
            ok(
                sc,
                "choose PASSWORD_SRP",
                aw!(step.answer(Answer::FirstFactor(FirstFactor::PasswordSrp(
                    PASSWORD.into(),
                )))),
            ),
        );
        assert_eq!(user.username(), "gina", "{sc} / PASSWORD_SRP: user");
        // Preferred PASSWORD goes straight to tokens.
        let user = signed_in(
            sc,
            "USER_AUTH preferring PASSWORD",
            ok(
                sc,
                "USER_AUTH preferring PASSWORD",
                aw!(pool.sign_in_with(Start::user_auth(
                    "gina",
                    Some(FirstFactor::Password(PASSWORD.into())),
                ))),
            ),
        );
        assert_eq!(user.username(), "gina", "{sc} / PASSWORD: user");
        assert_eq!(
            s.emu.request_count("InitiateAuth:USER_AUTH"),
            2,
            "{sc}: USER_AUTH used"
        );
        let e = err(
            sc,
            "preferring PASSWORD, wrong password",
            aw!(pool.sign_in_with(Start::user_auth(
                "gina",
                Some(FirstFactor::Password("Wrong-Pass-1".into())),
            ))),
        );
        expect_kind(
            sc,
            "preferring PASSWORD, wrong password",
            &e,
            &[ServiceErrorKind::NotAuthorized],
        );
    }
}

driver_test! {
    async fn x3_refresh_token_rotation() {
        let sc = "extra 3 (refresh-token rotation)";
        let s = Setup::with(PoolConfig::default(),
            ClientConfig {
                refresh_token_rotation: true,
                ..ClientConfig::default()
            },
        );
        s.create_user(sc, "hank", PASSWORD, &[("email", "hank@example.com")]);
        let pool = s
            .builder()
            .refresh_method(RefreshMethod::GetTokensFromRefreshToken)
            .build()
            .expect("pool handle");
        let user = signed_in(
            sc,
            "sign in",
            ok(sc, "sign in", aw!(pool.sign_in("hank", PASSWORD))),
        );
        let first = ok(sc, "first session", aw!(user.session()));
        let old_refresh = first.refresh_token().expect("refresh token").clone();
        s.advance(3700);
        let second = ok(sc, "rotated refresh", aw!(user.session()));
        assert_eq!(
            s.emu.request_count("GetTokensFromRefreshToken"),
            1,
            "{sc} / rotated refresh: GetTokensFromRefreshToken sent once"
        );
        let new_refresh = second.refresh_token().expect("new refresh token").clone();
        assert_ne!(
            new_refresh, old_refresh,
            "{sc} / rotated refresh: a new refresh token"
        );
        ok(sc, "get user with rotated tokens", aw!(user.get_user()));
        // The old refresh token is spent (no grace period).
        let e = err(
            sc,
            "reuse of the rotated-out token",
            aw!(pool.call(&ops::GetTokensFromRefreshToken::new(
                pool.config().client_id(),
                old_refresh,
            ))),
        );
        expect_kind(
            sc,
            "reuse of the rotated-out token",
            &e,
            &[
                ServiceErrorKind::RefreshTokenReuse,
                ServiceErrorKind::NotAuthorized,
            ],
        );
        // The stored (new) one keeps working through the next rotation.
        s.advance(3700);
        let third = ok(sc, "second rotation", aw!(user.session()));
        assert_ne!(
            third.refresh_token(),
            Some(&new_refresh),
            "{sc} / second rotation: rotated again"
        );
    }
}

driver_test! {
    async fn x4_client_with_secret() {
        let sc = "extra 4 (client secret)";
        let s = Setup::with(PoolConfig::default(),
            ClientConfig {
                generate_secret: true,
                ..ClientConfig::default()
            },
        );
        assert!(s.client_secret.is_some(), "{sc}: the client has a secret");
        let pool = s.pool();
        ok(
            sc,
            "sign up",
            aw!(pool.sign_up("iris", PASSWORD, &[("email", "iris@example.com")])),
        );
        let code = s.code(sc, "sign-up code", "iris", MessageKind::SignUp);
        ok(sc, "confirm", aw!(pool.confirm_sign_up("iris", &code)));
        let user = signed_in(
            sc,
            "SRP sign in",
            ok(sc, "SRP sign in", aw!(pool.sign_in("iris", PASSWORD))),
        );
        signed_in(
            sc,
            "USER_PASSWORD_AUTH",
            ok(
                sc,
                "USER_PASSWORD_AUTH",
                aw!(pool.sign_in_with(Start::password("iris", PASSWORD))),
            ),
        );
        s.advance(3700);
        ok(sc, "refresh with SECRET_HASH", aw!(user.session()));
        assert_eq!(
            s.emu.request_count("InitiateAuth:REFRESH_TOKEN_AUTH"),
            1,
            "{sc} / refresh with SECRET_HASH: sent"
        );
        ok(sc, "forgot password", aw!(pool.forgot_password("iris")));
        let code = s.code(sc, "reset code", "iris", MessageKind::ForgotPassword);
        ok(
            sc,
            "confirm forgot password",
            aw!(pool.confirm_forgot_password("iris", &code, "Other-Pass-5")),
        );
        signed_in(
            sc,
            "sign in after reset",
            ok(
                sc,
                "sign in after reset",
                aw!(pool.sign_in("iris", "Other-Pass-5")),
            ),
        );
        ok(sc, "sign out", aw!(user.sign_out()));

        // Without the secret every call is refused.
        let bare = UserPool::builder(&s.pool_id, &s.client_id)
            .endpoint_url(&s.emu.url())
            .expect("url")
            .build()
            .expect("pool handle");
        let e = err(
            sc,
            "sign in without the secret",
            aw!(bare.sign_in("iris", "Other-Pass-5")),
        );
        expect_kind(
            sc,
            "sign in without the secret",
            &e,
            &[ServiceErrorKind::NotAuthorized],
        );
        // A wrong secret too.
        let wrong = UserPool::builder(&s.pool_id, &s.client_id)
            .endpoint_url(&s.emu.url())
            .expect("url")
            .client_secret("not-the-secret")
            .build()
            .expect("pool handle");
        let e = err(
            sc,
            "sign in with a wrong secret",
            aw!(wrong.sign_in("iris", "Other-Pass-5")),
        );
        expect_kind(
            sc,
            "sign in with a wrong secret",
            &e,
            &[ServiceErrorKind::NotAuthorized],
        );
    }
}
