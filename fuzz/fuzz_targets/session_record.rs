//! The stored session record (`SessionRecord::from_json`) and the JavaScript client's
//! key-value entries (`SessionRecord::from_js_entries`), from the same input: the bytes are a
//! stored record, and when they are a JSON object of strings, also the per-user values of
//! the JavaScript layout keyed by field (`idToken`, `accessToken`, `clockDrift`, ...).
//! Token values given as JSON objects are turned into JWTs with those claims.
//!
//! Invariants:
//! * a record that parses re-serializes, parses to an equal record, and serializes to the
//!   same bytes again; it reads back for its own client and user only;
//! * its JavaScript entries have well-formed keys and read back to the same tokens and device;
//! * entries that parse write back to entries that parse to an equal record; `Ok(None)` only
//!   when neither tokens nor a device are stored;
//! * no error message repeats a token from the input.
#![no_main]

use std::collections::BTreeMap;

use cognito_fuzz::{templated_body, token_like_values};
use cognito_proto::session::js::{self, JsField, JsKey};
use cognito_proto::session::{RecordError, SessionRecord};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const CLIENT: &str = "4l2k0abcdexample0client0id";
const USER: &str = "0f6c4b1e-1111-2222-3333-444455556666";

fuzz_target!(|data: &[u8]| {
    let data = templated_body(data);
    check_record(&data);
    check_js_entries(&data);
});

fn check_record(data: &[u8]) {
    let record = match SessionRecord::from_json(data) {
        Ok(r) => r,
        Err(e) => {
            assert_no_token_leak(&e, data);
            return;
        }
    };
    let json = record.to_json();
    let back = SessionRecord::from_json(&json).expect("a written record reads back");
    assert_eq!(back, record);
    assert_eq!(back.to_json(), json, "serialization is not stable");
    assert_eq!(
        SessionRecord::from_json_for(&json, record.client_id(), record.username()),
        Ok(record.clone())
    );
    let other_user = format!("{}x", record.username());
    assert_eq!(
        SessionRecord::from_json_for(&json, record.client_id(), &other_user),
        Err(RecordError::WrongUser)
    );

    // The record in the JavaScript layout.
    let entries = record.to_js_entries(true);
    let mut store = BTreeMap::new();
    for entry in &entries {
        if !record.client_id().is_empty()
            && !record.client_id().contains('.')
            && !record.username().is_empty()
        {
            match js::parse_key(&entry.key) {
                Some(JsKey::User {
                    client_id,
                    username,
                    ..
                }) => {
                    assert_eq!(client_id, record.client_id());
                    assert_eq!(username, record.username());
                }
                Some(JsKey::LastAuthUser { client_id }) => {
                    assert_eq!(client_id, record.client_id());
                    assert_eq!(entry.value.expose_secret(), record.username());
                }
                None => panic!("an entry key does not parse"),
            }
        }
        assert!(
            store
                .insert(entry.key.clone(), entry.value.expose_secret().clone())
                .is_none(),
            "two entries share a key"
        );
    }
    let read = SessionRecord::from_js_entries(record.client_id(), record.username(), |k| {
        store.get(k).cloned()
    });
    // An empty stored value counts as absent in the JavaScript layout (as in the JavaScript
    // client), so a record holding an empty refresh token or device field is not
    // representable there; it must still read without a panic.
    if has_empty_value(&record) {
        return;
    }
    match read {
        Ok(Some(r)) => {
            assert_eq!(r.tokens(), record.tokens());
            assert_eq!(r.device(), record.device());
        }
        Ok(None) => assert!(record.is_empty()),
        Err(e) => panic!("the record's own entries do not read back: {e:?}"),
    }
}

fn has_empty_value(record: &SessionRecord) -> bool {
    record
        .to_js_entries(false)
        .iter()
        .any(|e| e.value.expose_secret().is_empty())
}

fn check_js_entries(data: &[u8]) {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let fields: BTreeMap<String, String> = map
        .into_iter()
        .filter_map(|(k, v)| Some((k, v.as_str()?.to_owned())))
        .collect();
    let get = |key: &str| {
        let suffix = key.rsplit('.').next()?;
        assert_eq!(
            key,
            js::user_key(CLIENT, USER, field(suffix)?),
            "unexpected key asked"
        );
        fields.get(suffix).cloned()
    };
    let record = match SessionRecord::from_js_entries(CLIENT, USER, get) {
        Ok(Some(r)) => r,
        Ok(None) => {
            for f in [
                JsField::IdToken,
                JsField::AccessToken,
                JsField::DeviceKey,
                JsField::DeviceGroupKey,
                JsField::RandomPasswordKey,
            ] {
                assert!(
                    fields.get(f.as_str()).is_none_or(String::is_empty),
                    "{f} was stored but no record was read"
                );
            }
            return;
        }
        Err(e) => {
            assert_no_token_leak(&e, data);
            return;
        }
    };
    assert_eq!(record.client_id(), CLIENT);
    assert_eq!(record.username(), USER);
    if let Some(tokens) = record.tokens() {
        assert_eq!(
            Some(tokens.id_token().token().expose_secret()),
            fields.get("idToken")
        );
        assert_eq!(
            tokens.refresh_token().map(|t| t.expose_secret()),
            fields.get("refreshToken").filter(|t| !t.is_empty())
        );
    }
    let written: BTreeMap<String, String> = record
        .to_js_entries(false)
        .into_iter()
        .map(|e| (e.key, e.value.expose_secret().clone()))
        .collect();
    let again = SessionRecord::from_js_entries(CLIENT, USER, |k| written.get(k).cloned())
        .expect("written entries read back")
        .expect("written entries hold a record");
    assert_eq!(again, record);
    // And the same record survives the JSON format.
    assert_eq!(SessionRecord::from_json(&record.to_json()), Ok(record));
}

fn field(suffix: &str) -> Option<JsField> {
    JsField::ALL.into_iter().find(|f| f.as_str() == suffix)
}

fn assert_no_token_leak(e: &RecordError, data: &[u8]) {
    let shown = format!("{e} {e:?}");
    for token in token_like_values(data) {
        assert!(!shown.contains(&token), "record error repeats a token");
    }
}
