//! The stored session record, its versioned JSON, the JavaScript key layout and a key-value
//! `SessionStore` built on that layout.

use std::cell::RefCell;
use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_proto::config::RememberedDevice;
use cognito_proto::secret::SecretString;
use cognito_proto::session::js::{self, JsField, JsKey};
use cognito_proto::session::{
    RecordError, SessionRecord, SessionStore, SessionStoreError, TokenError, TokenSet,
};
use serde_json::{Value, json};

const CLIENT: &str = "4l2k0example0client0id00ab";

fn jwt(payload: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"kid":"k1","alg":"RS256"}"#);
    let body = URL_SAFE_NO_PAD.encode(payload.to_string());
    format!("{header}.{body}.c2ln")
}

fn tokens_for(username: &str, sub: &str, now: i64) -> TokenSet {
    let id = jwt(
        &json!({"token_use": "id", "sub": sub, "cognito:username": username,
        "iat": now, "exp": now + 3600, "origin_jti": "o"}),
    );
    let access = jwt(
        &json!({"token_use": "access", "sub": sub, "username": username,
        "iat": now, "exp": now + 3600, "origin_jti": "o"}),
    );
    TokenSet::new(
        id,
        access,
        Some(SecretString::from(format!("refresh-of-{username}"))),
        u64::try_from(now + 7).unwrap(),
    )
    .unwrap()
}

fn device(key: &str) -> RememberedDevice {
    RememberedDevice {
        device_key: key.to_owned(),
        device_group_key: "-v7w9UcY6".to_owned(),
        device_password: SecretString::from("cGFzc3dvcmQ="),
    }
}

fn full_record(username: &str) -> SessionRecord {
    let mut r = SessionRecord::new(CLIENT, username);
    r.set_tokens(tokens_for(username, "sub-1", 1000)).unwrap();
    r.set_device(device("eu-west-1_abc-123"));
    r
}

#[test]
fn record_json_round_trip() {
    let r = full_record("alice");
    let bytes = r.to_json();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["client_id"], CLIENT);
    assert_eq!(v["username"], "alice");
    assert_eq!(v["sub"], "sub-1");
    assert_eq!(v["tokens"]["clock_drift"], 7);
    assert_eq!(v["tokens"]["refresh_token"], "refresh-of-alice");
    assert_eq!(v["device"]["device_key"], "eu-west-1_abc-123");
    let back = SessionRecord::from_json(&bytes).unwrap();
    assert_eq!(back, r);
    assert_eq!(back.tokens().unwrap().clock_drift(), 7);
    assert_eq!(
        SessionRecord::from_json_for(&bytes, CLIENT, "alice").unwrap(),
        r
    );
    assert_eq!(
        SessionRecord::from_json_for(&bytes, CLIENT, "bob").unwrap_err(),
        RecordError::WrongUser
    );
    // Empty record: optional parts are omitted.
    let empty = SessionRecord::new(CLIENT, "bob");
    assert!(empty.is_empty());
    let v: Value = serde_json::from_slice(&empty.to_json()).unwrap();
    assert_eq!(
        v,
        json!({"version": 1, "client_id": CLIENT, "username": "bob"})
    );
    assert_eq!(SessionRecord::from_json(&empty.to_json()).unwrap(), empty);
}

#[test]
fn record_debug_is_redacted() {
    let dbg = format!("{:?}", full_record("alice"));
    assert!(!dbg.contains("refresh-of-alice"), "{dbg}");
    assert!(!dbg.contains("cGFzc3dvcmQ="), "{dbg}");
    assert!(!dbg.contains("eyJ"), "{dbg}");
}

#[test]
fn corrupt_records_are_typed_errors() {
    let good: Value = serde_json::from_slice(&full_record("alice").to_json()).unwrap();
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        serde_json::to_vec(&v).unwrap()
    };
    let corrupt = |r: Result<SessionRecord, RecordError>| matches!(r, Err(RecordError::Corrupt(_)));
    assert!(corrupt(SessionRecord::from_json(b"")));
    assert!(corrupt(SessionRecord::from_json(b"{\"version\":1")));
    assert!(corrupt(SessionRecord::from_json(b"[1]")));
    assert!(corrupt(SessionRecord::from_json(b"null")));
    assert!(corrupt(SessionRecord::from_json(&with(&|v| {
        v.as_object_mut().unwrap().remove("version");
    }))));
    assert!(corrupt(SessionRecord::from_json(&with(
        &|v| v["version"] = json!("1")
    ))));
    assert!(corrupt(SessionRecord::from_json(&with(
        &|v| v["version"] = json!(1.5)
    ))));
    assert_eq!(
        SessionRecord::from_json(&with(&|v| v["version"] = json!(2))).unwrap_err(),
        RecordError::UnsupportedVersion(2)
    );
    assert!(corrupt(SessionRecord::from_json(&with(&|v| {
        v.as_object_mut().unwrap().remove("username");
    }))));
    assert!(corrupt(SessionRecord::from_json(&with(&|v| {
        v["tokens"]["clock_drift"] = json!("NaN")
    }))));
    assert!(corrupt(SessionRecord::from_json(&with(&|v| {
        v["device"]
            .as_object_mut()
            .unwrap()
            .remove("device_password");
    }))));
    assert_eq!(
        SessionRecord::from_json(&with(&|v| v["tokens"]["id_token"] = json!("garbage")))
            .unwrap_err(),
        RecordError::InvalidToken(TokenError::NotThreeSegments { found: 1 })
    );
    // The reason never quotes stored secrets.
    let err = SessionRecord::from_json(&with(&|v| v["tokens"]["clock_drift"] = json!("tok-xyz")))
        .unwrap_err();
    assert!(!err.to_string().contains("tok-xyz"), "{err}");
}

#[test]
fn unknown_fields_are_ignored_within_a_version() {
    let mut v: Value = serde_json::from_slice(&full_record("alice").to_json()).unwrap();
    v["later_field"] = json!({"x": 1});
    let r = SessionRecord::from_json(&serde_json::to_vec(&v).unwrap()).unwrap();
    assert_eq!(r, full_record("alice"));
}

#[test]
fn pitfall_16_recreated_user_drops_stale_device() {
    let mut r = full_record("alice");
    // Same username, same sub: the device stays.
    assert_eq!(
        r.set_tokens(tokens_for("alice", "sub-1", 5000)).unwrap(),
        None
    );
    assert!(r.device().is_some());
    // Same username, new sub: the user was deleted and re-created; the old device is gone.
    let dropped = r.set_tokens(tokens_for("alice", "sub-2", 6000)).unwrap();
    assert_eq!(dropped, Some(device("eu-west-1_abc-123")));
    assert!(r.device().is_none());
    assert_eq!(r.sub(), Some("sub-2"));
}

#[test]
fn pitfall_24_clearing_tokens_keeps_device() {
    let mut r = full_record("alice");
    let removed = r.clear_tokens();
    assert!(removed.is_some());
    assert!(r.tokens().is_none());
    assert_eq!(r.device(), Some(&device("eu-west-1_abc-123")));
    assert!(!r.is_empty());
    let back = SessionRecord::from_json(&r.to_json()).unwrap();
    assert_eq!(back.device(), Some(&device("eu-west-1_abc-123")));
    assert!(back.tokens().is_none());
}

#[test]
fn tokens_of_another_user_are_refused() {
    let mut r = SessionRecord::new(CLIENT, "alice");
    assert_eq!(
        r.set_tokens(tokens_for("bob", "sub-b", 1)).unwrap_err(),
        RecordError::WrongUser
    );
    assert!(r.tokens().is_none());
}

#[test]
fn js_key_layout() {
    assert_eq!(
        js::user_key(CLIENT, "alice@example.com", JsField::IdToken),
        format!("CognitoIdentityServiceProvider.{CLIENT}.alice@example.com.idToken")
    );
    assert_eq!(
        js::last_user_key(CLIENT),
        format!("CognitoIdentityServiceProvider.{CLIENT}.LastAuthUser")
    );
    let names: Vec<&str> = JsField::ALL.iter().map(|f| f.as_str()).collect();
    assert_eq!(
        names,
        [
            "idToken",
            "accessToken",
            "refreshToken",
            "clockDrift",
            "deviceKey",
            "deviceGroupKey",
            "randomPasswordKey"
        ]
    );
    for field in JsField::ALL {
        let key = js::user_key(CLIENT, "a.b.c", field);
        assert_eq!(
            js::parse_key(&key),
            Some(JsKey::User {
                client_id: CLIENT.into(),
                username: "a.b.c".into(),
                field
            })
        );
    }
    assert_eq!(
        js::parse_key(&js::last_user_key(CLIENT)),
        Some(JsKey::LastAuthUser {
            client_id: CLIENT.into()
        })
    );
    for other in [
        "",
        "CognitoIdentityServiceProvider",
        "CognitoIdentityServiceProvider.",
        "CognitoIdentityServiceProvider.c",
        "CognitoIdentityServiceProvider.c.u.userData",
        "CognitoIdentityServiceProvider..u.idToken",
        "CognitoIdentityServiceProvider.c..idToken",
        "Other.c.u.idToken",
    ] {
        assert_eq!(js::parse_key(other), None, "{other}");
    }
}

#[test]
fn js_entries_round_trip() {
    let r = full_record("alice");
    let entries = r.to_js_entries(true);
    let map: BTreeMap<String, String> = entries
        .iter()
        .map(|e| (e.key.clone(), e.value.expose_secret().clone()))
        .collect();
    let key = |f| js::user_key(CLIENT, "alice", f);
    assert_eq!(map.len(), 8);
    assert_eq!(map[&key(JsField::ClockDrift)], "7");
    assert_eq!(map[&key(JsField::RefreshToken)], "refresh-of-alice");
    assert_eq!(map[&key(JsField::DeviceKey)], "eu-west-1_abc-123");
    assert_eq!(map[&key(JsField::DeviceGroupKey)], "-v7w9UcY6");
    assert_eq!(map[&key(JsField::RandomPasswordKey)], "cGFzc3dvcmQ=");
    assert_eq!(map[&js::last_user_key(CLIENT)], "alice");
    assert_eq!(
        &map[&key(JsField::IdToken)],
        r.tokens().unwrap().id_token().token().expose_secret()
    );
    let back = SessionRecord::from_js_entries(CLIENT, "alice", |k| map.get(k).cloned())
        .unwrap()
        .unwrap();
    assert_eq!(back, r);
    // Without LastAuthUser.
    assert_eq!(r.to_js_entries(false).len(), 7);
    // Another user in the same store reads as nothing.
    assert_eq!(
        SessionRecord::from_js_entries(CLIENT, "bob", |k| map.get(k).cloned()).unwrap(),
        None
    );
}

#[test]
fn js_entries_written_by_the_js_client_are_read() {
    // As amazon-cognito-identity-js leaves them: tokens and clockDrift, no device, and the
    // key's username is the name as typed (an alias) for USER_PASSWORD_AUTH.
    let t = tokens_for("uuid-1", "uuid-1", 1000);
    let mut map = BTreeMap::new();
    let key = |f| js::user_key(CLIENT, "alice@example.com", f);
    map.insert(
        key(JsField::IdToken),
        t.id_token().token().expose_secret().clone(),
    );
    map.insert(
        key(JsField::AccessToken),
        t.access_token().token().expose_secret().clone(),
    );
    map.insert(key(JsField::RefreshToken), "r".to_owned());
    map.insert(key(JsField::ClockDrift), "-42".to_owned());
    let r = SessionRecord::from_js_entries(CLIENT, "alice@example.com", |k| map.get(k).cloned())
        .unwrap()
        .unwrap();
    assert_eq!(r.tokens().unwrap().clock_drift(), -42);
    assert_eq!(r.tokens().unwrap().username(), Some("uuid-1"));
    assert!(r.device().is_none());
    // Missing clockDrift counts as 0; an empty value counts as missing.
    map.remove(&key(JsField::ClockDrift));
    map.insert(key(JsField::RefreshToken), String::new());
    let r = SessionRecord::from_js_entries(CLIENT, "alice@example.com", |k| map.get(k).cloned())
        .unwrap()
        .unwrap();
    assert_eq!(r.tokens().unwrap().clock_drift(), 0);
    assert!(r.tokens().unwrap().refresh_token().is_none());
}

#[test]
fn corrupt_js_entries_are_typed_errors() {
    let full: BTreeMap<String, String> = full_record("alice")
        .to_js_entries(false)
        .into_iter()
        .map(|e| (e.key, e.value.expose_secret().clone()))
        .collect();
    let read_without = |field: JsField, replace: Option<&str>| {
        let mut m = full.clone();
        let k = js::user_key(CLIENT, "alice", field);
        match replace {
            Some(v) => {
                m.insert(k, v.to_owned());
            }
            None => {
                m.remove(&k);
            }
        }
        SessionRecord::from_js_entries(CLIENT, "alice", |k| m.get(k).cloned())
    };
    assert!(matches!(
        read_without(JsField::AccessToken, None),
        Err(RecordError::Corrupt(_))
    ));
    assert!(matches!(
        read_without(JsField::DeviceGroupKey, None),
        Err(RecordError::Corrupt(_))
    ));
    assert!(matches!(
        read_without(JsField::ClockDrift, Some("NaN")),
        Err(RecordError::Corrupt(_))
    ));
    assert!(matches!(
        read_without(JsField::ClockDrift, Some("1.5")),
        Err(RecordError::Corrupt(_))
    ));
    assert_eq!(
        read_without(JsField::IdToken, Some("x.y")).unwrap_err(),
        RecordError::InvalidToken(TokenError::NotThreeSegments { found: 2 })
    );
}

/// A `SessionStore` over a string key-value map in the JavaScript client's layout: the shape a
/// browser-storage or shared-file store takes.
#[derive(Default)]
struct JsKvStore {
    map: RefCell<BTreeMap<String, String>>,
}

impl SessionStore for JsKvStore {
    fn load(
        &self,
        client_id: &str,
        username: &str,
    ) -> Result<Option<SessionRecord>, SessionStoreError> {
        let map = self.map.borrow();
        Ok(SessionRecord::from_js_entries(client_id, username, |k| {
            map.get(k).cloned()
        })?)
    }

    fn save(&self, record: &SessionRecord) -> Result<(), SessionStoreError> {
        let mut map = self.map.borrow_mut();
        for key in record.js_keys() {
            map.remove(&key);
        }
        for e in record.to_js_entries(true) {
            map.insert(e.key, e.value.expose_secret().clone());
        }
        Ok(())
    }

    fn clear_tokens(&self, client_id: &str, username: &str) -> Result<(), SessionStoreError> {
        let mut map = self.map.borrow_mut();
        for f in JsField::TOKENS {
            map.remove(&js::user_key(client_id, username, f));
        }
        let last = js::last_user_key(client_id);
        if map.get(&last).map(String::as_str) == Some(username) {
            map.remove(&last);
        }
        Ok(())
    }

    fn remove_device(&self, client_id: &str, username: &str) -> Result<(), SessionStoreError> {
        let mut map = self.map.borrow_mut();
        for f in JsField::DEVICE {
            map.remove(&js::user_key(client_id, username, f));
        }
        Ok(())
    }

    fn last_user(&self, client_id: &str) -> Result<Option<String>, SessionStoreError> {
        Ok(self
            .map
            .borrow()
            .get(&js::last_user_key(client_id))
            .cloned())
    }
}

#[test]
fn pitfall_23_store_acts_on_the_named_user() {
    let store = JsKvStore::default();
    store.save(&full_record("alice")).unwrap();
    store.save(&full_record("bob")).unwrap();
    assert_eq!(store.last_user(CLIENT).unwrap().as_deref(), Some("bob"));
    // Signing alice out (not the last user) leaves bob alone, and keeps alice's device.
    store.clear_tokens(CLIENT, "alice").unwrap();
    let alice = store.load(CLIENT, "alice").unwrap().unwrap();
    assert!(alice.tokens().is_none());
    assert!(alice.device().is_some());
    let bob = store.load(CLIENT, "bob").unwrap().unwrap();
    assert_eq!(
        bob.tokens()
            .unwrap()
            .refresh_token()
            .unwrap()
            .expose_secret(),
        "refresh-of-bob"
    );
    assert_eq!(store.last_user(CLIENT).unwrap().as_deref(), Some("bob"));
    // Signing bob out clears the last user; his device stays.
    store.clear_tokens(CLIENT, "bob").unwrap();
    assert_eq!(store.last_user(CLIENT).unwrap(), None);
    assert!(
        store
            .load(CLIENT, "bob")
            .unwrap()
            .unwrap()
            .device()
            .is_some()
    );
    // Removing a device keeps tokens.
    store.save(&full_record("carol")).unwrap();
    store.remove_device(CLIENT, "carol").unwrap();
    let carol = store.load(CLIENT, "carol").unwrap().unwrap();
    assert!(carol.device().is_none() && carol.tokens().is_some());
    // A corrupt stored value is an error, not a silent "signed out".
    store.map.borrow_mut().insert(
        js::user_key(CLIENT, "carol", JsField::ClockDrift),
        "garbage".into(),
    );
    assert!(matches!(
        store.load(CLIENT, "carol"),
        Err(SessionStoreError::Corrupt(RecordError::Corrupt(_)))
    ));
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn from_json_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = SessionRecord::from_json(&bytes);
        }

        #[test]
        fn mutated_records_never_panic(pos in 0usize..2000, byte in any::<u8>()) {
            let mut bytes = full_record("alice").to_json();
            let i = pos % bytes.len();
            bytes[i] = byte;
            let _ = SessionRecord::from_json(&bytes);
        }

        #[test]
        fn js_entries_never_panic(drift in ".{0,20}", id in ".{0,40}") {
            let mut map = BTreeMap::new();
            map.insert(js::user_key(CLIENT, "u", JsField::IdToken), id);
            map.insert(js::user_key(CLIENT, "u", JsField::AccessToken), "a.b.c".to_owned());
            map.insert(js::user_key(CLIENT, "u", JsField::ClockDrift), drift);
            let _ = SessionRecord::from_js_entries(CLIENT, "u", |k| map.get(k).cloned());
        }
    }
}
