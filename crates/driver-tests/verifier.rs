//! The drivers' token verifier against the emulator: the keys come from the emulator's JWKS
//! endpoint over HTTP, and `/_emulator/` counts how often they are downloaded.

use std::time::Duration;

use crate::driver;
use crate::emulator::{PASSWORD, signed_in};
use crate::support::Setup;
use driver::cognito_jwt::JwksError;
use driver::{TokenUse, Verifier, VerifyError};
use serde_json::{Map, Value, json};

/// JWKS downloads the emulator has served.
fn jwks_fetches(s: &Setup) -> u64 {
    s.emu.request_count("jwks.json")
}

fn verifier(s: &Setup, token_use: TokenUse) -> Verifier {
    Verifier::builder(&s.pool_id)
        .token_use(token_use)
        .client_id(&s.client_id)
        .endpoint(s.emu.url())
        .build()
        .expect("verifier")
}

/// A token signed by the pool's access key with these claims and header changes.
fn forged(s: &Setup, header: Value, claims: Value) -> String {
    let obj = |v: Value| v.as_object().cloned().unwrap_or_else(Map::new);
    s.emu
        .sign_token(&s.pool_id, true, &obj(header), &obj(claims))
        .expect("signed")
}

driver_fn! {
    /// Signs `name` in; returns (ID token, access token).
    async fn tokens(s: &Setup, name: &str) -> (String, String) {
        s.user(name);
        let user = signed_in(aw!(s.pool().sign_in(name, PASSWORD)).expect("sign in"));
        let set = aw!(user.session()).expect("session");
        (
            set.id_token().token().expose_secret().to_owned(),
            set.access_token().token().expose_secret().to_owned(),
        )
    }
}

driver_test! {
    async fn emulator_tokens_verify_with_one_jwks_download() {
        let s = Setup::new();
        let (id, access) = aw!(tokens(&s, "vera"));
        let v = verifier(&s, TokenUse::Access);
        for _ in 0..3 {
            let claims = aw!(v.verify(&access)).expect("access token verifies");
            assert_eq!(claims.username.as_deref(), Some("vera"));
            assert_eq!(claims.client_id.as_deref(), Some(s.client_id.as_str()));
        }
        assert_eq!(jwks_fetches(&s), 1);
        // The ID token is refused by an access-token verifier, verified by an ID one.
        assert!(matches!(aw!(v.verify(&id)), Err(VerifyError::TokenUse { .. })));
        let claims = aw!(verifier(&s, TokenUse::Id).verify(&id)).expect("ID token verifies");
        assert_eq!(claims.other["email"], "vera@example.com");
        assert_eq!(jwks_fetches(&s), 2);
        // A clone shares the cache.
        let twin = v.clone();
        aw!(twin.verify(&access)).expect("clone verifies");
        assert_eq!(jwks_fetches(&s), 2);
    }
}

driver_test! {
    async fn a_key_rotation_costs_exactly_one_refetch() {
        let s = Setup::new();
        let (_, before) = aw!(tokens(&s, "rota"));
        let v = verifier(&s, TokenUse::Access);
        aw!(v.hydrate()).expect("hydrated");
        aw!(v.verify(&before)).expect("old key");
        assert_eq!(jwks_fetches(&s), 1);

        s.emu.rotate_keys(&s.pool_id).expect("rotated");
        let user = signed_in(aw!(s.pool().sign_in("rota", PASSWORD)).expect("sign in"));
        let after = aw!(user.session()).expect("session");
        let after = after.access_token().token().expose_secret().to_owned();
        let mut claims = Value::Null;
        for _ in 0..5 {
            claims = aw!(v.verify(&after)).expect("new key, fetched once").to_json();
        }
        assert_eq!(jwks_fetches(&s), 2, "exactly one refetch for the new key");

        // The old key is gone: one refetch finds it missing, then the cool-down holds.
        assert!(matches!(aw!(v.verify(&before)), Err(VerifyError::UnknownKid { .. })));
        assert_eq!(jwks_fetches(&s), 3);
        for i in 0..20 {
            let random = forged(&s, json!({"kid": format!("random-{i}")}), claims.clone());
            assert!(matches!(aw!(v.verify(&random)), Err(VerifyError::UnknownKid { .. })));
        }
        assert_eq!(jwks_fetches(&s), 3, "random kids do not cause fetches during the cool-down");
        aw!(v.verify(&after)).expect("known key still verifies");
    }
}

driver_test! {
    async fn forged_claims_fail_their_check() {
        let s = Setup::new();
        let (_, access) = aw!(tokens(&s, "fred"));
        let v = verifier(&s, TokenUse::Access);
        let claims = aw!(v.verify(&access)).expect("valid").to_json();
        let with = |changes: Value| {
            let mut c = claims.clone();
            for (k, x) in changes.as_object().cloned().unwrap_or_default() {
                c[k] = x;
            }
            forged(&s, json!({}), c)
        };
        let now = s.emu.now() as i64;
        let cases = [
            (with(json!({"exp": now - 10})), "expired"),
            (with(json!({"nbf": now + 600})), "not_yet_valid"),
            (with(json!({"client_id": "someone-else"})), "client"),
            (with(json!({"token_use": "id"})), "token_use"),
            (with(json!({"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"})), "issuer"),
        ];
        for (token, check) in cases {
            let e = aw!(v.verify(&token)).expect_err(check);
            assert_eq!(e.check(), check, "{e}");
        }
    }
}

driver_test! {
    async fn jwks_size_and_reachability_are_bounded() {
        let s = Setup::new();
        let (_, access) = aw!(tokens(&s, "cap"));
        let small = Verifier::builder(&s.pool_id)
            .token_use(TokenUse::Access)
            .client_id(&s.client_id)
            .endpoint(s.emu.url())
            .max_jwks_bytes(200)
            .build()
            .expect("verifier");
        match aw!(small.verify(&access)) {
            Err(VerifyError::JwksUnavailable { reason: JwksError::TooLarge { limit: 200 }, .. }) => {}
            other => panic!("{other:?}"),
        }
        // Nothing listens on port 9 of localhost: the fetch fails fast and is reported.
        let nowhere = Verifier::builder(&s.pool_id)
            .token_use(TokenUse::Access)
            .client_id(&s.client_id)
            .endpoint("http://127.0.0.1:9")
            .fetch_timeout(Duration::from_secs(2))
            .build()
            .expect("verifier");
        match aw!(nowhere.verify(&access)) {
            Err(VerifyError::JwksUnavailable { reason: JwksError::Transport(_), .. }) => {}
            other => panic!("{other:?}"),
        }
        assert!(aw!(nowhere.hydrate()).is_err());
    }
}
