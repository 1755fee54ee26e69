//! Sign-up, confirmation codes, USER_PASSWORD_AUTH, SRP and the checks around them.

use crate::common;

use cognito_emulator::{ClientConfig, MessageKind, PoolConfig};
use cognito_proto::srp;
use common::*;
use serde_json::{Value, json};

fn sign_up(s: &Setup, name: &str, email: &str) -> Value {
    let mut body = json!({"ClientId": s.client_id, "Username": name, "Password": PASSWORD,
                          "UserAttributes": [{"Name": "email", "Value": email}]});
    if let Some(h) = s.hash(name) {
        body["SecretHash"] = json!(h);
    }
    ok(&s.emu, "SignUp", body)
}

fn confirm(s: &Setup, name: &str, code: &str) -> Result<Value, (String, String)> {
    let mut body = json!({"ClientId": s.client_id, "Username": name, "ConfirmationCode": code});
    if let Some(h) = s.hash(name) {
        body["SecretHash"] = json!(h);
    }
    op(&s.emu, "ConfirmSignUp", body)
}

#[test]
fn sign_up_confirm_and_password_sign_in() {
    let s = setup();
    let r = sign_up(&s, "bob", "bob@example.com");
    assert_eq!(r["UserConfirmed"], false);
    assert_eq!(r["CodeDeliveryDetails"]["Destination"], "b***@e***");
    assert_eq!(r["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let sub = r["UserSub"].as_str().unwrap().to_string();
    let code = s.emu.last_code("bob", MessageKind::SignUp).unwrap();
    confirm(&s, "bob", &code).unwrap();
    let t = s.tokens("bob");
    assert_eq!(t["TokenType"], "Bearer");
    assert_eq!(t["ExpiresIn"], 3600);
    let id = claims(t["IdToken"].as_str().unwrap());
    assert_eq!(id["sub"], sub.as_str());
    assert_eq!(id["email_verified"], true);
    let me = ok(&s.emu, "GetUser", json!({"AccessToken": t["AccessToken"]}));
    assert_eq!(me["Username"], "bob");
    let attrs = me["UserAttributes"].as_array().unwrap();
    assert!(attrs.contains(&json!({"Name": "email_verified", "Value": "true"})));
    assert!(attrs.contains(&json!({"Name": "sub", "Value": sub})));
    assert!(me.get("UserMFASettingList").is_none());
}

#[test]
fn unconfirmed_user_is_reported_before_the_password_check() {
    let s = setup();
    sign_up(&s, "carol", "c@example.com");
    let (t, _) = s.password_auth("carol", "wrong-password").unwrap_err();
    assert_eq!(t, "UserNotConfirmedException");
}

#[test]
fn wrong_confirmation_code_is_code_mismatch() {
    let s = setup();
    sign_up(&s, "dave", "d@example.com");
    let code = s.emu.last_code("dave", MessageKind::SignUp).unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(
        confirm(&s, "dave", wrong).unwrap_err().0,
        "CodeMismatchException"
    );
    confirm(&s, "dave", &code).unwrap();
    let (t, m) = confirm(&s, "dave", &code).unwrap_err();
    assert_eq!(t, "NotAuthorizedException");
    assert_eq!(m, "User cannot be confirmed. Current status is CONFIRMED");
}

#[test]
fn expired_confirmation_code_is_expired_code() {
    let s = setup();
    sign_up(&s, "erin", "e@example.com");
    let code = s.emu.last_code("erin", MessageKind::SignUp).unwrap();
    s.emu.advance_clock(24 * 3600 + 1);
    assert_eq!(
        confirm(&s, "erin", &code).unwrap_err().0,
        "ExpiredCodeException"
    );
}

#[test]
fn resend_invalidates_the_previous_code() {
    let s = setup();
    sign_up(&s, "fred", "f@example.com");
    let first = s.emu.last_code("fred", MessageKind::SignUp).unwrap();
    let r = ok(
        &s.emu,
        "ResendConfirmationCode",
        json!({"ClientId": s.client_id, "Username": "fred"}),
    );
    assert_eq!(r["CodeDeliveryDetails"]["AttributeName"], "email");
    let second = s.emu.last_code("fred", MessageKind::SignUp).unwrap();
    if first != second {
        let (t, _) = confirm(&s, "fred", &first).unwrap_err();
        assert_eq!(t, "CodeMismatchException");
    }
    confirm(&s, "fred", &second).unwrap();
}

#[test]
fn code_attempts_are_limited() {
    let s = setup();
    sign_up(&s, "gina", "g@example.com");
    let code = s.emu.last_code("gina", MessageKind::SignUp).unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert_eq!(
            confirm(&s, "gina", wrong).unwrap_err().0,
            "CodeMismatchException"
        );
    }
    assert_eq!(
        confirm(&s, "gina", &code).unwrap_err().0,
        "LimitExceededException"
    );
}

#[test]
fn sign_up_of_existing_user_and_weak_password() {
    let s = setup();
    sign_up(&s, "hank", "h@example.com");
    let (t, m) = err(
        &s.emu,
        "SignUp",
        json!({"ClientId": s.client_id, "Username": "hank", "Password": PASSWORD}),
    );
    assert_eq!(t, "UsernameExistsException");
    assert_eq!(m, "User already exists");
    // AdminCreateUser refuses the same name with other words (as the AWS CLI shows them).
    let (t, m) = err(
        &s.emu,
        "AdminCreateUser",
        json!({"UserPoolId": s.pool_id, "Username": "hank", "MessageAction": "SUPPRESS"}),
    );
    assert_eq!(t, "UsernameExistsException");
    assert_eq!(m, "User account already exists");
    let (t, m) = err(
        &s.emu,
        "SignUp",
        json!({"ClientId": s.client_id, "Username": "ivy", "Password": "short"}),
    );
    assert_eq!(t, "InvalidPasswordException");
    assert_eq!(
        m,
        "Password did not conform with policy: Password not long enough"
    );
    let (t, _) = err(
        &s.emu,
        "SignUp",
        json!({"ClientId": s.client_id, "Username": "ivy", "Password": "alllowercase1!"}),
    );
    assert_eq!(t, "InvalidPasswordException");
}

#[test]
fn wrong_or_missing_secret_hash_is_refused() {
    let s = setup_with(
        PoolConfig::default(),
        ClientConfig {
            generate_secret: true,
            ..ClientConfig::default()
        },
    );
    s.user("jack", &[]);
    let (t, m) = err(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": s.client_id,
               "AuthParameters": {"USERNAME": "jack", "PASSWORD": PASSWORD}}),
    );
    assert_eq!(t, "NotAuthorizedException");
    assert_eq!(
        m,
        format!(
            "Client {} is configured for secret but secret was not received",
            s.client_id
        )
    );
    let wrong = srp::secret_hash("someone-else", &s.client_id, s.secret.as_ref().unwrap());
    let (t, m) = err(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": s.client_id,
               "AuthParameters": {"USERNAME": "jack", "PASSWORD": PASSWORD, "SECRET_HASH": wrong}}),
    );
    assert_eq!(t, "NotAuthorizedException");
    assert_eq!(
        m,
        format!("Unable to verify secret hash for client {}", s.client_id)
    );
    assert!(s.password_auth("jack", PASSWORD).is_ok());
    let (t, _) = err(
        &s.emu,
        "SignUp",
        json!({"ClientId": s.client_id, "Username": "kim", "Password": PASSWORD}),
    );
    assert_eq!(t, "NotAuthorizedException");
}

#[test]
fn prevent_user_existence_errors_legacy_and_enabled() {
    let legacy = setup();
    assert_eq!(
        legacy.password_auth("ghost", PASSWORD).unwrap_err().0,
        "UserNotFoundException"
    );
    let (t, m) = err(
        &legacy.emu,
        "ForgotPassword",
        json!({"ClientId": legacy.client_id, "Username": "ghost"}),
    );
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "UserNotFoundException",
            "Username/client id combination not found."
        )
    );

    let enabled = setup_with(
        PoolConfig::default(),
        ClientConfig {
            prevent_user_existence_errors: true,
            ..ClientConfig::default()
        },
    );
    let (t, m) = enabled.password_auth("ghost", PASSWORD).unwrap_err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    let r = ok(
        &enabled.emu,
        "ForgotPassword",
        json!({"ClientId": enabled.client_id, "Username": "ghost"}),
    );
    assert!(r["CodeDeliveryDetails"]["Destination"].is_string());
    // SRP: a plausible challenge that fails at the verifier step.
    let (eph, ch) = enabled.srp_start("ghost", json!({}));
    assert_eq!(ch["ChallengeName"], "PASSWORD_VERIFIER");
    let ts = srp::format_timestamp(enabled.emu.now());
    let resp = enabled.srp_claim(&eph, &ch, PASSWORD, &ts);
    let (t, _) = enabled
        .respond("PASSWORD_VERIFIER", &ch["Session"], resp)
        .unwrap_err();
    assert_eq!(t, "NotAuthorizedException");
}

#[test]
fn wrong_password_and_lockout() {
    let s = setup();
    s.user("lena", &[]);
    let (t, m) = s.password_auth("lena", "Wrong0ne!").unwrap_err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    for _ in 0..4 {
        let _ = s.password_auth("lena", "Wrong0ne!");
    }
    let (t, m) = s.password_auth("lena", PASSWORD).unwrap_err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("NotAuthorizedException", "Password attempts exceeded")
    );
    s.emu.advance_clock(3600);
    assert!(s.password_auth("lena", PASSWORD).is_ok());
}

#[test]
fn flow_not_enabled_for_client() {
    let s = setup_with(
        PoolConfig::default(),
        ClientConfig {
            explicit_auth_flows: vec![
                "ALLOW_USER_SRP_AUTH".into(),
                "ALLOW_REFRESH_TOKEN_AUTH".into(),
            ],
            ..ClientConfig::default()
        },
    );
    s.user("mia", &[]);
    let (t, m) = s.password_auth("mia", PASSWORD).unwrap_err();
    assert_eq!(t, "InvalidParameterException");
    assert_eq!(m, "USER_PASSWORD_AUTH flow not enabled for this client");
}

#[test]
fn disabled_user_cannot_sign_in() {
    let s = setup();
    s.user("ned", &[]);
    ok(
        &s.emu,
        "AdminDisableUser",
        json!({"UserPoolId": s.pool_id, "Username": "ned"}),
    );
    let (t, m) = s.password_auth("ned", PASSWORD).unwrap_err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("NotAuthorizedException", "User is disabled.")
    );
}

#[test]
fn srp_sign_in_succeeds_and_salt_is_stable() {
    let s = setup();
    s.user("olga", &[]);
    let r = s.srp_sign_in("olga", PASSWORD, json!({})).unwrap();
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
    assert!(r.get("Session").is_none());
    let (_, a) = s.srp_start("olga", json!({}));
    let (_, b) = s.srp_start("olga", json!({}));
    assert_eq!(
        a["ChallengeParameters"]["SALT"],
        b["ChallengeParameters"]["SALT"]
    );
    assert_ne!(
        a["ChallengeParameters"]["SRP_B"],
        b["ChallengeParameters"]["SRP_B"]
    );
    assert_ne!(
        a["ChallengeParameters"]["SECRET_BLOCK"],
        b["ChallengeParameters"]["SECRET_BLOCK"]
    );
}

#[test]
fn srp_sign_ins_verify_with_a_new_and_a_cached_verifier_table() {
    // The emulator builds a verifier's fixed-base table on its first handshake and reuses it
    // from the cache afterwards: every handshake must accept the right password and refuse a
    // wrong one, and a changed password must not reuse the old verifier's table.
    let s = setup();
    s.user("tess", &[]);
    for round in 0..4 {
        let r = s.srp_sign_in("tess", PASSWORD, json!({})).unwrap();
        assert!(
            r["AuthenticationResult"]["AccessToken"].is_string(),
            "round {round}"
        );
        let (t, _) = s.srp_sign_in("tess", "Wrong0ne!", json!({})).unwrap_err();
        assert_eq!(t, "NotAuthorizedException", "round {round}");
    }
    let new_password = "Another-Passw0rd!";
    s.emu
        .call(
            "AdminSetUserPassword",
            json!({"UserPoolId": s.pool_id, "Username": "tess", "Password": new_password,
                   "Permanent": true}),
        )
        .unwrap();
    for round in 0..3 {
        let (t, _) = s.srp_sign_in("tess", PASSWORD, json!({})).unwrap_err();
        assert_eq!(t, "NotAuthorizedException", "old password, round {round}");
        let r = s.srp_sign_in("tess", new_password, json!({})).unwrap();
        assert!(r["AuthenticationResult"]["AccessToken"].is_string());
    }
}

#[test]
fn srp_wrong_password_gives_incorrect_credentials() {
    let s = setup();
    s.user("pam", &[]);
    let (t, m) = s.srp_sign_in("pam", "Wrong0ne!", json!({})).unwrap_err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
}

#[test]
fn srp_tampered_signature_is_refused() {
    let s = setup();
    s.user("quin", &[]);
    let (eph, ch) = s.srp_start("quin", json!({}));
    let ts = srp::format_timestamp(s.emu.now());
    let mut resp = s.srp_claim(&eph, &ch, PASSWORD, &ts);
    let sig = resp["PASSWORD_CLAIM_SIGNATURE"]
        .as_str()
        .unwrap()
        .to_string();
    let flipped = match sig.strip_prefix('A') {
        Some(rest) => format!("B{rest}"),
        None => format!("A{}", &sig[1..]),
    };
    resp["PASSWORD_CLAIM_SIGNATURE"] = json!(flipped);
    let (t, _) = s
        .respond("PASSWORD_VERIFIER", &ch["Session"], resp)
        .unwrap_err();
    assert_eq!(t, "NotAuthorizedException");
}

/// 2026-09-05 is a Saturday; unix 1788599000 is 2026-09-05 09:03:20 UTC.
fn fixed_claim(s: &Setup, ts: &str) -> Result<Value, (String, String)> {
    let (eph, ch) = s.srp_start("rita", json!({}));
    let resp = s.srp_claim(&eph, &ch, PASSWORD, ts);
    s.respond("PASSWORD_VERIFIER", &ch["Session"], resp)
}

#[test]
fn pitfall_9_zero_padded_day_is_refused() {
    let s = setup();
    s.user("rita", &[]);
    // Move the clock to a day of the month with one digit, so padding changes the text.
    while srp::format_timestamp(s.emu.now())
        .split(' ')
        .nth(2)
        .unwrap()
        .len()
        != 1
    {
        s.emu.advance_clock(86400);
    }
    let good = srp::format_timestamp(s.emu.now());
    let parts: Vec<&str> = good.split(' ').collect();
    let padded = format!(
        "{} {} 0{} {} {} {}",
        parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]
    );
    let (t, m) = fixed_claim(&s, &padded).unwrap_err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    // A padded day is never accepted by the strict parser, whatever today is.
    assert!(srp::parse_timestamp("Sat Sep 05 09:03:20 UTC 2026").is_none());
    let (t, _) = fixed_claim(&s, "Sat Sep 05 09:03:20 UTC 2026").unwrap_err();
    assert_eq!(t, "NotAuthorizedException");
    assert!(fixed_claim(&s, &good).is_ok());
}

#[test]
fn wrong_weekday_is_refused() {
    let s = setup();
    s.user("rita", &[]);
    let good = srp::format_timestamp(s.emu.now());
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    let wd = &good[..3];
    let other = days.iter().find(|d| **d != wd).unwrap();
    let bad = format!("{other}{}", &good[3..]);
    let (t, _) = fixed_claim(&s, &bad).unwrap_err();
    assert_eq!(t, "NotAuthorizedException");
}

#[test]
fn unparseable_timestamp_is_invalid_parameter() {
    let s = setup();
    s.user("rita", &[]);
    let (t, m) = fixed_claim(&s, "2026-09-05T09:03:20Z").unwrap_err();
    assert_eq!(t, "InvalidParameterException");
    assert_eq!(
        m,
        "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english."
    );
}

#[test]
fn stale_timestamp_is_refused() {
    let s = setup();
    s.user("rita", &[]);
    let stale = srp::format_timestamp(s.emu.now() - 3600);
    let (t, _) = fixed_claim(&s, &stale).unwrap_err();
    assert_eq!(t, "NotAuthorizedException");
}

#[test]
fn reused_session_is_refused() {
    let s = setup();
    s.user("sam", &[]);
    let (eph, ch) = s.srp_start("sam", json!({}));
    let ts = srp::format_timestamp(s.emu.now());
    let resp = s.srp_claim(&eph, &ch, PASSWORD, &ts);
    assert!(
        s.respond("PASSWORD_VERIFIER", &ch["Session"], resp.clone())
            .is_ok()
    );
    let (t, _) = s
        .respond("PASSWORD_VERIFIER", &ch["Session"], resp)
        .unwrap_err();
    assert_eq!(t, "NotAuthorizedException");
}

#[test]
fn expired_session_is_refused() {
    let s = setup();
    s.user("tia", &[]);
    let (eph, ch) = s.srp_start("tia", json!({}));
    s.emu.advance_clock(181);
    let ts = srp::format_timestamp(s.emu.now());
    let resp = s.srp_claim(&eph, &ch, PASSWORD, &ts);
    let (t, m) = s
        .respond("PASSWORD_VERIFIER", &ch["Session"], resp)
        .unwrap_err();
    assert_eq!(t, "NotAuthorizedException");
    assert_eq!(m, "Invalid session for the user, session is expired.");
}

#[test]
fn password_verifier_without_session_is_found_by_secret_block() {
    let s = setup();
    s.user("uma", &[]);
    let (eph, ch) = s.srp_start("uma", json!({}));
    let ts = srp::format_timestamp(s.emu.now());
    let resp = s.srp_claim(&eph, &ch, PASSWORD, &ts);
    let r = s
        .respond("PASSWORD_VERIFIER", &Value::Null, resp.clone())
        .unwrap();
    assert!(r["AuthenticationResult"].is_object());
    // ...and it is single-use too.
    assert!(s.respond("PASSWORD_VERIFIER", &Value::Null, resp).is_err());
}

#[test]
fn wrong_secret_block_is_refused() {
    let s = setup();
    s.user("val", &[]);
    let (eph, ch) = s.srp_start("val", json!({}));
    let ts = srp::format_timestamp(s.emu.now());
    let mut resp = s.srp_claim(&eph, &ch, PASSWORD, &ts);
    resp["PASSWORD_CLAIM_SECRET_BLOCK"] = json!("AAAA");
    let (t, _) = s
        .respond("PASSWORD_VERIFIER", &ch["Session"], resp)
        .unwrap_err();
    assert_eq!(t, "NotAuthorizedException");
}

#[test]
fn bad_srp_a_is_invalid_parameter() {
    let s = setup();
    s.user("walt", &[]);
    let n_hex = srp::to_hex(srp::modulus());
    let too_long = "f".repeat(2000);
    for a in ["xyz", "", too_long.as_str(), "0", n_hex.as_str()] {
        let (t, _) = err(
            &s.emu,
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": s.client_id,
                   "AuthParameters": {"USERNAME": "walt", "SRP_A": a}}),
        )
        .clone();
        assert_eq!(t, "InvalidParameterException", "SRP_A = {a:.20}");
    }
}

#[test]
fn pitfall_7_user_id_for_srp_is_the_internal_username() {
    let s = setup_with(
        PoolConfig {
            username_attributes: vec!["email".into()],
            ..PoolConfig::default()
        },
        ClientConfig {
            generate_secret: true,
            ..ClientConfig::default()
        },
    );
    let sub = s
        .emu
        .create_user(&s.pool_id, "xena@example.com", PASSWORD, &[])
        .unwrap();
    let (eph, ch) = s.srp_start("xena@example.com", json!({}));
    assert_eq!(ch["ChallengeParameters"]["USER_ID_FOR_SRP"], sub.as_str());
    assert_eq!(ch["ChallengeParameters"]["USERNAME"], sub.as_str());
    // Signing with the typed alias instead of USER_ID_FOR_SRP fails.
    let p = &ch["ChallengeParameters"];
    let server = srp::ServerChallenge::parse(
        p["SALT"].as_str().unwrap(),
        p["SRP_B"].as_str().unwrap(),
        p["SECRET_BLOCK"].as_str().unwrap(),
    )
    .unwrap();
    let ts = srp::format_timestamp(s.emu.now());
    let wrong =
        srp::password_claim_at(&eph, &s.pool_id, "xena@example.com", PASSWORD, &server, &ts)
            .unwrap();
    let resp = json!({"USERNAME": sub, "PASSWORD_CLAIM_SECRET_BLOCK": wrong.secret_block,
                      "PASSWORD_CLAIM_SIGNATURE": wrong.signature, "TIMESTAMP": ts,
                      "SECRET_HASH": s.hash(&sub).unwrap()});
    assert_eq!(
        s.respond("PASSWORD_VERIFIER", &ch["Session"], resp)
            .unwrap_err()
            .0,
        "NotAuthorizedException"
    );
    // The right identity works.
    let r = s
        .srp_sign_in("xena@example.com", PASSWORD, json!({}))
        .unwrap();
    let access = claims(r["AuthenticationResult"]["AccessToken"].as_str().unwrap());
    assert_eq!(access["username"], sub.as_str());
}

#[test]
fn pitfall_25_secret_hash_uses_the_internal_username_after_srp() {
    let s = setup_with(
        PoolConfig {
            username_attributes: vec!["email".into()],
            ..PoolConfig::default()
        },
        ClientConfig {
            generate_secret: true,
            ..ClientConfig::default()
        },
    );
    let sub = s
        .emu
        .create_user(&s.pool_id, "yan@example.com", PASSWORD, &[])
        .unwrap();
    let (eph, ch) = s.srp_start("yan@example.com", json!({}));
    let ts = srp::format_timestamp(s.emu.now());
    let mut resp = s.srp_claim(&eph, &ch, PASSWORD, &ts);
    resp["SECRET_HASH"] = json!(s.hash("yan@example.com").unwrap());
    let (t, m) = s
        .respond("PASSWORD_VERIFIER", &ch["Session"], resp)
        .unwrap_err();
    assert_eq!(t, "NotAuthorizedException");
    assert!(m.starts_with("Unable to verify secret hash"), "{m}");
    // Refresh: SECRET_HASH over the token's username (the sub here).
    let t = s
        .srp_sign_in("yan@example.com", PASSWORD, json!({}))
        .unwrap();
    let rt = t["AuthenticationResult"]["RefreshToken"].clone();
    let bad = op(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": s.client_id,
        "AuthParameters": {"REFRESH_TOKEN": rt, "SECRET_HASH": s.hash("yan@example.com").unwrap()}}),
    );
    assert_eq!(bad.unwrap_err().0, "NotAuthorizedException");
    let good = op(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": s.client_id,
        "AuthParameters": {"REFRESH_TOKEN": rt, "SECRET_HASH": s.hash(&sub).unwrap()}}),
    );
    assert!(good.is_ok());
}

#[test]
fn email_alias_signs_in_only_when_verified() {
    let s = setup_with(
        PoolConfig {
            alias_attributes: vec!["email".into()],
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    );
    s.user("zed", &[("email", "zed@example.com")]);
    assert!(s.password_auth("zed@example.com", PASSWORD).is_ok());
    ok(
        &s.emu,
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": s.pool_id, "Username": "zed",
        "UserAttributes": [{"Name": "email_verified", "Value": "false"}]}),
    );
    assert_eq!(
        s.password_auth("zed@example.com", PASSWORD).unwrap_err().0,
        "UserNotFoundException"
    );
}

#[test]
fn session_is_bound_to_client_and_challenge_name() {
    let s = setup();
    s.user("bound", &[]);
    let other = s
        .emu
        .create_client(&s.pool_id, ClientConfig::default())
        .unwrap();
    let (eph, ch) = s.srp_start("bound", json!({}));
    let ts = srp::format_timestamp(s.emu.now());
    let resp = s.srp_claim(&eph, &ch, PASSWORD, &ts);
    let (t, m) = err(
        &s.emu,
        "RespondToAuthChallenge",
        json!({"ClientId": other.client_id,
        "ChallengeName": "PASSWORD_VERIFIER", "Session": ch["Session"], "ChallengeResponses": resp}),
    );
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("NotAuthorizedException", "Invalid session for the user.")
    );
    let (eph, ch) = s.srp_start("bound", json!({}));
    let resp = s.srp_claim(&eph, &ch, PASSWORD, &ts);
    let (t, _) = s.respond("SMS_MFA", &ch["Session"], resp).unwrap_err();
    assert_eq!(t, "NotAuthorizedException");
    let (t, _) = s
        .respond(
            "NOT_A_CHALLENGE",
            &ch["Session"],
            json!({"USERNAME": "bound"}),
        )
        .unwrap_err();
    assert_eq!(t, "InvalidParameterException");
}

/// Only a case-insensitive pool folds the case of its aliases: AWS documents that
/// `CaseSensitive: false` "also enables both preferred_username and email alias to be case
/// insensitive" (API reference, UsernameConfigurationType), and before that option existed
/// an e-mail alias typed in other letters found no user
/// (amazon-archives/amazon-cognito-identity-js#524, aws-amplify/amplify-js#3949).
#[test]
fn aliases_ignore_case_only_in_case_insensitive_pools() {
    for (sensitive, found) in [(true, false), (false, true)] {
        let mut extra = serde_json::Map::new();
        extra.insert(
            "UsernameConfiguration".into(),
            json!({"CaseSensitive": sensitive}),
        );
        let s = setup_with(
            PoolConfig {
                alias_attributes: vec!["email".into(), "preferred_username".into()],
                extra,
                ..PoolConfig::default()
            },
            ClientConfig::default(),
        );
        s.user(
            "ann",
            &[
                ("email", "Ann@Example.com"),
                ("preferred_username", "Annie"),
            ],
        );
        assert!(s.password_auth("Ann@Example.com", PASSWORD).is_ok());
        assert!(s.password_auth("Annie", PASSWORD).is_ok());
        for other in ["ann@example.com", "annie"] {
            let got = s.password_auth(other, PASSWORD);
            assert_eq!(got.is_ok(), found, "CaseSensitive {sensitive}, {other}");
            if !found {
                assert_eq!(got.unwrap_err().0, "UserNotFoundException", "{other}");
            }
        }
    }
}
