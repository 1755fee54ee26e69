//! Identity pools as stored resources: create, describe, update (replacing), list with
//! pagination, delete; guests and their link to a login; the role each case assumes (roles and
//! role mappings); refusals for unknown pools, disabled guests, foreign app clients and missing
//! roles.

use base64::Engine;
use serde_json::{Value, json};

use crate::common::*;

const ID: &str = "AWSCognitoIdentityService";

fn id_op(s: &Setup, name: &str, body: Value) -> Result<Value, (String, String)> {
    op_on(&s.emu, ID, name, body)
}

/// The role named in a credentials answer's session token (base64 of a JSON object).
fn role_of(creds: &Value) -> String {
    let token = creds["Credentials"]["SessionToken"].as_str().unwrap();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(token)
        .unwrap();
    let v: Value = serde_json::from_slice(&raw).unwrap();
    v["roleArn"].as_str().unwrap().to_string()
}

fn provider(s: &Setup) -> String {
    format!("cognito-idp.us-east-1.amazonaws.com/{}", s.pool_id)
}

fn create(s: &Setup, guests: bool) -> String {
    let out = id_op(
        s,
        "CreateIdentityPool",
        json!({
            "IdentityPoolName": "ids",
            "AllowUnauthenticatedIdentities": guests,
            "CognitoIdentityProviders": [{"ProviderName": provider(s), "ClientId": s.client_id}],
        }),
    )
    .unwrap();
    out["IdentityPoolId"].as_str().unwrap().to_string()
}

const AUTH_ROLE: &str = "arn:aws:iam::123456789012:role/auth";
const GUEST_ROLE: &str = "arn:aws:iam::123456789012:role/guest";

fn set_roles(s: &Setup, pool: &str, mappings: Value) {
    let mut body = json!({
        "IdentityPoolId": pool,
        "Roles": {"authenticated": AUTH_ROLE, "unauthenticated": GUEST_ROLE},
    });
    if !mappings.is_null() {
        body["RoleMappings"] = mappings;
    }
    id_op(s, "SetIdentityPoolRoles", body).unwrap();
}

#[test]
fn identity_pools_are_stored_described_replaced_listed_and_deleted() {
    let s = setup();
    let id = create(&s, true);
    assert!(id.starts_with("us-east-1:"), "{id}");
    let d = id_op(&s, "DescribeIdentityPool", json!({"IdentityPoolId": id})).unwrap();
    assert_eq!(d["IdentityPoolName"], "ids");
    assert_eq!(d["AllowUnauthenticatedIdentities"], true);
    assert_eq!(
        d["CognitoIdentityProviders"][0]["ClientId"],
        json!(s.client_id)
    );
    // UpdateIdentityPool replaces the description: the providers it omits are gone.
    let u = id_op(
        &s,
        "UpdateIdentityPool",
        json!({"IdentityPoolId": id, "IdentityPoolName": "renamed", "AllowUnauthenticatedIdentities": false}),
    )
    .unwrap();
    assert_eq!(u["IdentityPoolName"], "renamed");
    let d = id_op(&s, "DescribeIdentityPool", json!({"IdentityPoolId": id})).unwrap();
    assert_eq!(d["AllowUnauthenticatedIdentities"], false);
    assert!(d.get("CognitoIdentityProviders").is_none(), "{d}");

    // Pages of one, in a stable order, with no pool skipped or repeated.
    let mut ids = vec![id.clone(), create(&s, false), create(&s, false)];
    ids.sort();
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"MaxResults": 1});
        if let Some(t) = &token {
            body["NextToken"] = json!(t);
        }
        let page = id_op(&s, "ListIdentityPools", body).unwrap();
        for p in page["IdentityPools"].as_array().unwrap() {
            seen.push(p["IdentityPoolId"].as_str().unwrap().to_string());
        }
        match page["NextToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    let (ty, _) = id_op(&s, "ListIdentityPools", json!({"MaxResults": 0})).unwrap_err();
    assert_eq!(ty, "InvalidParameterException");
    let (ty, _) = id_op(
        &s,
        "ListIdentityPools",
        json!({"MaxResults": 5, "NextToken": "%%%"}),
    )
    .unwrap_err();
    assert_eq!(ty, "InvalidParameterException");

    id_op(&s, "DeleteIdentityPool", json!({"IdentityPoolId": id})).unwrap();
    let (ty, m) = id_op(&s, "DescribeIdentityPool", json!({"IdentityPoolId": id})).unwrap_err();
    assert_eq!(ty, "ResourceNotFoundException");
    assert_eq!(m, format!("IdentityPool '{id}' not found."));
    let (ty, _) = id_op(&s, "GetId", json!({"IdentityPoolId": id})).unwrap_err();
    assert_eq!(ty, "ResourceNotFoundException");
}

#[test]
fn a_guest_identity_is_kept_by_the_login_that_upgrades_it() {
    let s = setup();
    s.user("gus", &[]);
    let pool = create(&s, true);
    set_roles(&s, &pool, Value::Null);
    let guest = id_op(&s, "GetId", json!({"IdentityPoolId": pool})).unwrap()["IdentityId"]
        .as_str()
        .unwrap()
        .to_string();
    let creds = id_op(
        &s,
        "GetCredentialsForIdentity",
        json!({"IdentityId": guest}),
    )
    .unwrap();
    assert_eq!(role_of(&creds), GUEST_ROLE);

    let logins = json!({provider(&s): s.tokens("gus")["IdToken"]});
    let creds = id_op(
        &s,
        "GetCredentialsForIdentity",
        json!({"IdentityId": guest, "Logins": logins}),
    )
    .unwrap();
    assert_eq!(creds["IdentityId"], json!(guest));
    assert_eq!(role_of(&creds), AUTH_ROLE);
    // The login now names the guest's identity, also on another device.
    let again = id_op(
        &s,
        "GetId",
        json!({"IdentityPoolId": pool, "Logins": logins}),
    )
    .unwrap();
    assert_eq!(again["IdentityId"], json!(guest));
    let d = id_op(&s, "DescribeIdentity", json!({"IdentityId": guest})).unwrap();
    assert_eq!(d["Logins"], json!([provider(&s)]));
    // Without the login, the linked identity is no guest's any more.
    let (ty, _) = id_op(
        &s,
        "GetCredentialsForIdentity",
        json!({"IdentityId": guest}),
    )
    .unwrap_err();
    assert_eq!(ty, "NotAuthorizedException");
    let listed = id_op(
        &s,
        "ListIdentities",
        json!({"IdentityPoolId": pool, "MaxResults": 60}),
    )
    .unwrap();
    assert_eq!(listed["Identities"].as_array().unwrap().len(), 1);

    // UnlinkIdentity: the login then gets an identity of its own.
    id_op(
        &s,
        "UnlinkIdentity",
        json!({"IdentityId": guest, "Logins": logins, "LoginsToRemove": [provider(&s)]}),
    )
    .unwrap();
    let fresh = id_op(
        &s,
        "GetId",
        json!({"IdentityPoolId": pool, "Logins": logins}),
    )
    .unwrap();
    assert_ne!(fresh["IdentityId"], json!(guest));
}

#[test]
fn identity_pools_refuse_what_their_configuration_does_not_allow() {
    let s = setup();
    s.user("rita", &[("email", "rita@example.com")]);
    let logins = json!({provider(&s): s.tokens("rita")["IdToken"]});
    let closed = create(&s, false);
    let (ty, m) = id_op(&s, "GetId", json!({"IdentityPoolId": closed})).unwrap_err();
    assert_eq!(ty, "NotAuthorizedException");
    assert_eq!(
        m,
        "Unauthenticated access is not supported for this identity pool."
    );
    // No roles yet: credentials are a configuration error.
    let id = id_op(
        &s,
        "GetId",
        json!({"IdentityPoolId": closed, "Logins": logins}),
    )
    .unwrap();
    let (ty, _) = id_op(
        &s,
        "GetCredentialsForIdentity",
        json!({"IdentityId": id["IdentityId"], "Logins": logins}),
    )
    .unwrap_err();
    assert_eq!(ty, "InvalidIdentityPoolConfigurationException");

    // An identity pool that trusts another app client refuses this client's tokens.
    let other = s
        .emu
        .create_client(&s.pool_id, cognito_emulator::ClientConfig::default())
        .unwrap();
    let foreign = id_op(
        &s,
        "CreateIdentityPool",
        json!({
            "IdentityPoolName": "foreign",
            "AllowUnauthenticatedIdentities": false,
            "CognitoIdentityProviders": [{"ProviderName": provider(&s), "ClientId": other.client_id}],
        }),
    )
    .unwrap();
    let (ty, m) = id_op(
        &s,
        "GetId",
        json!({"IdentityPoolId": foreign["IdentityPoolId"], "Logins": logins}),
    )
    .unwrap_err();
    assert_eq!(ty, "NotAuthorizedException");
    assert!(m.contains("not from a supported provider"), "{m}");
}

#[test]
fn role_mappings_choose_the_role_by_rules_or_deny() {
    let s = setup();
    s.user("ann", &[("email", "ann@corp.example")]);
    s.user("bob", &[("email", "bob@home.example")]);
    let pool = create(&s, false);
    let admin_role = "arn:aws:iam::123456789012:role/corp";
    // A user-pool provider's mappings are keyed by the provider and its app client.
    let key = format!("{}:{}", provider(&s), s.client_id);
    let rules = |ambiguous: &str| {
        json!({key.clone(): {
            "Type": "Rules",
            "AmbiguousRoleResolution": ambiguous,
            "RulesConfiguration": {"Rules": [
                {"Claim": "email", "MatchType": "Contains", "Value": "@corp.", "RoleARN": admin_role},
            ]},
        }})
    };
    set_roles(&s, &pool, rules("AuthenticatedRole"));
    let creds = |user: &str| {
        let logins = json!({provider(&s): s.tokens(user)["IdToken"]});
        let id = id_op(
            &s,
            "GetId",
            json!({"IdentityPoolId": pool, "Logins": logins}),
        )
        .unwrap();
        id_op(
            &s,
            "GetCredentialsForIdentity",
            json!({"IdentityId": id["IdentityId"], "Logins": logins}),
        )
    };
    assert_eq!(role_of(&creds("ann").unwrap()), admin_role);
    assert_eq!(
        role_of(&creds("bob").unwrap()),
        AUTH_ROLE,
        "no rule matched"
    );
    set_roles(&s, &pool, rules("Deny"));
    assert_eq!(creds("bob").unwrap_err().0, "NotAuthorizedException");
    let roles = id_op(&s, "GetIdentityPoolRoles", json!({"IdentityPoolId": pool})).unwrap();
    assert_eq!(roles["Roles"]["authenticated"], AUTH_ROLE);
    assert_eq!(
        roles["RoleMappings"][&key]["AmbiguousRoleResolution"],
        "Deny"
    );
}

#[test]
fn role_mappings_refuse_keys_and_mappings_aws_refuses() {
    let s = setup();
    let pool = create(&s, false);
    let refused = |mappings: Value| {
        id_op(
            &s,
            "SetIdentityPoolRoles",
            json!({"IdentityPoolId": pool, "Roles": {"authenticated": AUTH_ROLE},
                   "RoleMappings": mappings}),
        )
        .unwrap_err()
    };
    let token = json!({"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"});
    // The provider without its app client, and a provider the pool does not have.
    for key in [
        provider(&s),
        "graph.facebook.com".to_string(),
        format!("{}:someotherclient", provider(&s)),
    ] {
        let (ty, m) = refused(json!({key.clone(): token}));
        assert_eq!(ty, "InvalidParameterException");
        assert_eq!(
            m,
            format!(
                "{key} is not a valid RoleMapping ProviderName or is not a configured provider."
            )
        );
    }
    let key = format!("{}:{}", provider(&s), s.client_id);
    let (ty, m) = refused(json!({key.clone(): {"Type": "Token"}}));
    assert_eq!(ty, "InvalidParameterException");
    assert!(m.contains("AmbiguousRoleResolution"), "{m}");
    let (ty, m) =
        refused(json!({key.clone(): {"Type": "Rules", "AmbiguousRoleResolution": "Deny"}}));
    assert_eq!(ty, "InvalidParameterException");
    assert!(m.contains("Rules are required"), "{m}");
    // Nothing was stored by the refusals; the right key is taken.
    let roles = id_op(&s, "GetIdentityPoolRoles", json!({"IdentityPoolId": pool})).unwrap();
    assert!(roles.get("RoleMappings").is_none(), "{roles}");
    id_op(
        &s,
        "SetIdentityPoolRoles",
        json!({"IdentityPoolId": pool, "Roles": {"authenticated": AUTH_ROLE},
               "RoleMappings": {key: token}}),
    )
    .unwrap();
    // A social provider the pool supports is a valid key too.
    let social = id_op(
        &s,
        "CreateIdentityPool",
        json!({"IdentityPoolName": "social", "AllowUnauthenticatedIdentities": false,
               "SupportedLoginProviders": {"graph.facebook.com": "1234567890"}}),
    )
    .unwrap();
    id_op(
        &s,
        "SetIdentityPoolRoles",
        json!({"IdentityPoolId": social["IdentityPoolId"], "Roles": {"authenticated": AUTH_ROLE},
               "RoleMappings": {"graph.facebook.com": token}}),
    )
    .unwrap();
}
