//! Tokens: claims, signatures against the JWKS, refresh, rotation, revocation, sign-out.

use crate::common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_emulator::{ClientConfig, PoolConfig};
use common::*;
use serde_json::{Value, json};

#[test]
fn tokens_carry_the_documented_claims_and_verify_against_jwks() {
    let s = setup();
    s.user(
        "alice",
        &[("email", "alice@example.com"), ("name", "Alice")],
    );
    let t = s.tokens("alice");
    let (id_tok, ac_tok) = (
        t["IdToken"].as_str().unwrap(),
        t["AccessToken"].as_str().unwrap(),
    );
    assert!(verify_with_jwks(&s, id_tok));
    assert!(verify_with_jwks(&s, ac_tok));
    let mut tampered = ac_tok.to_string();
    tampered.insert(ac_tok.find('.').unwrap() + 3, 'x');
    assert!(!verify_with_jwks(&s, &tampered));
    let id = claims(id_tok);
    let ac = claims(ac_tok);
    let iss = format!("https://cognito-idp.us-east-1.amazonaws.com/{}", s.pool_id);
    assert_eq!(id["iss"], iss.as_str());
    assert_eq!(id["aud"], s.client_id.as_str());
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["name"], "Alice");
    assert_eq!(ac["token_use"], "access");
    assert_eq!(ac["client_id"], s.client_id.as_str());
    assert_eq!(ac["username"], "alice");
    assert_eq!(ac["scope"], "aws.cognito.signin.user.admin");
    assert!(ac.get("aud").is_none());
    assert!(ac.get("email").is_none());
    assert_eq!(id["origin_jti"], ac["origin_jti"]);
    assert_ne!(id["jti"], ac["jti"]);
    assert_eq!(
        ac["exp"].as_u64().unwrap() - ac["iat"].as_u64().unwrap(),
        3600
    );
    let hid: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(id_tok.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    let hac: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(ac_tok.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(hid["alg"], "RS256");
    assert_ne!(hid["kid"], hac["kid"]);
    assert_eq!(t["RefreshToken"].as_str().unwrap().split('.').count(), 5);
}

#[test]
fn refresh_token_auth_keeps_origin_and_auth_time() {
    let s = setup();
    s.user("bob", &[]);
    let t = s.tokens("bob");
    s.emu.advance_clock(60);
    let r = ok(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": s.client_id,
        "AuthParameters": {"REFRESH_TOKEN": t["RefreshToken"]}}),
    );
    let a = &r["AuthenticationResult"];
    assert!(a.get("RefreshToken").is_none());
    let old = claims(t["AccessToken"].as_str().unwrap());
    let new = claims(a["AccessToken"].as_str().unwrap());
    assert_eq!(old["origin_jti"], new["origin_jti"]);
    assert_eq!(old["auth_time"], new["auth_time"]);
    assert!(new["iat"].as_u64() > old["iat"].as_u64());
    let (t2, m) = err(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": s.client_id,
        "AuthParameters": {"REFRESH_TOKEN": "garbage.token"}}),
    );
    assert_eq!(
        (t2.as_str(), m.as_str()),
        ("NotAuthorizedException", "Invalid Refresh Token")
    );
}

#[test]
fn get_tokens_from_refresh_token_without_rotation() {
    let s = setup();
    s.user("cat", &[]);
    let t = s.tokens("cat");
    let r = ok(
        &s.emu,
        "GetTokensFromRefreshToken",
        json!({"ClientId": s.client_id, "RefreshToken": t["RefreshToken"]}),
    );
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
    assert!(r["AuthenticationResult"].get("RefreshToken").is_none());
    assert_eq!(s.emu.request_count("GetTokensFromRefreshToken"), 1);
}

#[test]
fn rotation_issues_new_refresh_tokens_and_enforces_grace_period() {
    let s = setup_with(
        PoolConfig::default(),
        ClientConfig {
            refresh_token_rotation: true,
            retry_grace_period_seconds: 10,
            generate_secret: true,
            ..ClientConfig::default()
        },
    );
    s.user("dan", &[]);
    let t = s.tokens("dan");
    let secret = s.secret.clone().unwrap();
    let call = |rt: &Value| {
        op(
            &s.emu,
            "GetTokensFromRefreshToken",
            json!({"ClientId": s.client_id, "ClientSecret": secret, "RefreshToken": rt}),
        )
    };
    let r1 = call(&t["RefreshToken"]).unwrap();
    let rt2 = r1["AuthenticationResult"]["RefreshToken"].clone();
    assert!(rt2.is_string());
    assert_ne!(rt2, t["RefreshToken"]);
    // Inside the grace period the old token still works.
    assert!(call(&t["RefreshToken"]).is_ok());
    s.emu.advance_clock(11);
    assert_eq!(
        call(&t["RefreshToken"]).unwrap_err().0,
        "RefreshTokenReuseException"
    );
    assert!(call(&rt2).is_ok());
    // REFRESH_TOKEN_AUTH is not available with rotation.
    let (ty, _) = err(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": s.client_id,
        "AuthParameters": {"REFRESH_TOKEN": rt2, "SECRET_HASH": s.hash("dan").unwrap()}}),
    );
    assert_eq!(ty, "InvalidParameterException");
    // A wrong client secret is refused.
    let bad = op(
        &s.emu,
        "GetTokensFromRefreshToken",
        json!({"ClientId": s.client_id, "ClientSecret": "x".repeat(30), "RefreshToken": rt2}),
    );
    assert_eq!(bad.unwrap_err().0, "NotAuthorizedException");
}

#[test]
fn revoke_token_kills_refresh_and_access_tokens_of_that_session() {
    let s = setup();
    s.user("eve", &[]);
    let t1 = s.tokens("eve");
    let t2 = s.tokens("eve");
    ok(
        &s.emu,
        "RevokeToken",
        json!({"ClientId": s.client_id, "Token": t1["RefreshToken"]}),
    );
    let (ty, m) = err(&s.emu, "GetUser", json!({"AccessToken": t1["AccessToken"]}));
    assert_eq!(
        (ty.as_str(), m.as_str()),
        ("NotAuthorizedException", "Access Token has been revoked")
    );
    let (ty, m) = err(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": s.client_id,
        "AuthParameters": {"REFRESH_TOKEN": t1["RefreshToken"]}}),
    );
    assert_eq!(
        (ty.as_str(), m.as_str()),
        ("NotAuthorizedException", "Refresh Token has been revoked")
    );
    // The other session is untouched.
    assert!(op(&s.emu, "GetUser", json!({"AccessToken": t2["AccessToken"]})).is_ok());
    // Access tokens cannot be revoked with RevokeToken.
    let (ty, _) = err(
        &s.emu,
        "RevokeToken",
        json!({"ClientId": s.client_id, "Token": t2["AccessToken"]}),
    );
    assert_eq!(ty, "UnsupportedTokenTypeException");
}

#[test]
fn revoke_token_with_wrong_client_secret_is_unauthorized() {
    let s = setup_with(
        PoolConfig::default(),
        ClientConfig {
            generate_secret: true,
            ..ClientConfig::default()
        },
    );
    s.user("fay", &[]);
    let t = s.tokens("fay");
    let (ty, _) = err(
        &s.emu,
        "RevokeToken",
        json!({"ClientId": s.client_id, "Token": t["RefreshToken"]}),
    );
    assert_eq!(ty, "UnauthorizedException");
    ok(
        &s.emu,
        "RevokeToken",
        json!({"ClientId": s.client_id, "Token": t["RefreshToken"],
        "ClientSecret": s.secret.clone().unwrap()}),
    );
}

#[test]
fn global_sign_out_revokes_every_session() {
    let s = setup();
    s.user("gus", &[]);
    let t1 = s.tokens("gus");
    let t2 = s.tokens("gus");
    ok(
        &s.emu,
        "GlobalSignOut",
        json!({"AccessToken": t1["AccessToken"]}),
    );
    for t in [&t1, &t2] {
        let (_, m) = err(&s.emu, "GetUser", json!({"AccessToken": t["AccessToken"]}));
        assert_eq!(m, "Access Token has been revoked");
        let (_, m) = err(
            &s.emu,
            "GetTokensFromRefreshToken",
            json!({"ClientId": s.client_id, "RefreshToken": t["RefreshToken"]}),
        );
        assert_eq!(m, "Refresh Token has been revoked");
    }
    // A new sign-in works again.
    let t3 = s.tokens("gus");
    assert!(op(&s.emu, "GetUser", json!({"AccessToken": t3["AccessToken"]})).is_ok());
}

#[test]
fn expired_access_token_is_refused() {
    let s = setup();
    s.user("hal", &[]);
    let t = s.tokens("hal");
    s.emu.advance_clock(3601);
    let (ty, m) = err(&s.emu, "GetUser", json!({"AccessToken": t["AccessToken"]}));
    assert_eq!(
        (ty.as_str(), m.as_str()),
        ("NotAuthorizedException", "Access Token has expired")
    );
    // The refresh token still works and yields a fresh access token.
    let r = ok(
        &s.emu,
        "GetTokensFromRefreshToken",
        json!({"ClientId": s.client_id, "RefreshToken": t["RefreshToken"]}),
    );
    assert!(
        op(
            &s.emu,
            "GetUser",
            json!({"AccessToken": r["AuthenticationResult"]["AccessToken"]})
        )
        .is_ok()
    );
}

#[test]
fn expired_refresh_token_is_refused() {
    let s = setup_with(
        PoolConfig::default(),
        ClientConfig {
            refresh_token_validity_secs: 3600,
            ..ClientConfig::default()
        },
    );
    s.user("ian", &[]);
    let t = s.tokens("ian");
    s.emu.advance_clock(3601);
    let (ty, _) = err(
        &s.emu,
        "GetTokensFromRefreshToken",
        json!({"ClientId": s.client_id, "RefreshToken": t["RefreshToken"]}),
    );
    assert_eq!(ty, "NotAuthorizedException");
}

#[test]
fn forged_or_id_tokens_are_invalid_access_tokens() {
    let s = setup();
    s.user("joy", &[]);
    let t = s.tokens("joy");
    let id_token = t["IdToken"].as_str().unwrap();
    let (_, m) = err(&s.emu, "GetUser", json!({"AccessToken": id_token}));
    assert_eq!(m, "Invalid Access Token");
    // Re-signing the payload with another claim but the same signature fails.
    let ac = t["AccessToken"].as_str().unwrap();
    let parts: Vec<&str> = ac.split('.').collect();
    let mut payload = claims(ac);
    payload["username"] = json!("someone-else");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        parts[2]
    );
    let (_, m) = err(&s.emu, "GetUser", json!({"AccessToken": forged}));
    assert_eq!(m, "Invalid Access Token");
    let (ty, _) = err(&s.emu, "GetUser", json!({"AccessToken": "not a token!"}));
    assert_eq!(ty, "InvalidParameterException");
}

#[test]
fn deleted_user_tokens_stop_working() {
    let s = setup();
    s.user("kai", &[]);
    let t = s.tokens("kai");
    ok(
        &s.emu,
        "DeleteUser",
        json!({"AccessToken": t["AccessToken"]}),
    );
    assert!(op(&s.emu, "GetUser", json!({"AccessToken": t["AccessToken"]})).is_err());
    assert!(
        op(
            &s.emu,
            "GetTokensFromRefreshToken",
            json!({"ClientId": s.client_id, "RefreshToken": t["RefreshToken"]})
        )
        .is_err()
    );
    // Re-creating the same username does not revive the old tokens.
    s.user("kai", &[]);
    assert!(op(&s.emu, "GetUser", json!({"AccessToken": t["AccessToken"]})).is_err());
}

#[test]
fn attributes_update_verify_and_delete() {
    // A custom attribute must be in the pool's schema (AWS refuses an undeclared one).
    let s = crate::common::setup_with(
        cognito_emulator::PoolConfig {
            extra: json!({"Schema": [{"Name": "team", "AttributeDataType": "String"}]})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            ..Default::default()
        },
        Default::default(),
    );
    s.user("lou", &[("email", "lou@example.com")]);
    let t = s.tokens("lou");
    let at = t["AccessToken"].clone();
    let r = ok(
        &s.emu,
        "UpdateUserAttributes",
        json!({"AccessToken": at,
        "UserAttributes": [{"Name": "email", "Value": "new@example.com"}, {"Name": "custom:team", "Value": "red"}]}),
    );
    assert_eq!(r["CodeDeliveryDetailsList"][0]["AttributeName"], "email");
    let me = ok(&s.emu, "GetUser", json!({"AccessToken": at}));
    let attrs = me["UserAttributes"].as_array().unwrap();
    assert!(attrs.contains(&json!({"Name": "email_verified", "Value": "false"})));
    assert!(attrs.contains(&json!({"Name": "custom:team", "Value": "red"})));
    let code = s
        .emu
        .last_code("lou", cognito_emulator::MessageKind::VerifyAttribute)
        .unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (ty, _) = err(
        &s.emu,
        "VerifyUserAttribute",
        json!({"AccessToken": at, "AttributeName": "email", "Code": wrong}),
    );
    assert_eq!(ty, "CodeMismatchException");
    ok(
        &s.emu,
        "VerifyUserAttribute",
        json!({"AccessToken": at, "AttributeName": "email", "Code": code}),
    );
    ok(
        &s.emu,
        "DeleteUserAttributes",
        json!({"AccessToken": at, "UserAttributeNames": ["custom:team"]}),
    );
    let me = ok(&s.emu, "GetUser", json!({"AccessToken": at}));
    let attrs = me["UserAttributes"].as_array().unwrap();
    assert!(attrs.contains(&json!({"Name": "email_verified", "Value": "true"})));
    assert!(!attrs.iter().any(|a| a["Name"] == "custom:team"));
    let (ty, _) = err(
        &s.emu,
        "UpdateUserAttributes",
        json!({"AccessToken": at,
        "UserAttributes": [{"Name": "sub", "Value": "x"}]}),
    );
    assert_eq!(ty, "InvalidParameterException");
    // The next ID token shows the change.
    let r = ok(
        &s.emu,
        "GetTokensFromRefreshToken",
        json!({"ClientId": s.client_id, "RefreshToken": t["RefreshToken"]}),
    );
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert_eq!(id["email"], "new@example.com");
}
