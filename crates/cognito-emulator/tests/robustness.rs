//! Bad input never panics and never yields a 500: every operation answers a typed 4xx error
//! for arbitrary member values.

use crate::common;

use cognito_emulator::ApiError;
use common::*;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const OPS: &[&str] = &[
    "SignUp",
    "ConfirmSignUp",
    "ResendConfirmationCode",
    "ForgotPassword",
    "ConfirmForgotPassword",
    "InitiateAuth",
    "RespondToAuthChallenge",
    "GetTokensFromRefreshToken",
    "RevokeToken",
    "GlobalSignOut",
    "ChangePassword",
    "GetUser",
    "UpdateUserAttributes",
    "DeleteUserAttributes",
    "GetUserAttributeVerificationCode",
    "VerifyUserAttribute",
    "DeleteUser",
    "GetUserAuthFactors",
    "SetUserMFAPreference",
    "SetUserSettings",
    "AssociateSoftwareToken",
    "VerifySoftwareToken",
    "ConfirmDevice",
    "ListDevices",
    "GetDevice",
    "UpdateDeviceStatus",
    "ForgetDevice",
    "StartWebAuthnRegistration",
    "CompleteWebAuthnRegistration",
    "ListWebAuthnCredentials",
    "DeleteWebAuthnCredential",
    "CreateUserPool",
    "UpdateUserPool",
    "CreateUserPoolClient",
    "AdminCreateUser",
    "AdminSetUserPassword",
    "AdminGetUser",
    "ListUsers",
    "AdminSetUserMFAPreference",
    "AdminInitiateAuth",
    "SetUserPoolMfaConfig",
];

const FIELDS: &[&str] = &[
    "ClientId",
    "Username",
    "Password",
    "AuthFlow",
    "AuthParameters",
    "ChallengeName",
    "ChallengeResponses",
    "Session",
    "AccessToken",
    "RefreshToken",
    "Token",
    "UserAttributes",
    "ConfirmationCode",
    "DeviceKey",
    "DeviceSecretVerifierConfig",
    "UserCode",
    "Limit",
    "PaginationToken",
    "UserPoolId",
    "MFAOptions",
    "SoftwareTokenMfaSettings",
    "Credential",
    "ExplicitAuthFlows",
    "Policies",
    "TokenValidityUnits",
    "RefreshTokenRotation",
    "Filter",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[ -~]{0,40}".prop_map(Value::String),
        "[0-9a-f]{0,800}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[A-Z_a-z.:]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn is_client_fault(e: &ApiError) -> bool {
    e.status == 400 && !e.kind.is_empty()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_members_give_typed_client_errors(
        op in prop::sample::select(OPS),
        members in prop::collection::vec((prop::sample::select(FIELDS), json_value()), 0..6),
        use_real_ids in any::<bool>(),
    ) {
        let s = setup();
        let mut body = Map::new();
        if use_real_ids {
            body.insert("ClientId".into(), json!(s.client_id));
            body.insert("UserPoolId".into(), json!(s.pool_id));
        }
        for (k, v) in members {
            body.insert(k.to_string(), v);
        }
        match s.emu.call(op, Value::Object(body)) {
            Ok(_) => {}
            Err(e) => prop_assert!(is_client_fault(&e), "{op}: {e:?}"),
        }
    }
}

#[test]
fn garbage_tokens_and_sessions_are_refused_not_crashing() {
    let s = setup();
    s.user("rob", &[]);
    for token in ["", ".", "..", "a.b.c", "eyJ.eyJ.sig", &"A".repeat(5000)] {
        let r = s.emu.call("GetUser", json!({"AccessToken": token}));
        assert!(r.as_ref().is_err_and(is_client_fault), "{token:.20}: {r:?}");
    }
    for session in ["short", &"S".repeat(20), &"S".repeat(5000)] {
        let r = s.emu.call(
            "RespondToAuthChallenge",
            json!({"ClientId": s.client_id,
            "ChallengeName": "PASSWORD_VERIFIER", "Session": session,
            "ChallengeResponses": {"USERNAME": "rob"}}),
        );
        assert!(r.as_ref().is_err_and(is_client_fault), "{r:?}");
    }
}

#[test]
fn huge_numbers_are_refused_not_overflowing() {
    let s = setup();
    for (k, v) in [
        ("AccessTokenValidity", json!(i64::MAX)),
        ("RefreshTokenValidity", json!(-5)),
        ("IdTokenValidity", json!(0)),
    ] {
        let r = s.emu.call(
            "CreateUserPoolClient",
            json!({"UserPoolId": s.pool_id, "ClientName": "c", k: v}),
        );
        assert!(r.as_ref().is_err_and(is_client_fault), "{k}: {r:?}");
    }
    let r = s.emu.call(
        "CreateUserPool",
        json!({"PoolName": "p",
        "Policies": {"PasswordPolicy": {"TemporaryPasswordValidityDays": i64::MAX}}}),
    );
    assert!(r.as_ref().is_err_and(is_client_fault), "{r:?}");
    // The clock cannot be pushed into overflow either.
    s.emu.advance_clock(u64::MAX);
    s.emu.advance_clock(u64::MAX);
    s.user("old", &[]);
    assert!(s.password_auth("old", PASSWORD).is_ok());
}
