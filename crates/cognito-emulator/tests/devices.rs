//! Remembered devices: tracking, ConfirmDevice, device SRP, MFA bypass, list/get/status/forget.

use crate::common;

use cognito_emulator::{ClientConfig, MessageKind, MfaConfiguration, PoolConfig};
use cognito_proto::srp;
use common::*;
use serde_json::{Value, json};

fn tracked(challenge_on_new: bool, only_on_prompt: bool, mfa: MfaConfiguration) -> Setup {
    setup_with(
        PoolConfig {
            device_tracking: Some((challenge_on_new, only_on_prompt)),
            mfa,
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    )
}

struct Remembered {
    key: String,
    group: String,
    password: String,
}

/// Signs in, confirms the new device, and returns its secrets.
fn remember(s: &Setup, user: &str, result: &Value) -> (Remembered, Value) {
    let meta = &result["NewDeviceMetadata"];
    let key = meta["DeviceKey"]
        .as_str()
        .expect("NewDeviceMetadata")
        .to_string();
    let group = meta["DeviceGroupKey"].as_str().unwrap().to_string();
    assert!(group.starts_with('-') && group.len() == 9, "{group}");
    let reg = srp::register_device(&mut rand::rng(), &group, &key);
    let r = ok(
        &s.emu,
        "ConfirmDevice",
        json!({
        "AccessToken": result["AccessToken"], "DeviceKey": key, "DeviceName": "test-device",
        "DeviceSecretVerifierConfig": {"PasswordVerifier": reg.verifier_b64, "Salt": reg.salt_b64}}),
    );
    let _ = user;
    (
        Remembered {
            key,
            group,
            password: reg.device_password.expose_secret().clone(),
        },
        r,
    )
}

/// Answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER with `password`.
fn device_srp(
    s: &Setup,
    user: &str,
    dev: &Remembered,
    ch: &Value,
    password: &str,
) -> Result<Value, (String, String)> {
    assert_eq!(ch["ChallengeName"], "DEVICE_SRP_AUTH");
    let eph = srp::Ephemeral::generate(&mut rand::rng());
    let r = s.respond(
        "DEVICE_SRP_AUTH",
        &ch["Session"],
        json!({"USERNAME": user, "DEVICE_KEY": dev.key, "SRP_A": eph.public_hex()}),
    )?;
    assert_eq!(r["ChallengeName"], "DEVICE_PASSWORD_VERIFIER");
    let p = &r["ChallengeParameters"];
    let server = srp::ServerChallenge::parse(
        p["SALT"].as_str().unwrap(),
        p["SRP_B"].as_str().unwrap(),
        p["SECRET_BLOCK"].as_str().unwrap(),
    )
    .unwrap();
    let claim =
        srp::device_claim(&eph, &dev.group, &dev.key, password, &server, s.emu.now()).unwrap();
    s.respond(
        "DEVICE_PASSWORD_VERIFIER",
        &r["Session"],
        json!({
        "USERNAME": user, "DEVICE_KEY": dev.key,
        "PASSWORD_CLAIM_SECRET_BLOCK": claim.secret_block,
        "PASSWORD_CLAIM_SIGNATURE": claim.signature, "TIMESTAMP": claim.timestamp}),
    )
}

fn password_auth_with_device(s: &Setup, user: &str, key: &str) -> Result<Value, (String, String)> {
    op(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": s.client_id,
        "AuthParameters": {"USERNAME": user, "PASSWORD": PASSWORD, "DEVICE_KEY": key}}),
    )
}

#[test]
fn pitfall_14_device_srp_sign_in_with_confirmed_device() {
    let s = tracked(true, false, MfaConfiguration::Off);
    s.user("alice", &[]);
    let first = s.tokens("alice");
    let (dev, confirm) = remember(&s, "alice", &first);
    assert_eq!(confirm["UserConfirmationNecessary"], false);
    let ch = password_auth_with_device(&s, "alice", &dev.key).unwrap();
    let r = device_srp(&s, "alice", &dev, &ch, &dev.password).unwrap();
    let a = &r["AuthenticationResult"];
    assert!(a.get("NewDeviceMetadata").is_none());
    assert_eq!(
        claims(a["AccessToken"].as_str().unwrap())["device_key"],
        dev.key.as_str()
    );
    // SRP user sign-in with DEVICE_KEY leads to the same device step.
    let r = s
        .srp_sign_in("alice", PASSWORD, json!({"DEVICE_KEY": dev.key}))
        .unwrap();
    assert!(device_srp(&s, "alice", &dev, &r, &dev.password).is_ok());
}

#[test]
fn wrong_device_password_is_refused() {
    let s = tracked(true, false, MfaConfiguration::Off);
    s.user("bob", &[]);
    let (dev, _) = remember(&s, "bob", &s.tokens("bob"));
    let ch = password_auth_with_device(&s, "bob", &dev.key).unwrap();
    let (t, _) = device_srp(&s, "bob", &dev, &ch, "d2Vyb25nIHBhc3N3b3Jk").unwrap_err();
    assert_eq!(t, "NotAuthorizedException");
}

#[test]
fn remembered_device_replaces_sms_mfa() {
    let s = tracked(false, false, MfaConfiguration::Optional);
    s.user("cleo", &[("phone_number", "+15550001111")]);
    ok(
        &s.emu,
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": s.pool_id, "Username": "cleo",
        "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    let ch = s.password_auth("cleo", PASSWORD).unwrap();
    assert_eq!(ch["ChallengeName"], "SMS_MFA");
    let code = s.emu.last_code("cleo", MessageKind::Mfa).unwrap();
    let r = s
        .respond(
            "SMS_MFA",
            &ch["Session"],
            json!({"USERNAME": "cleo", "SMS_MFA_CODE": code}),
        )
        .unwrap();
    let (dev, _) = remember(&s, "cleo", &r["AuthenticationResult"]);
    let ch = password_auth_with_device(&s, "cleo", &dev.key).unwrap();
    assert_eq!(ch["ChallengeName"], "DEVICE_SRP_AUTH");
    let r = device_srp(&s, "cleo", &dev, &ch, &dev.password).unwrap();
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
}

#[test]
fn not_remembered_device_does_not_bypass_mfa_until_remembered() {
    let s = tracked(false, true, MfaConfiguration::Optional);
    s.user("dina", &[("phone_number", "+15550002222")]);
    ok(
        &s.emu,
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": s.pool_id, "Username": "dina",
        "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    let ch = s.password_auth("dina", PASSWORD).unwrap();
    let code = s.emu.last_code("dina", MessageKind::Mfa).unwrap();
    let r = s
        .respond(
            "SMS_MFA",
            &ch["Session"],
            json!({"USERNAME": "dina", "SMS_MFA_CODE": code}),
        )
        .unwrap();
    let at = r["AuthenticationResult"]["AccessToken"].clone();
    let (dev, confirm) = remember(&s, "dina", &r["AuthenticationResult"]);
    assert_eq!(confirm["UserConfirmationNecessary"], true);
    let ch = password_auth_with_device(&s, "dina", &dev.key).unwrap();
    assert_eq!(ch["ChallengeName"], "SMS_MFA");
    ok(
        &s.emu,
        "UpdateDeviceStatus",
        json!({"AccessToken": at, "DeviceKey": dev.key,
        "DeviceRememberedStatus": "remembered"}),
    );
    let ch = password_auth_with_device(&s, "dina", &dev.key).unwrap();
    assert_eq!(ch["ChallengeName"], "DEVICE_SRP_AUTH");
}

#[test]
fn list_get_forget_devices() {
    let s = tracked(true, false, MfaConfiguration::Off);
    s.user("eli", &[]);
    let t = s.tokens("eli");
    let (dev, _) = remember(&s, "eli", &t);
    let at = t["AccessToken"].clone();
    let list = ok(
        &s.emu,
        "ListDevices",
        json!({"AccessToken": at, "Limit": 10}),
    );
    let devices = list["Devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0]["DeviceKey"], dev.key.as_str());
    assert!(devices[0]["DeviceCreateDate"].is_number());
    let attrs = devices[0]["DeviceAttributes"].as_array().unwrap();
    assert!(attrs.contains(&json!({"Name": "device_name", "Value": "test-device"})));
    assert!(
        attrs.contains(&json!({"Name": "dev:device_remembered_status", "Value": "remembered"}))
    );
    let got = ok(
        &s.emu,
        "GetDevice",
        json!({"AccessToken": at, "DeviceKey": dev.key}),
    );
    assert_eq!(got["Device"]["DeviceKey"], dev.key.as_str());
    // Confirming the same key twice.
    let reg = srp::register_device(&mut rand::rng(), &dev.group, &dev.key);
    let (t2, _) = err(
        &s.emu,
        "ConfirmDevice",
        json!({"AccessToken": at, "DeviceKey": dev.key,
        "DeviceSecretVerifierConfig": {"PasswordVerifier": reg.verifier_b64, "Salt": reg.salt_b64}}),
    );
    assert_eq!(t2, "DeviceKeyExistsException");
    ok(
        &s.emu,
        "ForgetDevice",
        json!({"AccessToken": at, "DeviceKey": dev.key}),
    );
    let (t2, m) = err(
        &s.emu,
        "GetDevice",
        json!({"AccessToken": at, "DeviceKey": dev.key}),
    );
    assert_eq!(
        (t2.as_str(), m.as_str()),
        ("ResourceNotFoundException", "Device does not exist.")
    );
    let (t2, m) = password_auth_with_device(&s, "eli", &dev.key).unwrap_err();
    assert_eq!(
        (t2.as_str(), m.as_str()),
        ("ResourceNotFoundException", "Device does not exist.")
    );
    // Bad device keys are validation errors.
    let (t2, _) = err(
        &s.emu,
        "GetDevice",
        json!({"AccessToken": at, "DeviceKey": "no-underscore"}),
    );
    assert_eq!(t2, "InvalidParameterException");
}

/// A device key handed out at sign-in is not a device until `ConfirmDevice`: the lists leave
/// it out and every operation that names it answers AWS's "Device does not exist." (what AWS
/// answers an SDK that remembers a device it never confirmed).
#[test]
fn an_unconfirmed_device_is_neither_listed_nor_found() {
    let s = tracked(true, false, MfaConfiguration::Off);
    s.user("una", &[]);
    let t = s.tokens("una");
    let key = t["NewDeviceMetadata"]["DeviceKey"].as_str().unwrap();
    let at = &t["AccessToken"];
    let admin = |extra: Value| {
        let mut b = json!({"UserPoolId": s.pool_id, "Username": "una", "DeviceKey": key});
        if let (Some(o), Value::Object(e)) = (b.as_object_mut(), extra) {
            o.extend(e);
        }
        b
    };
    let listed = ok(&s.emu, "ListDevices", json!({"AccessToken": at}));
    assert_eq!(listed["Devices"], json!([]));
    let listed = ok(
        &s.emu,
        "AdminListDevices",
        json!({"UserPoolId": s.pool_id, "Username": "una"}),
    );
    assert_eq!(listed["Devices"], json!([]));
    let status = json!({"DeviceRememberedStatus": "remembered"});
    for (name, body) in [
        ("GetDevice", json!({"AccessToken": at, "DeviceKey": key})),
        (
            "UpdateDeviceStatus",
            json!({"AccessToken": at, "DeviceKey": key, "DeviceRememberedStatus": "remembered"}),
        ),
        ("ForgetDevice", json!({"AccessToken": at, "DeviceKey": key})),
        ("AdminGetDevice", admin(json!({}))),
        ("AdminUpdateDeviceStatus", admin(status.clone())),
        ("AdminForgetDevice", admin(json!({}))),
    ] {
        let (ty, m) = err(&s.emu, name, body);
        assert_eq!(
            (ty.as_str(), m.as_str()),
            ("ResourceNotFoundException", "Device does not exist."),
            "{name}"
        );
    }
    // The refusals left the key usable: it confirms, and is then listed and found.
    let group = t["NewDeviceMetadata"]["DeviceGroupKey"].as_str().unwrap();
    let reg = srp::register_device(&mut rand::rng(), group, key);
    ok(
        &s.emu,
        "ConfirmDevice",
        json!({"AccessToken": at, "DeviceKey": key,
               "DeviceSecretVerifierConfig": {"PasswordVerifier": reg.verifier_b64,
                                              "Salt": reg.salt_b64}}),
    );
    let listed = ok(&s.emu, "ListDevices", json!({"AccessToken": at}));
    assert_eq!(listed["Devices"][0]["DeviceKey"], key);
    ok(&s.emu, "AdminGetDevice", admin(json!({})));
}

/// `DeviceSecretVerifierConfig` is optional in the model: a device confirmed without one is
/// a device (listed and found), though it cannot sign in with DEVICE_SRP_AUTH.
#[test]
fn a_device_confirmed_without_a_verifier_is_listed() {
    let s = tracked(true, false, MfaConfiguration::Off);
    s.user("vic", &[]);
    let t = s.tokens("vic");
    let key = t["NewDeviceMetadata"]["DeviceKey"].as_str().unwrap();
    let at = &t["AccessToken"];
    ok(
        &s.emu,
        "ConfirmDevice",
        json!({"AccessToken": at, "DeviceKey": key, "DeviceName": "kiosk"}),
    );
    let listed = ok(&s.emu, "ListDevices", json!({"AccessToken": at}));
    assert_eq!(listed["Devices"][0]["DeviceKey"], key);
    ok(
        &s.emu,
        "GetDevice",
        json!({"AccessToken": at, "DeviceKey": key}),
    );
    let (ty, _) = err(
        &s.emu,
        "ConfirmDevice",
        json!({"AccessToken": at, "DeviceKey": key}),
    );
    assert_eq!(ty, "DeviceKeyExistsException");
}

#[test]
fn confirm_device_rejects_bad_base64() {
    let s = tracked(true, false, MfaConfiguration::Off);
    s.user("fin", &[]);
    let t = s.tokens("fin");
    let key = t["NewDeviceMetadata"]["DeviceKey"].clone();
    let (ty, _) = err(
        &s.emu,
        "ConfirmDevice",
        json!({"AccessToken": t["AccessToken"], "DeviceKey": key,
        "DeviceSecretVerifierConfig": {"PasswordVerifier": "***", "Salt": "AAAA"}}),
    );
    assert_eq!(ty, "InvalidParameterException");
}

#[test]
fn pitfall_17_refresh_with_another_device_key_is_refused() {
    let s = tracked(true, false, MfaConfiguration::Off);
    s.user("gil", &[]);
    let t = s.tokens("gil");
    let key = t["NewDeviceMetadata"]["DeviceKey"]
        .as_str()
        .unwrap()
        .to_string();
    let ok_r = op(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": s.client_id,
        "AuthParameters": {"REFRESH_TOKEN": t["RefreshToken"], "DEVICE_KEY": key}}),
    );
    assert!(ok_r.is_ok());
    let bad = op(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": s.client_id,
        "AuthParameters": {"REFRESH_TOKEN": t["RefreshToken"], "DEVICE_KEY": "us-east-1_00000000-0000-0000-0000-000000000000"}}),
    );
    assert_eq!(bad.unwrap_err().0, "NotAuthorizedException");
}

#[test]
fn pools_without_tracking_give_no_device_metadata() {
    let s = setup();
    s.user("hub", &[]);
    let t = s.tokens("hub");
    assert!(t.get("NewDeviceMetadata").is_none());
}

#[test]
fn list_devices_pages() {
    let s = tracked(true, false, MfaConfiguration::Off);
    s.user("pag", &[]);
    let mut at = json!(null);
    for _ in 0..3 {
        let t = s.tokens("pag");
        remember(&s, "pag", &t);
        at = t["AccessToken"].clone();
    }
    let p1 = ok(
        &s.emu,
        "ListDevices",
        json!({"AccessToken": at, "Limit": 2}),
    );
    assert_eq!(p1["Devices"].as_array().unwrap().len(), 2);
    let token = p1["PaginationToken"].clone();
    assert!(token.is_string());
    let p2 = ok(
        &s.emu,
        "ListDevices",
        json!({"AccessToken": at, "Limit": 2, "PaginationToken": token}),
    );
    assert_eq!(p2["Devices"].as_array().unwrap().len(), 1);
    assert!(p2.get("PaginationToken").is_none());
    let (ty, _) = err(
        &s.emu,
        "ListDevices",
        json!({"AccessToken": at, "Limit": 61}),
    );
    assert_eq!(ty, "InvalidParameterException");
}

/// Answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER without the device password, with the
/// key an attacker derives when the stored verifier is 0 mod N (then S = (A·v^u)^b = 0).
fn device_srp_with_zero_secret(
    s: &Setup,
    user: &str,
    key: &str,
    group: &str,
    ch: &Value,
) -> Result<Value, (String, String)> {
    let eph = srp::Ephemeral::generate(&mut rand::rng());
    let r = s.respond(
        "DEVICE_SRP_AUTH",
        &ch["Session"],
        json!({"USERNAME": user, "DEVICE_KEY": key, "SRP_A": eph.public_hex()}),
    )?;
    let p = &r["ChallengeParameters"];
    let big_b = srp::parse_hex("SRP_B", p["SRP_B"].as_str().unwrap()).unwrap();
    let block_b64 = p["SECRET_BLOCK"].as_str().unwrap();
    let block = srp::parse_base64("SECRET_BLOCK", block_b64).unwrap();
    let u = srp::hash_u(eph.public(), &big_b);
    let k = srp::derive_key(&num_bigint::BigUint::from(0u8), &u);
    let ts = srp::format_timestamp(s.emu.now());
    let sig = srp::claim_signature(k.expose_secret(), group, key, &block, &ts);
    s.respond(
        "DEVICE_PASSWORD_VERIFIER",
        &r["Session"],
        json!({
        "USERNAME": user, "DEVICE_KEY": key, "PASSWORD_CLAIM_SECRET_BLOCK": block_b64,
        "PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts}),
    )
}

/// A verifier ≡ 0 mod N made device SRP succeed without the device password: the attacker
/// confirms the device with v = N and then signs the claim with the key of S = 0, skipping
/// the MFA that the remembered device stands in for.
#[test]
fn device_verifier_zero_mod_n_cannot_sign_in_without_the_device_password() {
    use base64::Engine;
    let s = tracked(false, false, MfaConfiguration::Optional);
    s.user("cleo", &[("phone_number", "+15550001111")]);
    ok(
        &s.emu,
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": s.pool_id, "Username": "cleo",
        "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    let ch = s.password_auth("cleo", PASSWORD).unwrap();
    let code = s.emu.last_code("cleo", MessageKind::Mfa).unwrap();
    let r = s
        .respond(
            "SMS_MFA",
            &ch["Session"],
            json!({"USERNAME": "cleo", "SMS_MFA_CODE": code}),
        )
        .unwrap();
    let first = &r["AuthenticationResult"];
    let meta = &first["NewDeviceMetadata"];
    let key = meta["DeviceKey"].as_str().unwrap().to_string();
    let group = meta["DeviceGroupKey"].as_str().unwrap().to_string();
    let b64 =
        |v: &num_bigint::BigUint| base64::engine::general_purpose::STANDARD.encode(srp::pad(v));
    let salt = b64(&num_bigint::BigUint::from(0x1234_5678u32));
    let confirm = op(
        &s.emu,
        "ConfirmDevice",
        json!({"AccessToken": first["AccessToken"], "DeviceKey": key,
        "DeviceSecretVerifierConfig": {"PasswordVerifier": b64(srp::modulus()), "Salt": salt}}),
    );
    // Whatever ConfirmDevice answered, a sign-in with the device key must not get past the
    // device step without the device password.
    let ch = password_auth_with_device(&s, "cleo", &key).unwrap();
    if ch["ChallengeName"] == "DEVICE_SRP_AUTH" {
        let forged = device_srp_with_zero_secret(&s, "cleo", &key, &group, &ch);
        assert!(
            forged.is_err(),
            "device SRP without the password: {forged:?}"
        );
    } else {
        assert_eq!(ch["ChallengeName"], "SMS_MFA", "{ch}");
    }
    assert_eq!(confirm.unwrap_err().0, "InvalidParameterException");
}

/// ConfirmDevice takes `base64(PAD(v))` and `base64(PAD(salt))` as clients send them and
/// refuses verifiers that make the shared secret predictable.
#[test]
fn confirm_device_refuses_degenerate_and_malformed_verifiers() {
    use base64::Engine;
    use num_bigint::BigUint;
    let s = tracked(true, false, MfaConfiguration::Off);
    s.user("alice", &[]);
    let first = s.tokens("alice");
    let key = first["NewDeviceMetadata"]["DeviceKey"]
        .as_str()
        .unwrap()
        .to_string();
    let std = base64::engine::general_purpose::STANDARD;
    let b64 = |v: &BigUint| std.encode(srp::pad(v));
    let n = srp::modulus().clone();
    let good_salt = b64(&BigUint::from(0x1234_5678u32));
    let good_v = b64(&srp::pow_g(&BigUint::from(0xdead_beefu32)));
    let confirm = |v: &str, salt: &str| {
        op(
            &s.emu,
            "ConfirmDevice",
            json!({"AccessToken": first["AccessToken"], "DeviceKey": key,
            "DeviceSecretVerifierConfig": {"PasswordVerifier": v, "Salt": salt}}),
        )
    };
    // A verifier with the top bit set, without PAD's leading zero byte.
    let top_bit = srp::pow_g(&BigUint::from(3u8));
    let top_bit = (0u32..)
        .map(|i| srp::pow_g(&BigUint::from(i + 3)))
        .find(|v| v.to_bytes_be()[0] & 0x80 != 0)
        .unwrap_or(top_bit);
    let mut extra_zero = vec![0u8];
    extra_zero.extend(srp::pad(&srp::pow_g(&BigUint::from(7u8))));
    let bad_verifiers = [
        ("zero", b64(&BigUint::from(0u8))),
        ("N", b64(&n)),
        ("2N", b64(&(&n * 2u8))),
        ("one", b64(&BigUint::from(1u8))),
        ("N-1", b64(&(&n - 1u8))),
        ("N+1", b64(&(&n + 1u8))),
        ("unpadded", std.encode(top_bit.to_bytes_be())),
        ("extra zero byte", std.encode(&extra_zero)),
        ("not base64", "%%%".to_string()),
        ("empty", String::new()),
        (
            "url-safe",
            base64::engine::general_purpose::URL_SAFE.encode([0xfbu8; 300]),
        ),
    ];
    for (what, v) in &bad_verifiers {
        let e = confirm(v, &good_salt).unwrap_err();
        assert_eq!(e.0, "InvalidParameterException", "verifier {what}: {e:?}");
    }
    for (what, salt) in [
        ("zero", b64(&BigUint::from(0u8))),
        ("empty", String::new()),
        ("huge", b64(&(BigUint::from(1u8) << 1024u32))),
        ("extra zero byte", std.encode([0u8, 1, 2, 3])),
    ] {
        let e = confirm(&good_v, &salt).unwrap_err();
        assert_eq!(e.0, "InvalidParameterException", "salt {what}: {e:?}");
    }
    // The refused attempts stored nothing: the well-formed values are still accepted.
    confirm(&good_v, &good_salt).unwrap();
}

/// Pre token generation says `TokenGeneration_AuthenticateDevice` after a device SRP sign-in,
/// and post authentication's `newDeviceUsed` is true when the sign-in tracked a new device.
#[test]
fn device_sign_in_trigger_sources() {
    use std::sync::{Arc, Mutex};
    let s = tracked(true, false, MfaConfiguration::Off);
    let seen: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    for trigger in [
        cognito_emulator::Trigger::PreTokenGeneration,
        cognito_emulator::Trigger::PostAuthentication,
    ] {
        let seen = seen.clone();
        s.emu
            .set_trigger(&s.pool_id, trigger, move |ev| {
                let source = ev["triggerSource"].as_str().unwrap_or_default().to_string();
                seen.lock().unwrap().push((source, ev["request"].clone()));
                Ok(ev.clone())
            })
            .unwrap();
    }
    s.user("dora", &[]);
    let first = s.tokens("dora");
    let (dev, _) = remember(&s, "dora", &first);
    let ch = password_auth_with_device(&s, "dora", &dev.key).unwrap();
    device_srp(&s, "dora", &dev, &ch, &dev.password).unwrap();
    let seen = seen.lock().unwrap();
    let sources: Vec<&str> = seen.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        sources,
        [
            "PostAuthentication_Authentication",
            "TokenGeneration_Authentication",
            "PostAuthentication_Authentication",
            "TokenGeneration_AuthenticateDevice"
        ]
    );
    assert_eq!(seen[0].1["newDeviceUsed"], true);
    assert_eq!(seen[2].1["newDeviceUsed"], false);
}
