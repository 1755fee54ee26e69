//! Every operation's request serializes to the exact member names of the protocol doc (docs/protocol.md#2-operations, docs/protocol.md#6-identity-pools)
//! and parses back to the same JSON; sample responses (including the doc's examples) decode.

use std::collections::BTreeMap;

use cognito_proto::envelope::{Operation, decode};
use cognito_proto::ops::*;
use cognito_proto::secret::SecretString;
use http::Response;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn s(v: &str) -> SecretString {
    SecretString::new(v.to_owned())
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// `value` serializes to exactly `expected`, and `expected` parses back to a value that
/// serializes to `expected` again.
fn check_request<O: Operation + DeserializeOwned>(value: &O, expected: Value) {
    let got = serde_json::to_value(value).expect("serializes");
    assert_eq!(got, expected, "{}: serialized form", O::NAME);
    let back: O = serde_json::from_value(expected.clone()).expect("parses back");
    assert_eq!(
        serde_json::to_value(&back).expect("serializes"),
        expected,
        "{}: round trip",
        O::NAME
    );
}

fn decode_ok<O: Operation>(body: Value) -> O::Output {
    let resp = Response::builder()
        .status(200)
        .header("x-amzn-RequestId", "r-1")
        .body(serde_json::to_vec(&body).expect("json"))
        .expect("response");
    match decode::<O>(&resp) {
        Ok(out) => out,
        Err(e) => panic!("{}: {e}", O::NAME),
    }
}

fn reserialize<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("serializes")
}

fn full_context() -> (Option<AnalyticsMetadata>, Option<UserContextData>) {
    (
        Some(AnalyticsMetadata {
            analytics_endpoint_id: Some("ep-1".to_owned()),
        }),
        Some(UserContextData {
            ip_address: Some("192.0.2.1".to_owned()),
            encoded_data: Some("enc".to_owned()),
        }),
    )
}

// ---------------------------------------------------------------- authentication (docs/protocol.md#22-authentication)

#[test]
fn initiate_auth_request_minimal_and_full() {
    let op = InitiateAuth::new(
        AuthFlow::UserSrpAuth,
        "client",
        map(&[("USERNAME", "alice"), ("SRP_A", "7f3c")]),
    );
    check_request(
        &op,
        json!({"AuthFlow":"USER_SRP_AUTH","ClientId":"client","AuthParameters":{"USERNAME":"alice","SRP_A":"7f3c"}}),
    );
    let (analytics, context) = full_context();
    let op = InitiateAuth {
        auth_flow: AuthFlow::UserAuth,
        client_id: "client".to_owned(),
        auth_parameters: map(&[("USERNAME", "alice")]),
        client_metadata: map(&[("k", "v")]),
        analytics_metadata: analytics,
        user_context_data: context,
        session: Some(s("session-from-confirm-sign-up")),
    };
    check_request(
        &op,
        json!({
            "AuthFlow":"USER_AUTH","ClientId":"client","AuthParameters":{"USERNAME":"alice"},
            "ClientMetadata":{"k":"v"},"AnalyticsMetadata":{"AnalyticsEndpointId":"ep-1"},
            "UserContextData":{"IpAddress":"192.0.2.1","EncodedData":"enc"},
            "Session":"session-from-confirm-sign-up"
        }),
    );
}

#[test]
fn initiate_auth_accepts_null_optional_members_in_requests() {
    // An emulator parsing requests from other clients must tolerate explicit nulls.
    let op: InitiateAuth = serde_json::from_value(json!({
        "AuthFlow":"USER_PASSWORD_AUTH","ClientId":"c","AuthParameters":null,
        "ClientMetadata":null,"AnalyticsMetadata":null,"UserContextData":null,"Session":null
    }))
    .expect("nulls tolerated");
    assert_eq!(op.auth_flow, AuthFlow::UserPasswordAuth);
    assert!(op.auth_parameters.is_empty() && op.session.is_none());
}

#[test]
fn every_auth_flow_round_trips() {
    for (flow, wire) in [
        (AuthFlow::UserSrpAuth, "USER_SRP_AUTH"),
        (AuthFlow::RefreshTokenAuth, "REFRESH_TOKEN_AUTH"),
        (AuthFlow::RefreshToken, "REFRESH_TOKEN"),
        (AuthFlow::CustomAuth, "CUSTOM_AUTH"),
        (AuthFlow::AdminNoSrpAuth, "ADMIN_NO_SRP_AUTH"),
        (AuthFlow::UserPasswordAuth, "USER_PASSWORD_AUTH"),
        (AuthFlow::AdminUserPasswordAuth, "ADMIN_USER_PASSWORD_AUTH"),
        (AuthFlow::UserAuth, "USER_AUTH"),
    ] {
        assert_eq!(reserialize(&flow), json!(wire));
        assert_eq!(
            serde_json::from_value::<AuthFlow>(json!(wire)).expect("parses"),
            flow
        );
    }
    assert_eq!(AuthFlow::KNOWN.len(), 8);
    let future: AuthFlow = serde_json::from_value(json!("FUTURE_FLOW")).expect("parses");
    assert_eq!(future, AuthFlow::Unknown("FUTURE_FLOW".to_owned()));
    assert_eq!(reserialize(&future), json!("FUTURE_FLOW"));
}

#[test]
fn all_sixteen_challenge_names_round_trip() {
    let names = [
        (ChallengeName::SmsMfa, "SMS_MFA"),
        (ChallengeName::EmailOtp, "EMAIL_OTP"),
        (ChallengeName::SoftwareTokenMfa, "SOFTWARE_TOKEN_MFA"),
        (ChallengeName::SelectMfaType, "SELECT_MFA_TYPE"),
        (ChallengeName::MfaSetup, "MFA_SETUP"),
        (ChallengeName::PasswordVerifier, "PASSWORD_VERIFIER"),
        (ChallengeName::CustomChallenge, "CUSTOM_CHALLENGE"),
        (ChallengeName::SelectChallenge, "SELECT_CHALLENGE"),
        (ChallengeName::DeviceSrpAuth, "DEVICE_SRP_AUTH"),
        (
            ChallengeName::DevicePasswordVerifier,
            "DEVICE_PASSWORD_VERIFIER",
        ),
        (ChallengeName::AdminNoSrpAuth, "ADMIN_NO_SRP_AUTH"),
        (ChallengeName::NewPasswordRequired, "NEW_PASSWORD_REQUIRED"),
        (ChallengeName::SmsOtp, "SMS_OTP"),
        (ChallengeName::Password, "PASSWORD"),
        (ChallengeName::WebAuthn, "WEB_AUTHN"),
        (ChallengeName::PasswordSrp, "PASSWORD_SRP"),
    ];
    assert_eq!(ChallengeName::KNOWN.len(), 16);
    for (name, wire) in names {
        assert!(name.is_known());
        assert_eq!(name.as_str(), wire);
        assert_eq!(name.to_string(), wire);
        assert_eq!(reserialize(&name), json!(wire));
        assert_eq!(ChallengeName::from(wire), name);
        assert!(ChallengeName::KNOWN.contains(&name));
    }
}

#[test]
fn pitfall_10_unknown_challenge_name_is_a_value_not_a_parse_failure() {
    let out = decode_ok::<InitiateAuth>(json!({
        "ChallengeName": "EMAIL_MFA",
        "Session": "AYABeS1",
        "ChallengeParameters": {"USERNAME": "u-1"},
        "AvailableChallenges": ["PASSWORD_SRP", "QUANTUM_KEY"]
    }));
    assert_eq!(
        out.challenge_name,
        Some(ChallengeName::Unknown("EMAIL_MFA".to_owned()))
    );
    assert!(
        !out.challenge_name
            .as_ref()
            .is_some_and(ChallengeName::is_known)
    );
    assert_eq!(
        out.available_challenges,
        vec![
            ChallengeName::PasswordSrp,
            ChallengeName::Unknown("QUANTUM_KEY".to_owned())
        ]
    );
    // And it is sent back unchanged.
    let op = RespondToAuthChallenge::new(
        "c",
        out.challenge_name.clone().expect("present"),
        out.session.clone(),
        map(&[("USERNAME", "u-1")]),
    );
    check_request(
        &op,
        json!({"ClientId":"c","ChallengeName":"EMAIL_MFA","Session":"AYABeS1","ChallengeResponses":{"USERNAME":"u-1"}}),
    );
}

#[test]
fn initiate_auth_response_password_verifier() {
    let out = decode_ok::<InitiateAuth>(json!({
        "ChallengeName": "PASSWORD_VERIFIER",
        "Session": "AYABeS1session",
        "ChallengeParameters": {
            "SALT": "a1b2", "SRP_B": "ff00", "SECRET_BLOCK": "c2VjcmV0",
            "USER_ID_FOR_SRP": "u-1", "USERNAME": "u-1"
        }
    }));
    assert_eq!(out.challenge_name, Some(ChallengeName::PasswordVerifier));
    assert_eq!(
        out.session.as_ref().map(|s| s.expose_secret().as_str()),
        Some("AYABeS1session")
    );
    assert_eq!(out.challenge_parameters["SRP_B"], "ff00");
    assert_eq!(out.challenge_parameters["USER_ID_FOR_SRP"], "u-1");
    assert!(out.authentication_result.is_none());
    assert!(out.available_challenges.is_empty());
}

#[test]
fn authentication_result_with_new_device_metadata_doc_example() {
    // docs/protocol.md#54-authenticationresult
    let out = decode_ok::<RespondToAuthChallenge>(json!({
        "ChallengeParameters": {},
        "AuthenticationResult": {
            "AccessToken": "eyJraWQiOi-access",
            "ExpiresIn": 3600,
            "TokenType": "Bearer",
            "RefreshToken": "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.a.b.c.d",
            "IdToken": "eyJraWQiOi-id",
            "NewDeviceMetadata": { "DeviceKey": "us-east-1_0f6c", "DeviceGroupKey": "-v7w9UcY6" }
        }
    }));
    assert!(out.challenge_name.is_none());
    let r = out.authentication_result.expect("tokens");
    assert_eq!(r.access_token.expose_secret(), "eyJraWQiOi-access");
    assert_eq!(r.id_token.expose_secret(), "eyJraWQiOi-id");
    assert_eq!(r.expires_in, 3600);
    assert_eq!(r.token_type.as_deref(), Some("Bearer"));
    assert!(r.refresh_token.is_some());
    assert_eq!(
        r.new_device_metadata,
        Some(NewDeviceMetadata {
            device_key: "us-east-1_0f6c".to_owned(),
            device_group_key: "-v7w9UcY6".to_owned()
        })
    );
    // Debug never shows the tokens.
    let text = format!("{r:?}");
    assert!(!text.contains("eyJ"), "{text}");
}

#[test]
fn authentication_result_null_and_missing_refresh_token() {
    let out = decode_ok::<InitiateAuth>(json!({
        "AuthenticationResult": {"AccessToken":"a","ExpiresIn":3600,"TokenType":"Bearer","IdToken":"i","RefreshToken":null,"NewDeviceMetadata":null}
    }));
    let r = out.authentication_result.expect("tokens");
    assert!(r.refresh_token.is_none() && r.new_device_metadata.is_none());
    let out = decode_ok::<InitiateAuth>(
        json!({"AuthenticationResult": null, "ChallengeName": "SMS_MFA"}),
    );
    assert!(out.authentication_result.is_none());
    assert_eq!(out.challenge_name, Some(ChallengeName::SmsMfa));
}

#[test]
fn select_challenge_with_available_challenges() {
    let out = decode_ok::<InitiateAuth>(json!({
        "ChallengeName": "SELECT_CHALLENGE",
        "Session": "AYABeS1session",
        "ChallengeParameters": {"USERNAME":"alice"},
        "AvailableChallenges": ["PASSWORD_SRP","PASSWORD","EMAIL_OTP","WEB_AUTHN"]
    }));
    assert_eq!(
        out.available_challenges,
        vec![
            ChallengeName::PasswordSrp,
            ChallengeName::Password,
            ChallengeName::EmailOtp,
            ChallengeName::WebAuthn
        ]
    );
}

#[test]
fn respond_to_auth_challenge_request() {
    let (analytics, context) = full_context();
    let mut op = RespondToAuthChallenge::new(
        "client",
        ChallengeName::PasswordVerifier,
        Some(s("S1")),
        map(&[
            ("USERNAME", "u-1"),
            ("PASSWORD_CLAIM_SECRET_BLOCK", "c2VjcmV0"),
            ("PASSWORD_CLAIM_SIGNATURE", "sig="),
            ("TIMESTAMP", "Tue Nov 3 07:05:22 UTC 2026"),
        ]),
    );
    check_request(
        &op,
        json!({
            "ClientId":"client","ChallengeName":"PASSWORD_VERIFIER","Session":"S1",
            "ChallengeResponses":{
                "USERNAME":"u-1","PASSWORD_CLAIM_SECRET_BLOCK":"c2VjcmV0",
                "PASSWORD_CLAIM_SIGNATURE":"sig=","TIMESTAMP":"Tue Nov 3 07:05:22 UTC 2026"
            }
        }),
    );
    op.analytics_metadata = analytics;
    op.user_context_data = context;
    op.client_metadata = map(&[("a", "b")]);
    let v = reserialize(&op);
    assert_eq!(v["AnalyticsMetadata"]["AnalyticsEndpointId"], "ep-1");
    assert_eq!(v["UserContextData"]["IpAddress"], "192.0.2.1");
    assert_eq!(v["ClientMetadata"]["a"], "b");
    // Debug shows keys only.
    let text = format!("{op:?}");
    assert!(
        text.contains("PASSWORD_CLAIM_SIGNATURE") && !text.contains("sig="),
        "{text}"
    );
}

#[test]
fn get_tokens_from_refresh_token() {
    let op = GetTokensFromRefreshToken {
        refresh_token: s("rt"),
        client_id: "c".to_owned(),
        client_secret: Some(s("cs")),
        device_key: Some("us-east-1_0f6c".to_owned()),
        client_metadata: map(&[("k", "v")]),
    };
    check_request(
        &op,
        json!({"RefreshToken":"rt","ClientId":"c","ClientSecret":"cs","DeviceKey":"us-east-1_0f6c","ClientMetadata":{"k":"v"}}),
    );
    let op = GetTokensFromRefreshToken {
        refresh_token: s("rt"),
        client_id: "c".to_owned(),
        client_secret: None,
        device_key: None,
        client_metadata: BTreeMap::new(),
    };
    check_request(&op, json!({"RefreshToken":"rt","ClientId":"c"}));
    let out = decode_ok::<GetTokensFromRefreshToken>(json!({
        "AuthenticationResult": {"AccessToken":"a2","ExpiresIn":3600,"TokenType":"Bearer","IdToken":"i2","RefreshToken":"rt2"}
    }));
    let r = out.authentication_result.expect("tokens");
    assert_eq!(
        r.refresh_token.as_ref().map(|t| t.expose_secret().as_str()),
        Some("rt2")
    );
}

#[test]
fn revoke_token_and_global_sign_out() {
    check_request(
        &RevokeToken {
            token: s("rt"),
            client_id: "c".to_owned(),
            client_secret: Some(s("cs")),
            revoke_associated_sessions: Some(RevokeAssociatedSessions::Linked),
        },
        json!({"Token":"rt","ClientId":"c","ClientSecret":"cs","RevokeAssociatedSessions":"LINKED"}),
    );
    check_request(
        &RevokeToken {
            token: s("rt"),
            client_id: "c".to_owned(),
            client_secret: None,
            revoke_associated_sessions: None,
        },
        json!({"Token":"rt","ClientId":"c"}),
    );
    assert_eq!(decode_ok::<RevokeToken>(json!({})), RevokeTokenResponse {});
    check_request(
        &GlobalSignOut {
            access_token: s("at"),
        },
        json!({"AccessToken":"at"}),
    );
    assert_eq!(
        decode_ok::<GlobalSignOut>(json!({})),
        GlobalSignOutResponse {}
    );
}

// ---------------------------------------------------------------- sign-up (docs/protocol.md#21-sign-up)

#[test]
fn sign_up() {
    let (analytics, context) = full_context();
    check_request(
        &SignUp {
            client_id: "c".to_owned(),
            secret_hash: Some(s("h=")),
            username: "alice".to_owned(),
            password: Some(s("P@ssw0rd!")),
            user_attributes: vec![AttributeType::new("email", "a@example.com")],
            validation_data: vec![AttributeType::new("v", "1")],
            analytics_metadata: analytics,
            user_context_data: context,
            client_metadata: map(&[("k", "v")]),
        },
        json!({
            "ClientId":"c","SecretHash":"h=","Username":"alice","Password":"P@ssw0rd!",
            "UserAttributes":[{"Name":"email","Value":"a@example.com"}],
            "ValidationData":[{"Name":"v","Value":"1"}],
            "AnalyticsMetadata":{"AnalyticsEndpointId":"ep-1"},
            "UserContextData":{"IpAddress":"192.0.2.1","EncodedData":"enc"},
            "ClientMetadata":{"k":"v"}
        }),
    );
    // Passwordless: no Password member at all.
    check_request(
        &SignUp {
            client_id: "c".to_owned(),
            secret_hash: None,
            username: "alice".to_owned(),
            password: None,
            user_attributes: vec![],
            validation_data: vec![],
            analytics_metadata: None,
            user_context_data: None,
            client_metadata: BTreeMap::new(),
        },
        json!({"ClientId":"c","Username":"alice"}),
    );
    let out = decode_ok::<SignUp>(json!({
        "UserConfirmed": false,
        "CodeDeliveryDetails": {"Destination":"a***@e***.com","DeliveryMedium":"EMAIL","AttributeName":"email"},
        "UserSub": "5f0c-uuid",
        "Session": "signup-session"
    }));
    assert!(!out.user_confirmed);
    assert_eq!(out.user_sub, "5f0c-uuid");
    let d = out.code_delivery_details.expect("details");
    assert_eq!(d.delivery_medium, Some(DeliveryMedium::Email));
    assert_eq!(d.destination.as_deref(), Some("a***@e***.com"));
    assert_eq!(d.attribute_name.as_deref(), Some("email"));
    assert!(out.session.is_some());
}

#[test]
fn confirm_sign_up_and_resend() {
    let (analytics, context) = full_context();
    check_request(
        &ConfirmSignUp {
            client_id: "c".to_owned(),
            secret_hash: Some(s("h=")),
            username: "alice".to_owned(),
            confirmation_code: s("123456"),
            force_alias_creation: Some(true),
            analytics_metadata: analytics.clone(),
            user_context_data: context.clone(),
            client_metadata: map(&[("k", "v")]),
            session: Some(s("signup-session")),
        },
        json!({
            "ClientId":"c","SecretHash":"h=","Username":"alice","ConfirmationCode":"123456",
            "ForceAliasCreation":true,"AnalyticsMetadata":{"AnalyticsEndpointId":"ep-1"},
            "UserContextData":{"IpAddress":"192.0.2.1","EncodedData":"enc"},
            "ClientMetadata":{"k":"v"},"Session":"signup-session"
        }),
    );
    let out = decode_ok::<ConfirmSignUp>(json!({"Session":"confirm-session"}));
    assert_eq!(
        out.session.as_ref().map(|s| s.expose_secret().as_str()),
        Some("confirm-session")
    );
    assert!(decode_ok::<ConfirmSignUp>(json!({})).session.is_none());

    check_request(
        &ResendConfirmationCode {
            client_id: "c".to_owned(),
            secret_hash: Some(s("h=")),
            user_context_data: context,
            username: "alice".to_owned(),
            analytics_metadata: analytics,
            client_metadata: map(&[("k", "v")]),
        },
        json!({
            "ClientId":"c","SecretHash":"h=","Username":"alice",
            "UserContextData":{"IpAddress":"192.0.2.1","EncodedData":"enc"},
            "AnalyticsMetadata":{"AnalyticsEndpointId":"ep-1"},"ClientMetadata":{"k":"v"}
        }),
    );
    let out = decode_ok::<ResendConfirmationCode>(json!({
        "CodeDeliveryDetails": {"Destination":"+*******1234","DeliveryMedium":"SMS","AttributeName":"phone_number"}
    }));
    assert_eq!(
        out.code_delivery_details.and_then(|d| d.delivery_medium),
        Some(DeliveryMedium::Sms)
    );
}

// ---------------------------------------------------------------- passwords (docs/protocol.md#23-passwords)

#[test]
fn forgot_and_confirm_forgot_password() {
    let (analytics, context) = full_context();
    check_request(
        &ForgotPassword {
            client_id: "c".to_owned(),
            secret_hash: Some(s("h=")),
            user_context_data: context.clone(),
            username: "alice".to_owned(),
            analytics_metadata: analytics.clone(),
            client_metadata: map(&[("k", "v")]),
        },
        json!({
            "ClientId":"c","SecretHash":"h=","Username":"alice",
            "UserContextData":{"IpAddress":"192.0.2.1","EncodedData":"enc"},
            "AnalyticsMetadata":{"AnalyticsEndpointId":"ep-1"},"ClientMetadata":{"k":"v"}
        }),
    );
    let out = decode_ok::<ForgotPassword>(json!({
        "CodeDeliveryDetails": {"Destination":"a***@e***.com","DeliveryMedium":"EMAIL","AttributeName":"email"}
    }));
    assert!(out.code_delivery_details.is_some());

    check_request(
        &ConfirmForgotPassword {
            client_id: "c".to_owned(),
            secret_hash: Some(s("h=")),
            username: "alice".to_owned(),
            confirmation_code: s("123456"),
            password: s("N3w-pass!"),
            analytics_metadata: analytics,
            user_context_data: context,
            client_metadata: map(&[("k", "v")]),
        },
        json!({
            "ClientId":"c","SecretHash":"h=","Username":"alice","ConfirmationCode":"123456",
            "Password":"N3w-pass!","AnalyticsMetadata":{"AnalyticsEndpointId":"ep-1"},
            "UserContextData":{"IpAddress":"192.0.2.1","EncodedData":"enc"},
            "ClientMetadata":{"k":"v"}
        }),
    );
    assert_eq!(
        decode_ok::<ConfirmForgotPassword>(json!({})),
        ConfirmForgotPasswordResponse {}
    );
}

#[test]
fn change_password() {
    check_request(
        &ChangePassword {
            previous_password: Some(s("old")),
            proposed_password: s("new"),
            access_token: s("at"),
        },
        json!({"PreviousPassword":"old","ProposedPassword":"new","AccessToken":"at"}),
    );
    check_request(
        &ChangePassword {
            previous_password: None,
            proposed_password: s("new"),
            access_token: s("at"),
        },
        json!({"ProposedPassword":"new","AccessToken":"at"}),
    );
    assert_eq!(
        decode_ok::<ChangePassword>(json!({})),
        ChangePasswordResponse {}
    );
}

// ---------------------------------------------------------------- profile (docs/protocol.md#24-the-users-own-profile)

#[test]
fn get_user() {
    check_request(
        &GetUser {
            access_token: s("at"),
        },
        json!({"AccessToken":"at"}),
    );
    let out = decode_ok::<GetUser>(json!({
        "Username": "5f0c-uuid",
        "UserAttributes": [{"Name":"sub","Value":"5f0c-uuid"},{"Name":"email_verified","Value":"true"}],
        "MFAOptions": [{"DeliveryMedium":"SMS","AttributeName":"phone_number"}],
        "PreferredMfaSetting": "SOFTWARE_TOKEN_MFA",
        "UserMFASettingList": ["SOFTWARE_TOKEN_MFA","SMS_MFA","EMAIL_OTP"]
    }));
    assert_eq!(out.username, "5f0c-uuid");
    assert_eq!(out.attribute("email_verified"), Some("true"));
    assert_eq!(
        out.mfa_options,
        vec![MfaOption {
            delivery_medium: Some(DeliveryMedium::Sms),
            attribute_name: Some("phone_number".to_owned())
        }]
    );
    assert_eq!(
        out.preferred_mfa_setting,
        Some(MfaSetting::SoftwareTokenMfa)
    );
    assert_eq!(
        out.user_mfa_setting_list,
        vec![
            MfaSetting::SoftwareTokenMfa,
            MfaSetting::SmsMfa,
            MfaSetting::EmailOtp
        ]
    );
    // Round trip of the response keeps the exact member names.
    assert_eq!(
        reserialize(&out),
        json!({
            "Username": "5f0c-uuid",
            "UserAttributes": [{"Name":"sub","Value":"5f0c-uuid"},{"Name":"email_verified","Value":"true"}],
            "MFAOptions": [{"DeliveryMedium":"SMS","AttributeName":"phone_number"}],
            "PreferredMfaSetting": "SOFTWARE_TOKEN_MFA",
            "UserMFASettingList": ["SOFTWARE_TOKEN_MFA","SMS_MFA","EMAIL_OTP"]
        })
    );
    // Empty lists are omitted by AWS; a minimal body decodes.
    let out = decode_ok::<GetUser>(json!({"Username":"u","UserAttributes":[]}));
    assert!(out.mfa_options.is_empty() && out.preferred_mfa_setting.is_none());
}

#[test]
fn update_and_delete_user_attributes() {
    check_request(
        &UpdateUserAttributes {
            user_attributes: vec![
                AttributeType::new("email", "new@example.com"),
                AttributeType::new("custom:team", ""),
            ],
            access_token: s("at"),
            client_metadata: map(&[("k", "v")]),
        },
        json!({
            "UserAttributes":[{"Name":"email","Value":"new@example.com"},{"Name":"custom:team","Value":""}],
            "AccessToken":"at","ClientMetadata":{"k":"v"}
        }),
    );
    let out = decode_ok::<UpdateUserAttributes>(json!({
        "CodeDeliveryDetailsList": [{"Destination":"n***@e***.com","DeliveryMedium":"EMAIL","AttributeName":"email"}]
    }));
    assert_eq!(out.code_delivery_details_list.len(), 1);
    assert!(
        decode_ok::<UpdateUserAttributes>(json!({}))
            .code_delivery_details_list
            .is_empty()
    );

    check_request(
        &DeleteUserAttributes {
            user_attribute_names: vec!["custom:team".to_owned(), "nickname".to_owned()],
            access_token: s("at"),
        },
        json!({"UserAttributeNames":["custom:team","nickname"],"AccessToken":"at"}),
    );
    // A required list is sent even when empty.
    check_request(
        &DeleteUserAttributes {
            user_attribute_names: vec![],
            access_token: s("at"),
        },
        json!({"UserAttributeNames":[],"AccessToken":"at"}),
    );
    assert_eq!(
        decode_ok::<DeleteUserAttributes>(json!({})),
        DeleteUserAttributesResponse {}
    );
}

#[test]
fn attribute_verification() {
    check_request(
        &GetUserAttributeVerificationCode {
            access_token: s("at"),
            attribute_name: "email".to_owned(),
            client_metadata: map(&[("k", "v")]),
        },
        json!({"AccessToken":"at","AttributeName":"email","ClientMetadata":{"k":"v"}}),
    );
    let out = decode_ok::<GetUserAttributeVerificationCode>(json!({
        "CodeDeliveryDetails": {"Destination":"a***@e***.com","DeliveryMedium":"EMAIL","AttributeName":"email"}
    }));
    assert!(out.code_delivery_details.is_some());
    check_request(
        &VerifyUserAttribute {
            access_token: s("at"),
            attribute_name: "email".to_owned(),
            code: s("123456"),
        },
        json!({"AccessToken":"at","AttributeName":"email","Code":"123456"}),
    );
    assert_eq!(
        decode_ok::<VerifyUserAttribute>(json!({})),
        VerifyUserAttributeResponse {}
    );
}

#[test]
fn delete_user_and_auth_factors() {
    check_request(
        &DeleteUser {
            access_token: s("at"),
        },
        json!({"AccessToken":"at"}),
    );
    assert_eq!(decode_ok::<DeleteUser>(json!({})), DeleteUserResponse {});
    check_request(
        &GetUserAuthFactors {
            access_token: s("at"),
        },
        json!({"AccessToken":"at"}),
    );
    let out = decode_ok::<GetUserAuthFactors>(json!({
        "Username": "alice",
        "PreferredMfaSetting": "EMAIL_OTP",
        "UserMFASettingList": ["EMAIL_OTP"],
        "ConfiguredUserAuthFactors": ["PASSWORD","EMAIL_OTP","SMS_OTP","WEB_AUTHN","SOFTWARE_TOKEN","FACE_ID"]
    }));
    assert_eq!(out.username, "alice");
    assert_eq!(
        out.configured_user_auth_factors,
        vec![
            AuthFactorType::Password,
            AuthFactorType::EmailOtp,
            AuthFactorType::SmsOtp,
            AuthFactorType::WebAuthn,
            AuthFactorType::SoftwareToken,
            AuthFactorType::Unknown("FACE_ID".to_owned()),
        ]
    );
}

// ---------------------------------------------------------------- MFA (docs/protocol.md#25-mfa)

#[test]
fn set_user_mfa_preference_and_settings() {
    check_request(
        &SetUserMfaPreference {
            sms_mfa_settings: Some(MfaSettings {
                enabled: Some(false),
                preferred_mfa: None,
            }),
            software_token_mfa_settings: Some(MfaSettings {
                enabled: Some(true),
                preferred_mfa: Some(true),
            }),
            email_mfa_settings: Some(MfaSettings {
                enabled: Some(true),
                preferred_mfa: Some(false),
            }),
            web_authn_mfa_settings: Some(WebAuthnMfaSettings {
                enabled: Some(true),
            }),
            access_token: s("at"),
        },
        json!({
            "SMSMfaSettings":{"Enabled":false},
            "SoftwareTokenMfaSettings":{"Enabled":true,"PreferredMfa":true},
            "EmailMfaSettings":{"Enabled":true,"PreferredMfa":false},
            "WebAuthnMfaSettings":{"Enabled":true},
            "AccessToken":"at"
        }),
    );
    check_request(
        &SetUserMfaPreference {
            sms_mfa_settings: None,
            software_token_mfa_settings: None,
            email_mfa_settings: None,
            web_authn_mfa_settings: None,
            access_token: s("at"),
        },
        json!({"AccessToken":"at"}),
    );
    assert_eq!(
        decode_ok::<SetUserMfaPreference>(json!({})),
        SetUserMfaPreferenceResponse {}
    );
    check_request(
        &SetUserSettings {
            access_token: s("at"),
            mfa_options: vec![MfaOption {
                delivery_medium: Some(DeliveryMedium::Sms),
                attribute_name: Some("phone_number".to_owned()),
            }],
        },
        json!({"AccessToken":"at","MFAOptions":[{"DeliveryMedium":"SMS","AttributeName":"phone_number"}]}),
    );
    check_request(
        &SetUserSettings {
            access_token: s("at"),
            mfa_options: vec![],
        },
        json!({"AccessToken":"at","MFAOptions":[]}),
    );
    assert_eq!(
        decode_ok::<SetUserSettings>(json!({})),
        SetUserSettingsResponse {}
    );
}

#[test]
fn associate_and_verify_software_token() {
    check_request(
        &AssociateSoftwareToken {
            access_token: None,
            session: Some(s("S2")),
        },
        json!({"Session":"S2"}),
    );
    check_request(
        &AssociateSoftwareToken {
            access_token: Some(s("at")),
            session: None,
        },
        json!({"AccessToken":"at"}),
    );
    let out = decode_ok::<AssociateSoftwareToken>(json!({
        "SecretCode": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "Session": "S3"
    }));
    assert_eq!(
        out.secret_code.as_ref().map(|c| c.expose_secret().as_str()),
        Some("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    );
    assert!(!format!("{out:?}").contains("JBSWY3DP"));
    assert_eq!(
        out.session.as_ref().map(|c| c.expose_secret().as_str()),
        Some("S3")
    );

    check_request(
        &VerifySoftwareToken {
            access_token: None,
            session: Some(s("S3")),
            user_code: s("123456"),
            friendly_device_name: Some("phone".to_owned()),
        },
        json!({"Session":"S3","UserCode":"123456","FriendlyDeviceName":"phone"}),
    );
    check_request(
        &VerifySoftwareToken {
            access_token: Some(s("at")),
            session: None,
            user_code: s("654321"),
            friendly_device_name: None,
        },
        json!({"AccessToken":"at","UserCode":"654321"}),
    );
    let out = decode_ok::<VerifySoftwareToken>(json!({"Status":"SUCCESS","Session":"S4"}));
    assert_eq!(out.status, Some(VerifySoftwareTokenStatus::Success));
    let out = decode_ok::<VerifySoftwareToken>(json!({"Status":"ERROR"}));
    assert_eq!(out.status, Some(VerifySoftwareTokenStatus::Error));
    assert!(out.session.is_none());
}

// ---------------------------------------------------------------- devices (docs/protocol.md#26-remembered-devices)

fn doc_device() -> Value {
    json!({
        "DeviceKey": "us-west-2_a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
        "DeviceAttributes": [
            {"Name":"device_status","Value":"valid"},
            {"Name":"device_name","Value":"MyDevice"},
            {"Name":"dev:device_arn","Value":"arn:aws:cognito-idp:us-west-2:123456789012:owner/diego.us-west-2_EXAMPLE/device/us-west-2_a1b2"},
            {"Name":"dev:device_owner","Value":"diego.us-west-2_EXAMPLE"},
            {"Name":"last_ip_used","Value":"192.0.2.1"},
            {"Name":"dev:device_remembered_status","Value":"remembered"},
            {"Name":"dev:device_sdk","Value":"aws-sdk"}
        ],
        "DeviceCreateDate": 1715100742.022,
        "DeviceLastModifiedDate": 1715100742.5,
        "DeviceLastAuthenticatedDate": 1715100800
    })
}

#[test]
fn confirm_device() {
    check_request(
        &ConfirmDevice {
            access_token: s("at"),
            device_key: "us-east-1_0f6c".to_owned(),
            device_secret_verifier_config: Some(DeviceSecretVerifierConfig {
                password_verifier: Some("dmVyaWZpZXI=".to_owned()),
                salt: Some("c2FsdA==".to_owned()),
            }),
            device_name: Some("Firefox on Linux".to_owned()),
        },
        json!({
            "AccessToken":"at","DeviceKey":"us-east-1_0f6c",
            "DeviceSecretVerifierConfig":{"PasswordVerifier":"dmVyaWZpZXI=","Salt":"c2FsdA=="},
            "DeviceName":"Firefox on Linux"
        }),
    );
    let out = decode_ok::<ConfirmDevice>(json!({"UserConfirmationNecessary": true}));
    assert_eq!(out.user_confirmation_necessary, Some(true));
    let out = decode_ok::<ConfirmDevice>(json!({}));
    assert_eq!(out.user_confirmation_necessary, None);
}

#[test]
fn device_with_fractional_dates_doc_example() {
    let out = decode_ok::<GetDevice>(json!({ "Device": doc_device() }));
    let d = out.device;
    assert_eq!(
        d.device_key,
        "us-west-2_a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
    );
    assert_eq!(d.device_create_date, Some(1715100742.022));
    assert_eq!(d.device_last_modified_date, Some(1715100742.5));
    assert_eq!(d.device_last_authenticated_date, Some(1715100800.0));
    assert_eq!(d.name(), Some("MyDevice"));
    assert_eq!(d.attribute("last_ip_used"), Some("192.0.2.1"));
    assert_eq!(
        d.remembered_status(),
        Some(DeviceRememberedStatus::Remembered)
    );
    assert_eq!(d.device_attributes.len(), 7);
}

#[test]
fn list_get_update_forget_devices() {
    check_request(
        &ListDevices {
            access_token: s("at"),
            limit: Some(60),
            pagination_token: Some("next".to_owned()),
        },
        json!({"AccessToken":"at","Limit":60,"PaginationToken":"next"}),
    );
    check_request(
        &ListDevices {
            access_token: s("at"),
            limit: None,
            pagination_token: None,
        },
        json!({"AccessToken":"at"}),
    );
    let out = decode_ok::<ListDevices>(json!({"Devices":[doc_device()],"PaginationToken":"p2"}));
    assert_eq!(out.devices.len(), 1);
    assert_eq!(out.pagination_token.as_deref(), Some("p2"));
    let out = decode_ok::<ListDevices>(json!({"Devices":[]}));
    assert!(out.devices.is_empty() && out.pagination_token.is_none());

    check_request(
        &GetDevice {
            device_key: "dk".to_owned(),
            access_token: Some(s("at")),
        },
        json!({"DeviceKey":"dk","AccessToken":"at"}),
    );
    check_request(
        &UpdateDeviceStatus {
            access_token: s("at"),
            device_key: "dk".to_owned(),
            device_remembered_status: Some(DeviceRememberedStatus::NotRemembered),
        },
        json!({"AccessToken":"at","DeviceKey":"dk","DeviceRememberedStatus":"not_remembered"}),
    );
    assert_eq!(
        decode_ok::<UpdateDeviceStatus>(json!({})),
        UpdateDeviceStatusResponse {}
    );
    check_request(
        &ForgetDevice {
            access_token: Some(s("at")),
            device_key: "dk".to_owned(),
        },
        json!({"AccessToken":"at","DeviceKey":"dk"}),
    );
    assert_eq!(
        decode_ok::<ForgetDevice>(json!({})),
        ForgetDeviceResponse {}
    );
}

// ---------------------------------------------------------------- passkeys (docs/protocol.md#27-passkeys)

#[test]
fn webauthn_operations() {
    check_request(
        &StartWebAuthnRegistration {
            access_token: s("at"),
        },
        json!({"AccessToken":"at"}),
    );
    let options = json!({
        "challenge":"Y2hhbGxlbmdl","rp":{"id":"example.com","name":"Example"},
        "user":{"id":"dXNlcg","name":"alice","displayName":"alice"},
        "pubKeyCredParams":[{"type":"public-key","alg":-7},{"type":"public-key","alg":-257}],
        "timeout":60000,"excludeCredentials":[],
        "authenticatorSelection":{"residentKey":"required","requireResidentKey":true,"userVerification":"preferred"}
    });
    let out = decode_ok::<StartWebAuthnRegistration>(json!({"CredentialCreationOptions": options}));
    assert_eq!(out.credential_creation_options, options);

    let credential = json!({
        "id":"cred-id","rawId":"cred-id","type":"public-key",
        "response":{"clientDataJSON":"e30","attestationObject":"o2Nm","transports":["internal"]},
        "authenticatorAttachment":"platform","clientExtensionResults":{}
    });
    check_request(
        &CompleteWebAuthnRegistration {
            access_token: s("at"),
            credential: credential.clone(),
        },
        json!({"AccessToken":"at","Credential":credential}),
    );
    assert_eq!(
        decode_ok::<CompleteWebAuthnRegistration>(json!({})),
        CompleteWebAuthnRegistrationResponse {}
    );

    check_request(
        &ListWebAuthnCredentials {
            access_token: s("at"),
            next_token: Some("n".to_owned()),
            max_results: Some(20),
        },
        json!({"AccessToken":"at","NextToken":"n","MaxResults":20}),
    );
    let out = decode_ok::<ListWebAuthnCredentials>(json!({
        "Credentials": [{
            "CredentialId":"cred-id","FriendlyCredentialName":"Laptop","RelyingPartyId":"example.com",
            "AuthenticatorAttachment":"platform","AuthenticatorTransports":["internal","hybrid"],
            "CreatedAt": 1715100742.022
        }],
        "NextToken": "n2"
    }));
    assert_eq!(out.credentials.len(), 1);
    let c = &out.credentials[0];
    assert_eq!(c.credential_id, "cred-id");
    assert_eq!(c.friendly_credential_name, "Laptop");
    assert_eq!(c.relying_party_id, "example.com");
    assert_eq!(c.authenticator_attachment.as_deref(), Some("platform"));
    assert_eq!(c.authenticator_transports, vec!["internal", "hybrid"]);
    assert_eq!(c.created_at, 1715100742.022);
    assert_eq!(out.next_token.as_deref(), Some("n2"));

    check_request(
        &DeleteWebAuthnCredential {
            access_token: s("at"),
            credential_id: "cred-id".to_owned(),
        },
        json!({"AccessToken":"at","CredentialId":"cred-id"}),
    );
    assert_eq!(
        decode_ok::<DeleteWebAuthnCredential>(json!({})),
        DeleteWebAuthnCredentialResponse {}
    );
}

// ---------------------------------------------------------------- identity pools (docs/protocol.md#6-identity-pools)

#[test]
fn get_id_and_credentials_doc_example() {
    let key = user_pool_login_key("eu-west-1_AbC123xyz").expect("valid pool id");
    assert_eq!(
        key,
        "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyz"
    );
    assert_eq!(user_pool_login_key("nounderscore"), None);
    let mut logins = BTreeMap::new();
    logins.insert(key.clone(), s("eyJraWQ-id-token"));

    check_request(
        &GetId {
            identity_pool_id: "eu-west-1:0a1b2c3d-0000-1111-2222-333344445555".to_owned(),
            account_id: Some("123456789012".to_owned()),
            logins: logins.clone(),
        },
        json!({
            "IdentityPoolId":"eu-west-1:0a1b2c3d-0000-1111-2222-333344445555",
            "AccountId":"123456789012",
            "Logins":{"cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyz":"eyJraWQ-id-token"}
        }),
    );
    let out =
        decode_ok::<GetId>(json!({"IdentityId":"eu-west-1:9f8e7d6c-0000-1111-2222-333344445555"}));
    assert_eq!(
        out.identity_id,
        "eu-west-1:9f8e7d6c-0000-1111-2222-333344445555"
    );

    check_request(
        &GetCredentialsForIdentity {
            identity_id: "eu-west-1:9f8e".to_owned(),
            logins: logins.clone(),
            custom_role_arn: Some("arn:aws:iam::123456789012:role/r".to_owned()),
        },
        json!({
            "IdentityId":"eu-west-1:9f8e",
            "Logins":{"cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyz":"eyJraWQ-id-token"},
            "CustomRoleArn":"arn:aws:iam::123456789012:role/r"
        }),
    );
    // Guest identity: no Logins member.
    check_request(
        &GetCredentialsForIdentity {
            identity_id: "eu-west-1:9f8e".to_owned(),
            logins: BTreeMap::new(),
            custom_role_arn: None,
        },
        json!({"IdentityId":"eu-west-1:9f8e"}),
    );
    // docs/protocol.md#62-getcredentialsforidentity example: `SecretKey` and a numeric `Expiration` in exponent notation.
    let out = decode_ok::<GetCredentialsForIdentity>(json!({
        "IdentityId": "us-east-1:9f8e",
        "Credentials": {"AccessKeyId":"ASIAEXAMPLE","SecretKey":"wJalrXUtnFEMI","SessionToken":"IQoJb3JpZ2lu","Expiration": 1.7235E9}
    }));
    assert_eq!(out.identity_id, "us-east-1:9f8e");
    assert_eq!(out.credentials.access_key_id, "ASIAEXAMPLE");
    assert_eq!(out.credentials.secret_key.expose_secret(), "wJalrXUtnFEMI");
    assert_eq!(
        out.credentials.session_token.expose_secret(),
        "IQoJb3JpZ2lu"
    );
    assert_eq!(out.credentials.expiration, 1.7235e9);
    let text = format!("{out:?}");
    assert!(
        !text.contains("wJalrXUtnFEMI") && !text.contains("IQoJb3JpZ2lu"),
        "{text}"
    );

    check_request(
        &GetOpenIdToken {
            identity_id: "eu-west-1:9f8e".to_owned(),
            logins,
        },
        json!({
            "IdentityId":"eu-west-1:9f8e",
            "Logins":{"cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyz":"eyJraWQ-id-token"}
        }),
    );
    let out = decode_ok::<GetOpenIdToken>(json!({"IdentityId":"eu-west-1:9f8e","Token":"eyJoidc"}));
    assert_eq!(out.token.expose_secret(), "eyJoidc");
}

#[test]
fn credentials_with_secret_access_key_spelling_is_rejected() {
    // The member is `SecretKey`; a body using the STS spelling does not silently decode.
    let resp = Response::builder()
        .status(200)
        .body(
            serde_json::to_vec(&json!({
                "IdentityId": "us-east-1:9f8e",
                "Credentials": {"AccessKeyId":"A","SecretAccessKey":"s","SessionToken":"t","Expiration":1.0}
            }))
            .expect("json"),
        )
        .expect("response");
    let err = decode::<GetCredentialsForIdentity>(&resp).expect_err("must fail");
    assert!(
        matches!(err, cognito_proto::error::CoreError::InvalidResponse { .. }),
        "{err:?}"
    );
}

// ---------------------------------------------------------------- small enums

#[test]
fn small_enums_round_trip_and_keep_unknown_values() {
    assert_eq!(reserialize(&DeliveryMedium::Sms), json!("SMS"));
    assert_eq!(reserialize(&DeliveryMedium::Email), json!("EMAIL"));
    assert_eq!(
        serde_json::from_value::<DeliveryMedium>(json!("PIGEON")).expect("parses"),
        DeliveryMedium::Unknown("PIGEON".to_owned())
    );
    assert_eq!(
        reserialize(&DeviceRememberedStatus::Remembered),
        json!("remembered")
    );
    assert_eq!(
        reserialize(&DeviceRememberedStatus::NotRemembered),
        json!("not_remembered")
    );
    assert_eq!(
        DeviceRememberedStatus::from("REMEMBERED"),
        DeviceRememberedStatus::Unknown("REMEMBERED".to_owned()),
        "the wire value is lowercase"
    );
    assert_eq!(
        reserialize(&VerifySoftwareTokenStatus::Success),
        json!("SUCCESS")
    );
    assert_eq!(reserialize(&RevokeAssociatedSessions::None), json!("NONE"));
    assert_eq!(reserialize(&MfaSetting::EmailOtp), json!("EMAIL_OTP"));
    assert_eq!(
        reserialize(&AuthFactorType::SoftwareToken),
        json!("SOFTWARE_TOKEN")
    );
    // A non-string value is a parse failure, not an Unknown.
    assert!(serde_json::from_value::<ChallengeName>(json!(5)).is_err());
}

// ---------------------------------------------------------------- sessions (docs/protocol.md#28-other-operations)

#[test]
fn list_and_revoke_user_sessions() {
    check_request(
        &ListUserSessions {
            access_token: s("at"),
            next_token: Some("n".to_owned()),
        },
        json!({"AccessToken":"at","NextToken":"n"}),
    );
    let out = decode_ok::<ListUserSessions>(json!({
        "Sessions": [{
            "SessionId": "tkn0123456789abcdefghijklmn",
            "ClientId": "c",
            "CreateDate": 1715100742.022,
            "LastActiveDate": 1715100800,
            "DeviceType": "Firefox on Linux",
            "IsCurrentSession": true,
            "SessionType": "TOKEN"
        }],
        "NextToken": null
    }));
    assert_eq!(out.sessions.len(), 1);
    let sd = &out.sessions[0];
    assert_eq!(
        sd.session_id.as_deref(),
        Some("tkn0123456789abcdefghijklmn")
    );
    assert_eq!(sd.create_date, Some(1715100742.022));
    assert_eq!(sd.last_active_date, Some(1715100800.0));
    assert_eq!(sd.is_current_session, Some(true));
    assert_eq!(sd.other.get("SessionType"), Some(&json!("TOKEN")));
    assert!(out.next_token.is_none());
    check_request(
        &RevokeUserSession {
            access_token: s("at"),
            session_id: "sso0123456789abcdefghijklmn".to_owned(),
            revoke_associated_sessions: Some(RevokeAssociatedSessions::None),
        },
        json!({"AccessToken":"at","SessionId":"sso0123456789abcdefghijklmn","RevokeAssociatedSessions":"NONE"}),
    );
    assert_eq!(
        decode_ok::<RevokeUserSession>(json!({})),
        RevokeUserSessionResponse {}
    );
}

// ---------------------------------------------------------------- constructors

#[test]
fn constructors_send_only_the_required_members() {
    let cases: Vec<(Value, Value)> = vec![
        (
            reserialize(&SignUp::new("c", "alice")),
            json!({"ClientId":"c","Username":"alice"}),
        ),
        (
            reserialize(&ConfirmSignUp::new("c", "alice", s("123456"))),
            json!({"ClientId":"c","Username":"alice","ConfirmationCode":"123456"}),
        ),
        (
            reserialize(&ResendConfirmationCode::new("c", "alice")),
            json!({"ClientId":"c","Username":"alice"}),
        ),
        (
            reserialize(&ForgotPassword::new("c", "alice")),
            json!({"ClientId":"c","Username":"alice"}),
        ),
        (
            reserialize(&ConfirmForgotPassword::new(
                "c",
                "alice",
                s("123456"),
                s("pw"),
            )),
            json!({"ClientId":"c","Username":"alice","ConfirmationCode":"123456","Password":"pw"}),
        ),
        (
            reserialize(&GetTokensFromRefreshToken::new("c", s("rt"))),
            json!({"ClientId":"c","RefreshToken":"rt"}),
        ),
        (
            reserialize(&RevokeToken::new("c", s("rt"))),
            json!({"ClientId":"c","Token":"rt"}),
        ),
        (
            reserialize(&UpdateUserAttributes::new(
                s("at"),
                vec![AttributeType::new("name", "A")],
            )),
            json!({"AccessToken":"at","UserAttributes":[{"Name":"name","Value":"A"}]}),
        ),
        (
            reserialize(&GetUserAttributeVerificationCode::new(s("at"), "email")),
            json!({"AccessToken":"at","AttributeName":"email"}),
        ),
        (
            reserialize(&AssociateSoftwareToken::with_session(s("S2"))),
            json!({"Session":"S2"}),
        ),
        (
            reserialize(&AssociateSoftwareToken::with_access_token(s("at"))),
            json!({"AccessToken":"at"}),
        ),
        (
            reserialize(&VerifySoftwareToken::with_session(s("S3"), s("123456"))),
            json!({"Session":"S3","UserCode":"123456"}),
        ),
        (
            reserialize(&VerifySoftwareToken::with_access_token(
                s("at"),
                s("123456"),
            )),
            json!({"AccessToken":"at","UserCode":"123456"}),
        ),
        (
            reserialize(&SetUserMfaPreference::new(s("at"))),
            json!({"AccessToken":"at"}),
        ),
        (
            reserialize(&ListDevices::new(s("at"))),
            json!({"AccessToken":"at"}),
        ),
        (
            reserialize(&ListWebAuthnCredentials::new(s("at"))),
            json!({"AccessToken":"at"}),
        ),
        (
            reserialize(&GetId::new("eu-west-1:p")),
            json!({"IdentityPoolId":"eu-west-1:p"}),
        ),
        (
            reserialize(&GetCredentialsForIdentity::new("eu-west-1:i")),
            json!({"IdentityId":"eu-west-1:i"}),
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
    }
}
