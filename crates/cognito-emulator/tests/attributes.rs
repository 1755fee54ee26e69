//! The pool schema and the rules for user attributes: standard and custom attributes,
//! required, immutable and unknown ones, the client's read and write lists, AWS's parsing of
//! values, reserved names (no self-issued claims) and unique sign-in aliases (no account
//! takeover), `AddCustomAttributes`, `AdminDeleteUserAttributes` and the masking of
//! `CodeDeliveryDetails.Destination`.

use cognito_emulator::{ClientConfig, MessageKind, PoolConfig};
use serde_json::{Map, Value, json};

use crate::common::{PASSWORD, Setup, claims, err, ok, setup, setup_with};

fn extra(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

/// A pool with custom attributes `custom:team` (mutable string of 2–5 characters),
/// `custom:badge` (immutable), `custom:level` (number 1–10), `custom:vip` (boolean) and a
/// developer-only `flag`, and e-mail as a verified sign-in alias.
fn schema_setup(client: ClientConfig) -> Setup {
    setup_with(
        PoolConfig {
            alias_attributes: vec!["email".into(), "phone_number".into()],
            extra: extra(json!({"Schema": [
                {"Name": "team", "AttributeDataType": "String", "Mutable": true,
                 "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "5"}},
                {"Name": "badge", "AttributeDataType": "String", "Mutable": false},
                {"Name": "level", "AttributeDataType": "Number",
                 "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "10"}},
                {"Name": "vip", "AttributeDataType": "Boolean"},
                {"Name": "flag", "AttributeDataType": "String", "DeveloperOnlyAttribute": true},
            ]})),
            ..Default::default()
        },
        client,
    )
}

fn attrs_of(v: &Value) -> Map<String, Value> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| Some((a["Name"].as_str()?.to_string(), a["Value"].clone())))
        .collect()
}

fn admin_attrs(s: &Setup, user: &str) -> Map<String, Value> {
    let u = ok(
        &s.emu,
        "AdminGetUser",
        json!({"UserPoolId": s.pool_id, "Username": user}),
    );
    attrs_of(&u["UserAttributes"])
}

fn sign_up(s: &Setup, user: &str, attrs: Value) -> Result<Value, (String, String)> {
    crate::common::op(
        &s.emu,
        "SignUp",
        json!({"ClientId": s.client_id, "Username": user, "Password": PASSWORD,
               "UserAttributes": attrs}),
    )
}

fn update(s: &Setup, access: &Value, attrs: Value) -> Result<Value, (String, String)> {
    crate::common::op(
        &s.emu,
        "UpdateUserAttributes",
        json!({"AccessToken": access, "UserAttributes": attrs}),
    )
}

fn admin_update(s: &Setup, user: &str, attrs: Value) -> Result<Value, (String, String)> {
    crate::common::op(
        &s.emu,
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": s.pool_id, "Username": user, "UserAttributes": attrs}),
    )
}

fn id_claims(s: &Setup, user: &str) -> Value {
    claims(s.tokens(user)["IdToken"].as_str().expect("id token"))
}

#[test]
fn describe_user_pool_lists_the_standard_and_custom_attributes() {
    let s = schema_setup(ClientConfig::default());
    let d = ok(&s.emu, "DescribeUserPool", json!({"UserPoolId": s.pool_id}));
    let pool = &d["UserPool"];
    assert!(
        pool.get("Schema").is_none(),
        "the request's Schema is not echoed"
    );
    let list = pool["SchemaAttributes"]
        .as_array()
        .expect("SchemaAttributes");
    let names: Vec<&str> = list.iter().filter_map(|a| a["Name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "sub",
            "name",
            "given_name",
            "family_name",
            "middle_name",
            "nickname",
            "preferred_username",
            "profile",
            "picture",
            "website",
            "email",
            "email_verified",
            "gender",
            "birthdate",
            "zoneinfo",
            "locale",
            "phone_number",
            "phone_number_verified",
            "address",
            "updated_at",
            "custom:team",
            "custom:badge",
            "custom:level",
            "custom:vip",
            "dev:custom:flag",
        ]
    );
    assert_eq!(
        list[0],
        json!({"Name": "sub", "AttributeDataType": "String", "DeveloperOnlyAttribute": false,
               "Mutable": false, "Required": true,
               "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "2048"}})
    );
    assert_eq!(
        list[20],
        json!({"Name": "custom:team", "AttributeDataType": "String",
               "DeveloperOnlyAttribute": false, "Mutable": true, "Required": false,
               "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "5"}})
    );
    assert_eq!(list[21]["Mutable"], false);
    assert_eq!(
        list[22]["NumberAttributeConstraints"],
        json!({"MinValue": "1", "MaxValue": "10"})
    );
    assert_eq!(list[24]["DeveloperOnlyAttribute"], true);
    // A standard attribute in Schema changes its flags only.
    let p = ok(
        &s.emu,
        "CreateUserPool",
        json!({"PoolName": "p2", "Schema": [{"Name": "email", "Required": true, "Mutable": false}]}),
    );
    let email = p["UserPool"]["SchemaAttributes"]
        .as_array()
        .and_then(|l| l.iter().find(|a| a["Name"] == "email").cloned())
        .expect("email");
    assert_eq!(email["Required"], true);
    assert_eq!(email["Mutable"], false);
    assert_eq!(email["AttributeDataType"], "String");
}

#[test]
fn schema_rules_at_creation_and_add_custom_attributes() {
    let s = schema_setup(ClientConfig::default());
    let (t, m) = err(
        &s.emu,
        "CreateUserPool",
        json!({"PoolName": "p", "Schema": [
            {"Name": "team", "AttributeDataType": "String", "Required": true}]}),
    );
    assert_eq!(t, "InvalidParameterException");
    assert_eq!(m, "Required custom attributes are not supported currently.");
    let fifty_one: Vec<Value> = (0..51)
        .map(|i| json!({"Name": format!("a{i}"), "AttributeDataType": "String"}))
        .collect();
    let (t, _) = err(
        &s.emu,
        "CreateUserPool",
        json!({"PoolName": "p", "Schema": fifty_one}),
    );
    assert_eq!(t, "InvalidParameterException");

    ok(
        &s.emu,
        "AddCustomAttributes",
        json!({"UserPoolId": s.pool_id, "CustomAttributes": [
            {"Name": "tier", "AttributeDataType": "String"}]}),
    );
    let (t, m) = err(
        &s.emu,
        "AddCustomAttributes",
        json!({"UserPoolId": s.pool_id, "CustomAttributes": [
            {"Name": "team", "AttributeDataType": "String"}]}),
    );
    assert_eq!(t, "InvalidParameterException");
    assert!(m.contains("custom:team"), "{m}");
    let (t, _) = err(
        &s.emu,
        "AddCustomAttributes",
        json!({"UserPoolId": "us-east-1_Nope00000", "CustomAttributes": [
            {"Name": "x", "AttributeDataType": "String"}]}),
    );
    assert_eq!(t, "ResourceNotFoundException");
    // The pool has 6 custom attributes now: 44 more fit, 45 do not.
    let many = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| json!({"Name": format!("m{i}"), "AttributeDataType": "String"}))
            .collect()
    };
    let first: Vec<Value> = many(44).into_iter().take(25).collect();
    let rest: Vec<Value> = many(44).into_iter().skip(25).collect();
    ok(
        &s.emu,
        "AddCustomAttributes",
        json!({"UserPoolId": s.pool_id, "CustomAttributes": first}),
    );
    ok(
        &s.emu,
        "AddCustomAttributes",
        json!({"UserPoolId": s.pool_id, "CustomAttributes": rest}),
    );
    let (t, _) = err(
        &s.emu,
        "AddCustomAttributes",
        json!({"UserPoolId": s.pool_id, "CustomAttributes": [
            {"Name": "one_more", "AttributeDataType": "String"}]}),
    );
    assert_eq!(t, "InvalidParameterException");
    // The new attribute is usable at once.
    s.user("tiered", &[("custom:tier", "gold")]);
    assert_eq!(admin_attrs(&s, "tiered")["custom:tier"], "gold");
}

#[test]
fn custom_attributes_name_their_type_and_standard_ones_keep_theirs() {
    let s = schema_setup(ClientConfig::default());
    // A custom attribute has no default data type, at creation or added later.
    let untyped =
        "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.";
    let (t, m) = err(
        &s.emu,
        "CreateUserPool",
        json!({"PoolName": "p", "Schema": [{"Name": "custom"}]}),
    );
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("InvalidParameterException", untyped)
    );
    let (t, m) = err(
        &s.emu,
        "AddCustomAttributes",
        json!({"UserPoolId": s.pool_id, "CustomAttributes": [{"Name": "later"}]}),
    );
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("InvalidParameterException", untyped)
    );
    // A standard attribute keeps its type and cannot become developer-only.
    for attr in [
        json!({"Name": "email", "AttributeDataType": "Number"}),
        json!({"Name": "updated_at", "AttributeDataType": "String"}),
        json!({"Name": "email", "DeveloperOnlyAttribute": true}),
    ] {
        let (t, m) = err(
            &s.emu,
            "CreateUserPool",
            json!({"PoolName": "p", "Schema": [attr.clone()]}),
        );
        assert_eq!(t, "InvalidParameterException", "{attr}");
        let name = attr["Name"].as_str().unwrap();
        assert_eq!(
            m,
            format!(
                "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {name}"
            )
        );
    }
    // Naming a standard attribute's own type, or none, is fine.
    ok(
        &s.emu,
        "CreateUserPool",
        json!({"PoolName": "p", "Schema": [
            {"Name": "email", "AttributeDataType": "String", "Required": true},
            {"Name": "updated_at", "Mutable": true}]}),
    );
}

#[test]
fn unknown_attributes_are_refused_everywhere() {
    let s = schema_setup(ClientConfig::default());
    let (t, m) = sign_up(&s, "u1", json!([{"Name": "custom:nope", "Value": "x"}])).unwrap_err();
    assert_eq!(t, "InvalidParameterException");
    assert_eq!(
        m,
        "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema."
    );
    // Without the prefix a custom attribute is unknown too.
    let (t, _) = sign_up(&s, "u1", json!([{"Name": "team", "Value": "red"}])).unwrap_err();
    assert_eq!(t, "InvalidParameterException");
    let (t, _) = err(
        &s.emu,
        "AdminCreateUser",
        json!({"UserPoolId": s.pool_id, "Username": "u2", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "favourite", "Value": "x"}]}),
    );
    assert_eq!(t, "InvalidParameterException");
    s.user("known", &[("email", "known@example.com")]);
    let at = s.tokens("known")["AccessToken"].clone();
    let (t, m) = update(&s, &at, json!([{"Name": "custom:nope", "Value": "x"}])).unwrap_err();
    assert_eq!(t, "InvalidParameterException");
    assert!(
        m.contains("custom:nope: Attribute does not exist in the schema."),
        "{m}"
    );
    let (t, _) = admin_update(&s, "known", json!([{"Name": "nope", "Value": "x"}])).unwrap_err();
    assert_eq!(t, "InvalidParameterException");
    assert!(!admin_attrs(&s, "known").contains_key("nope"));
    // Nothing was created by the refused requests.
    let (t, _) = err(
        &s.emu,
        "AdminGetUser",
        json!({"UserPoolId": s.pool_id, "Username": "u1"}),
    );
    assert_eq!(t, "UserNotFoundException");
}

#[test]
fn a_required_number_attribute_keeps_its_type() {
    let s = setup_with(
        PoolConfig {
            required_attributes: vec!["updated_at".into()],
            ..Default::default()
        },
        ClientConfig::default(),
    );
    let (t, m) = sign_up(&s, "n1", json!([])).unwrap_err();
    assert_eq!(t, "InvalidParameterException");
    assert!(m.contains("updated_at: The attribute is required"), "{m}");
    sign_up(
        &s,
        "n2",
        json!([{"Name": "updated_at", "Value": "1700000000"}]),
    )
    .unwrap();
}

#[test]
fn required_attributes_are_enforced_and_cannot_be_deleted() {
    let s = setup_with(
        PoolConfig {
            required_attributes: vec!["name".into()],
            ..Default::default()
        },
        ClientConfig::default(),
    );
    let (t, m) = sign_up(
        &s,
        "r1",
        json!([{"Name": "email", "Value": "r1@example.com"}]),
    )
    .unwrap_err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "InvalidParameterException",
            "Attributes did not conform to the schema: name: The attribute is required"
        )
    );
    s.user("r2", &[("name", "Ren")]);
    let at = s.tokens("r2")["AccessToken"].clone();
    let (t, m) = update(&s, &at, json!([{"Name": "name", "Value": ""}])).unwrap_err();
    assert_eq!(t, "InvalidParameterException");
    assert!(m.contains("name: The attribute is required"), "{m}");
    let (t, _) = err(
        &s.emu,
        "DeleteUserAttributes",
        json!({"AccessToken": at, "UserAttributeNames": ["name"]}),
    );
    assert_eq!(t, "InvalidParameterException");
    let (t, _) = err(
        &s.emu,
        "AdminDeleteUserAttributes",
        json!({"UserPoolId": s.pool_id, "Username": "r2", "UserAttributeNames": ["name"]}),
    );
    assert_eq!(t, "InvalidParameterException");
    assert_eq!(admin_attrs(&s, "r2")["name"], "Ren");
}

#[test]
fn an_immutable_attribute_is_set_once() {
    let s = schema_setup(ClientConfig::default());
    sign_up(&s, "imm", json!([{"Name": "custom:badge", "Value": "B-1"}])).expect("sign-up");
    ok(
        &s.emu,
        "AdminConfirmSignUp",
        json!({"UserPoolId": s.pool_id, "Username": "imm"}),
    );
    let at = s.tokens("imm")["AccessToken"].clone();
    let (t, m) = update(&s, &at, json!([{"Name": "custom:badge", "Value": "B-2"}])).unwrap_err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "InvalidParameterException",
            "Cannot modify the non-mutable attribute custom:badge"
        )
    );
    let (t, _) =
        admin_update(&s, "imm", json!([{"Name": "custom:badge", "Value": "B-3"}])).unwrap_err();
    assert_eq!(t, "InvalidParameterException");
    let (t, _) = err(
        &s.emu,
        "AdminDeleteUserAttributes",
        json!({"UserPoolId": s.pool_id, "Username": "imm", "UserAttributeNames": ["custom:badge"]}),
    );
    assert_eq!(t, "InvalidParameterException");
    assert_eq!(admin_attrs(&s, "imm")["custom:badge"], "B-1");
    // A user without a value may still get one.
    s.user("imm2", &[]);
    admin_update(
        &s,
        "imm2",
        json!([{"Name": "custom:badge", "Value": "B-9"}]),
    )
    .expect("first");
    assert_eq!(admin_attrs(&s, "imm2")["custom:badge"], "B-9");
}

#[test]
fn values_are_checked_against_type_and_constraints() {
    let s = schema_setup(ClientConfig::default());
    s.user("val", &[]);
    for (name, value, fragment) in [
        (
            "custom:team",
            "r",
            "custom:team: String must be no shorter than 2 characters",
        ),
        (
            "custom:team",
            "purple",
            "custom:team: String must be no longer than 5 characters",
        ),
        (
            "custom:level",
            "11",
            "custom:level: Number must be no greater than 10",
        ),
        (
            "custom:level",
            "0",
            "custom:level: Number must be no less than 1",
        ),
        ("custom:level", "ten", "custom:level"),
        ("custom:vip", "yes", "custom:vip"),
        (
            "updated_at",
            "-1",
            "updated_at: Number must be no less than 0",
        ),
        (
            "birthdate",
            "1999-1-1",
            "birthdate: String must be no shorter than 10 characters",
        ),
    ] {
        let (t, m) = admin_update(&s, "val", json!([{"Name": name, "Value": value}])).unwrap_err();
        assert_eq!(t, "InvalidParameterException", "{name}={value}");
        assert!(m.contains(fragment), "{name}={value}: {m}");
    }
    let long = "x".repeat(2049);
    let (t, _) = admin_update(&s, "val", json!([{"Name": "name", "Value": long}])).unwrap_err();
    assert!(t == "InvalidParameterException", "{t}");
    admin_update(
        &s,
        "val",
        json!([{"Name": "custom:team", "Value": "red"}, {"Name": "custom:level", "Value": "7"},
               {"Name": "custom:vip", "Value": "TRUE"}, {"Name": "birthdate", "Value": "1999-01-01"}]),
    )
    .expect("valid values");
    let a = admin_attrs(&s, "val");
    assert_eq!(a["custom:team"], "red");
    assert_eq!(a["custom:level"], "7");
    assert_eq!(a["custom:vip"], "true");
}

/// `email_verified` given as `"True"` is accepted (AWS parses booleans case-insensitively)
/// and stored as `"true"`; the ID token carries it as a JSON boolean.
#[test]
fn boolean_attributes_are_parsed_as_aws_parses_them() {
    let s = schema_setup(ClientConfig::default());
    ok(
        &s.emu,
        "AdminCreateUser",
        json!({"UserPoolId": s.pool_id, "Username": "boo", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "boo@example.com"},
                                  {"Name": "email_verified", "Value": "True"}]}),
    );
    ok(
        &s.emu,
        "AdminSetUserPassword",
        json!({"UserPoolId": s.pool_id, "Username": "boo", "Password": PASSWORD, "Permanent": true}),
    );
    assert_eq!(admin_attrs(&s, "boo")["email_verified"], "true");
    assert_eq!(id_claims(&s, "boo")["email_verified"], true);
    admin_update(
        &s,
        "boo",
        json!([{"Name": "email_verified", "Value": "FALSE"}]),
    )
    .expect("false");
    assert_eq!(admin_attrs(&s, "boo")["email_verified"], "false");
    let (t, _) =
        admin_update(&s, "boo", json!([{"Name": "email_verified", "Value": "1"}])).unwrap_err();
    assert_eq!(t, "InvalidParameterException");
}

#[test]
fn read_and_write_attributes_filter_the_client_but_not_the_admin() {
    let s = schema_setup(ClientConfig {
        extra: extra(json!({
            "ReadAttributes": ["email", "email_verified", "custom:team"],
            "WriteAttributes": ["email", "name", "custom:team"],
        })),
        ..Default::default()
    });
    s.user(
        "rw",
        &[
            ("email", "rw@example.com"),
            ("name", "Rae"),
            ("custom:team", "red"),
        ],
    );
    let tokens = s.tokens("rw");
    let at = tokens["AccessToken"].clone();
    // GetUser: only what the client may read (and sub).
    let u = ok(&s.emu, "GetUser", json!({"AccessToken": at}));
    let mut names: Vec<String> = attrs_of(&u["UserAttributes"]).keys().cloned().collect();
    names.sort();
    assert_eq!(names, ["custom:team", "email", "email_verified", "sub"]);
    // The ID token too.
    let id = claims(tokens["IdToken"].as_str().expect("id"));
    assert_eq!(id["custom:team"], "red");
    assert_eq!(id["email"], "rw@example.com");
    assert!(id.get("name").is_none(), "{id}");
    // The admin sees everything.
    let a = admin_attrs(&s, "rw");
    assert_eq!(a["name"], "Rae");
    // Writing outside WriteAttributes is refused, and nothing of the request is applied.
    let (t, m) = update(
        &s,
        &at,
        json!([{"Name": "custom:team", "Value": "blue"}, {"Name": "family_name", "Value": "X"}]),
    )
    .unwrap_err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "NotAuthorizedException",
            "A client attempted to write unauthorized attribute"
        )
    );
    assert_eq!(admin_attrs(&s, "rw")["custom:team"], "red");
    update(&s, &at, json!([{"Name": "custom:team", "Value": "blue"}])).expect("allowed");
    assert_eq!(admin_attrs(&s, "rw")["custom:team"], "blue");
    // SignUp through this client is limited the same way.
    let (t, _) = sign_up(&s, "rw2", json!([{"Name": "family_name", "Value": "X"}])).unwrap_err();
    assert_eq!(t, "NotAuthorizedException");
}

#[test]
fn developer_only_attributes_are_for_admins() {
    let s = schema_setup(ClientConfig::default());
    let (t, _) = sign_up(
        &s,
        "dev1",
        json!([{"Name": "dev:custom:flag", "Value": "x"}]),
    )
    .unwrap_err();
    assert_eq!(t, "NotAuthorizedException");
    s.user("dev2", &[]);
    admin_update(
        &s,
        "dev2",
        json!([{"Name": "dev:custom:flag", "Value": "on"}]),
    )
    .expect("admin");
    assert_eq!(admin_attrs(&s, "dev2")["dev:custom:flag"], "on");
    let at = s.tokens("dev2")["AccessToken"].clone();
    let (t, _) = update(
        &s,
        &at,
        json!([{"Name": "dev:custom:flag", "Value": "off"}]),
    )
    .unwrap_err();
    assert_eq!(t, "NotAuthorizedException");
}

/// Issue 15 #1: SignUp accepted `email_verified`, `phone_number_verified` and `cognito:*`
/// names, stored them and signed them into the ID token.
#[test]
fn sign_up_cannot_issue_itself_claims() {
    let s = schema_setup(ClientConfig::default());
    for attrs in [
        json!([{"Name": "email", "Value": "m@example.com"}, {"Name": "email_verified", "Value": "true"}]),
        json!([{"Name": "phone_number", "Value": "+15550001"}, {"Name": "phone_number_verified", "Value": "true"}]),
    ] {
        let (t, m) = sign_up(&s, "mallory", attrs).unwrap_err();
        assert_eq!(
            (t.as_str(), m.as_str()),
            (
                "NotAuthorizedException",
                "A client attempted to write unauthorized attribute"
            )
        );
    }
    for name in [
        "cognito:groups",
        "cognito:roles",
        "cognito:preferred_role",
        "iss",
        "token_use",
        "identities",
    ] {
        let (t, _) =
            sign_up(&s, "mallory", json!([{"Name": name, "Value": "admins"}])).unwrap_err();
        assert_eq!(t, "InvalidParameterException", "{name}");
    }
    let (t, _) = sign_up(&s, "mallory", json!([{"Name": "sub", "Value": "0000"}])).unwrap_err();
    assert_eq!(t, "InvalidParameterException");
    // Nothing was created.
    let (t, _) = err(
        &s.emu,
        "AdminGetUser",
        json!({"UserPoolId": s.pool_id, "Username": "mallory"}),
    );
    assert_eq!(t, "UserNotFoundException");
    // A plain sign-up's token carries no such claim and an unverified e-mail.
    sign_up(
        &s,
        "mallory",
        json!([{"Name": "email", "Value": "m@example.com"}]),
    )
    .expect("sign-up");
    ok(
        &s.emu,
        "AdminConfirmSignUp",
        json!({"UserPoolId": s.pool_id, "Username": "mallory"}),
    );
    let id = id_claims(&s, "mallory");
    assert!(id.get("cognito:groups").is_none(), "{id}");
    assert_ne!(id["email_verified"], true, "{id}");
}

/// Issue 15 #1, the other paths: UpdateUserAttributes, the admin operations and
/// NEW_PASSWORD_REQUIRED.
#[test]
fn no_path_writes_a_reserved_claim() {
    let s = schema_setup(ClientConfig::default());
    s.user("eve", &[("email", "eve@example.com")]);
    let at = s.tokens("eve")["AccessToken"].clone();
    let (t, _) = update(
        &s,
        &at,
        json!([{"Name": "email_verified", "Value": "true"}]),
    )
    .unwrap_err();
    assert_eq!(t, "NotAuthorizedException");
    let (t, _) = update(
        &s,
        &at,
        json!([{"Name": "phone_number_verified", "Value": "true"}]),
    )
    .unwrap_err();
    assert_eq!(t, "NotAuthorizedException");
    for name in ["cognito:groups", "cognito:roles", "aud", "origin_jti"] {
        let (t, _) = update(&s, &at, json!([{"Name": name, "Value": "x"}])).unwrap_err();
        assert_eq!(t, "InvalidParameterException", "{name}");
        let (t, _) = admin_update(&s, "eve", json!([{"Name": name, "Value": "x"}])).unwrap_err();
        assert_eq!(t, "InvalidParameterException", "{name}");
    }
    let (t, _) = update(&s, &at, json!([{"Name": "sub", "Value": "x"}])).unwrap_err();
    assert_eq!(t, "InvalidParameterException");
    let (t, m) = admin_update(&s, "eve", json!([{"Name": "sub", "Value": "x"}])).unwrap_err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "InvalidParameterException",
            "Cannot modify the non-mutable attribute sub"
        )
    );
    let (t, _) = err(
        &s.emu,
        "AdminCreateUser",
        json!({"UserPoolId": s.pool_id, "Username": "eve2", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "cognito:groups", "Value": "admins"}]}),
    );
    assert_eq!(t, "InvalidParameterException");
    let (t, _) = err(
        &s.emu,
        "AdminCreateUser",
        json!({"UserPoolId": s.pool_id, "Username": "eve2", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "sub", "Value": "0000"}]}),
    );
    assert_eq!(t, "InvalidParameterException");
    // The administrator may verify an address.
    admin_update(
        &s,
        "eve",
        json!([{"Name": "phone_number", "Value": "+15550002"},
                                   {"Name": "phone_number_verified", "Value": "true"}]),
    )
    .expect("admin verifies");
    let id = id_claims(&s, "eve");
    assert_eq!(id["phone_number_verified"], true);
    assert_ne!(id["sub"], "x");
    // NEW_PASSWORD_REQUIRED is a client write too.
    ok(
        &s.emu,
        "AdminCreateUser",
        json!({"UserPoolId": s.pool_id, "Username": "newbie", "TemporaryPassword": "Temp0rary!",
               "MessageAction": "SUPPRESS"}),
    );
    let ch = s.password_auth("newbie", "Temp0rary!").expect("challenge");
    assert_eq!(ch["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let (t, _) = s
        .respond(
            "NEW_PASSWORD_REQUIRED",
            &ch["Session"],
            json!({"USERNAME": "newbie", "NEW_PASSWORD": "N3wPassw0rd!",
                   "userAttributes.cognito:groups": "admins"}),
        )
        .unwrap_err();
    assert_eq!(t, "InvalidParameterException");
}

fn alias_pool() -> Setup {
    setup_with(
        PoolConfig {
            alias_attributes: vec!["email".into(), "phone_number".into()],
            ..Default::default()
        },
        ClientConfig::default(),
    )
}

fn username_behind(s: &Setup, alias: &str) -> String {
    let r = s.password_auth(alias, PASSWORD).expect("sign-in by alias");
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().expect("id"));
    id["cognito:username"]
        .as_str()
        .expect("username")
        .to_string()
}

/// Issue 15 #2: a second user could claim a verified e-mail, and sign-in by that alias then
/// reached the attacker's account.
#[test]
fn a_verified_alias_cannot_be_taken_by_sign_up() {
    let s = alias_pool();
    s.user("victim", &[("email", "victim@example.com")]);
    // Signing up with the address is allowed (it is unverified, so no alias yet) ...
    sign_up(
        &s,
        "attacker",
        json!([{"Name": "email", "Value": "Victim@Example.com"}]),
    )
    .expect("sign-up");
    // ... but confirming it, which verifies it, is refused.
    let code = s
        .emu
        .last_code("attacker", MessageKind::SignUp)
        .expect("code");
    let (t, m) = err(
        &s.emu,
        "ConfirmSignUp",
        json!({"ClientId": s.client_id, "Username": "attacker", "ConfirmationCode": code}),
    );
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "AliasExistsException",
            "An account with the given email already exists."
        )
    );
    assert_eq!(username_behind(&s, "victim@example.com"), "victim");
    // ForceAliasCreation moves the alias, as AWS documents.
    ok(
        &s.emu,
        "ConfirmSignUp",
        json!({"ClientId": s.client_id, "Username": "attacker", "ConfirmationCode": code,
               "ForceAliasCreation": true}),
    );
    assert_eq!(username_behind(&s, "victim@example.com"), "attacker");
    assert_eq!(admin_attrs(&s, "victim")["email_verified"], "false");
}

/// A username shaped like an e-mail address or phone number would compete with that alias:
/// sign-in tries usernames before aliases, so whoever signed up as `victim@example.com`
/// first got the sign-ins (and forgotten-password codes) of the user who later verified that
/// address. AWS refuses such usernames in pools with the alias.
#[test]
fn a_username_cannot_take_the_shape_of_an_alias() {
    let s = alias_pool();
    for (name, message) in [
        (
            "victim@example.com",
            "Username cannot be of email format, since user pool is configured for email alias.",
        ),
        (
            "+15550100",
            "Username cannot be of phone number format, since user pool is configured for phone number alias.",
        ),
    ] {
        let (t, m) = sign_up(&s, name, json!([])).unwrap_err();
        assert_eq!(
            (t.as_str(), m.as_str()),
            ("InvalidParameterException", message)
        );
        let (t, m) = err(
            &s.emu,
            "AdminCreateUser",
            json!({"UserPoolId": s.pool_id, "Username": name, "MessageAction": "SUPPRESS"}),
        );
        assert_eq!(
            (t.as_str(), m.as_str()),
            ("InvalidParameterException", message)
        );
    }
    // The victim who verifies the address later signs in with it into their own account.
    s.user("victim", &[("email", "victim@example.com")]);
    assert_eq!(username_behind(&s, "victim@example.com"), "victim");
    // Usernames of that shape stay allowed where the attribute is no alias.
    let plain = setup();
    sign_up(&plain, "someone@example.com", json!([])).expect("sign-up");
    sign_up(&plain, "+15550100", json!([])).expect("sign-up");
}

#[test]
fn a_verified_alias_cannot_be_taken_by_updating_attributes() {
    let s = alias_pool();
    s.user("victim", &[("email", "victim@example.com")]);
    s.user("attacker", &[("email", "attacker@example.com")]);
    let at = s.tokens("attacker")["AccessToken"].clone();
    // The self-verification of issue 15 #1 is gone ...
    let (t, _) = update(
        &s,
        &at,
        json!([{"Name": "email", "Value": "victim@example.com"},
               {"Name": "email_verified", "Value": "true"}]),
    )
    .unwrap_err();
    assert_eq!(t, "NotAuthorizedException");
    // ... the new value is unverified ...
    update(
        &s,
        &at,
        json!([{"Name": "email", "Value": "victim@example.com"}]),
    )
    .expect("update");
    assert_eq!(admin_attrs(&s, "attacker")["email_verified"], "false");
    assert_eq!(username_behind(&s, "victim@example.com"), "victim");
    // ... and verifying it is refused while the victim holds it.
    let code = s
        .emu
        .last_code("attacker", MessageKind::VerifyAttribute)
        .expect("code");
    let (t, _) = err(
        &s.emu,
        "VerifyUserAttribute",
        json!({"AccessToken": at, "AttributeName": "email", "Code": code}),
    );
    assert_eq!(t, "AliasExistsException");
    assert_eq!(username_behind(&s, "victim@example.com"), "victim");
    // The administrator cannot give it away without moving it either.
    let (t, m) = admin_update(
        &s,
        "attacker",
        json!([{"Name": "email", "Value": "victim@example.com"},
               {"Name": "email_verified", "Value": "true"}]),
    )
    .unwrap_err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "AliasExistsException",
            "An account with the given email already exists."
        )
    );
    // The same for phone numbers.
    let phone = json!([{"Name": "phone_number", "Value": "+15550003"},
                       {"Name": "phone_number_verified", "Value": "true"}]);
    admin_update(&s, "attacker", phone.clone()).expect("a free number");
    let (t, m) = admin_update(&s, "victim", phone).unwrap_err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "AliasExistsException",
            "An account with the given phone_number already exists."
        )
    );
}

#[test]
fn admin_create_user_moves_an_alias_only_when_forced() {
    let s = alias_pool();
    s.user("first", &[("email", "shared@example.com")]);
    let create = |force: bool| {
        crate::common::op(
            &s.emu,
            "AdminCreateUser",
            json!({"UserPoolId": s.pool_id, "Username": "second", "MessageAction": "SUPPRESS",
                   "ForceAliasCreation": force,
                   "UserAttributes": [{"Name": "email", "Value": "shared@example.com"},
                                      {"Name": "email_verified", "Value": "true"}]}),
        )
    };
    let (t, _) = create(false).unwrap_err();
    assert_eq!(t, "AliasExistsException");
    create(true).expect("forced");
    ok(
        &s.emu,
        "AdminSetUserPassword",
        json!({"UserPoolId": s.pool_id, "Username": "second", "Password": PASSWORD, "Permanent": true}),
    );
    assert_eq!(username_behind(&s, "shared@example.com"), "second");
    assert_eq!(admin_attrs(&s, "first")["email_verified"], "false");
    // Unverified, the address is no alias and needs no force.
    ok(
        &s.emu,
        "AdminCreateUser",
        json!({"UserPoolId": s.pool_id, "Username": "third", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "shared@example.com"}]}),
    );
    assert_eq!(username_behind(&s, "shared@example.com"), "second");
}

/// Issue 15 #2: in an e-mail-as-username pool AdminUpdateUserAttributes let one user take
/// another's e-mail.
#[test]
fn an_email_username_cannot_be_taken_at_all() {
    let s = setup_with(
        PoolConfig {
            username_attributes: vec!["email".into()],
            ..Default::default()
        },
        ClientConfig::default(),
    );
    let a = s
        .emu
        .create_user(&s.pool_id, "a@example.com", PASSWORD, &[])
        .expect("a");
    let b = s
        .emu
        .create_user(&s.pool_id, "b@example.com", PASSWORD, &[])
        .expect("b");
    for verified in [None, Some("true"), Some("false")] {
        let mut attrs = vec![json!({"Name": "email", "Value": "A@example.com"})];
        if let Some(v) = verified {
            attrs.push(json!({"Name": "email_verified", "Value": v}));
        }
        let (t, m) = admin_update(&s, &b, json!(attrs)).unwrap_err();
        assert_eq!(
            (t.as_str(), m.as_str()),
            (
                "AliasExistsException",
                "An account with the given email already exists."
            )
        );
    }
    let at = s.tokens("b@example.com")["AccessToken"].clone();
    let (t, _) = update(
        &s,
        &at,
        json!([{"Name": "email", "Value": "a@example.com"}]),
    )
    .unwrap_err();
    assert_eq!(t, "AliasExistsException");
    let (t, _) = sign_up(&s, "a@example.com", json!([])).unwrap_err();
    assert_eq!(t, "UsernameExistsException");
    let r = s
        .password_auth("a@example.com", PASSWORD)
        .expect("a signs in");
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().expect("id"));
    assert_eq!(id["sub"], a);
    // b may move to a free address, which then signs b in.
    admin_update(&s, &b, json!([{"Name": "email", "Value": "c@example.com"}])).expect("free");
    let r = s
        .password_auth("c@example.com", PASSWORD)
        .expect("b by new address");
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().expect("id"));
    assert_eq!(id["sub"], b);
    assert!(s.password_auth("b@example.com", PASSWORD).is_err());
}

#[test]
fn admin_delete_user_attributes() {
    let s = alias_pool();
    s.user(
        "del",
        &[
            ("email", "del@example.com"),
            ("name", "Del"),
            ("nickname", "D"),
        ],
    );
    assert_eq!(username_behind(&s, "del@example.com"), "del");
    ok(
        &s.emu,
        "AdminDeleteUserAttributes",
        json!({"UserPoolId": s.pool_id, "Username": "del", "UserAttributeNames": ["nickname", "email"]}),
    );
    let a = admin_attrs(&s, "del");
    assert!(!a.contains_key("nickname"));
    assert!(!a.contains_key("email"));
    assert!(!a.contains_key("email_verified"), "{a:?}");
    assert_eq!(a["name"], "Del");
    // The alias went with the address.
    assert!(s.password_auth("del@example.com", PASSWORD).is_err());
    let bad = |names: Value| {
        err(
            &s.emu,
            "AdminDeleteUserAttributes",
            json!({"UserPoolId": s.pool_id, "Username": "del", "UserAttributeNames": names}),
        )
        .0
    };
    assert_eq!(bad(json!(["sub"])), "InvalidParameterException");
    assert_eq!(bad(json!(["custom:nope"])), "InvalidParameterException");
    let (t, _) = err(
        &s.emu,
        "AdminDeleteUserAttributes",
        json!({"UserPoolId": s.pool_id, "Username": "nobody", "UserAttributeNames": ["name"]}),
    );
    assert_eq!(t, "UserNotFoundException");
}

/// A new e-mail set by an administrator is unverified unless the request verifies it, so a
/// verified flag never carries over to another address.
#[test]
fn a_changed_address_is_unverified() {
    let s = alias_pool();
    s.user("mover", &[("email", "old@example.com")]);
    admin_update(
        &s,
        "mover",
        json!([{"Name": "email", "Value": "new@example.com"}]),
    )
    .expect("moved");
    assert_eq!(admin_attrs(&s, "mover")["email_verified"], "false");
    assert!(s.password_auth("new@example.com", PASSWORD).is_err());
    assert!(s.password_auth("old@example.com", PASSWORD).is_err());
}

#[test]
fn destinations_are_masked_as_aws_masks_them() {
    let s = setup_with(
        PoolConfig {
            auto_verified_attributes: vec!["phone_number".into()],
            ..Default::default()
        },
        ClientConfig::default(),
    );
    let r = sign_up(
        &s,
        "masked",
        json!([{"Name": "phone_number", "Value": "+15551234567"}]),
    )
    .expect("sign-up");
    assert_eq!(
        r["CodeDeliveryDetails"],
        json!({"Destination": "+*******4567", "DeliveryMedium": "SMS", "AttributeName": "phone_number"})
    );
    let s = setup_with(PoolConfig::default(), ClientConfig::default());
    let r = sign_up(
        &s,
        "masked",
        json!([{"Name": "email", "Value": "tom.smith@example.co.uk"}]),
    )
    .expect("sign-up");
    assert_eq!(r["CodeDeliveryDetails"]["Destination"], "t***@e***");
}

/// Cognito takes phone numbers only as `+`, the country code and digits (E.164), from every
/// operation that writes attributes, and says so in its own words.
#[test]
fn a_phone_number_must_be_plus_and_digits() {
    let s = alias_pool();
    for bad in [
        "0400000000",
        "+1 555 0100",
        "+",
        "(555) 0100",
        "+1-555-0100",
    ] {
        let (t, m) = crate::common::op(
            &s.emu,
            "AdminCreateUser",
            json!({"UserPoolId": s.pool_id, "Username": "ph", "MessageAction": "SUPPRESS",
                   "UserAttributes": [{"Name": "phone_number", "Value": bad}]}),
        )
        .unwrap_err();
        assert_eq!(
            (t.as_str(), m.as_str()),
            ("InvalidParameterException", "Invalid phone number format."),
            "{bad}"
        );
        let (t, m) =
            sign_up(&s, "ph", json!([{"Name": "phone_number", "Value": bad}])).unwrap_err();
        assert_eq!(
            (t.as_str(), m.as_str()),
            ("InvalidParameterException", "Invalid phone number format.")
        );
    }
    s.user("ph", &[("phone_number", "+61400000000")]);
    let (t, m) = admin_update(
        &s,
        "ph",
        json!([{"Name": "phone_number", "Value": "0400000000"}]),
    )
    .unwrap_err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("InvalidParameterException", "Invalid phone number format.")
    );
    let at = s.tokens("ph")["AccessToken"].clone();
    let (t, _) = update(
        &s,
        &at,
        json!([{"Name": "phone_number", "Value": "61400000001"}]),
    )
    .unwrap_err();
    assert_eq!(t, "InvalidParameterException");
    update(
        &s,
        &at,
        json!([{"Name": "phone_number", "Value": "+61400000001"}]),
    )
    .expect("E.164");
    assert_eq!(admin_attrs(&s, "ph")["phone_number"], "+61400000001");
}

/// An administrator's change of an automatically verified address sends the user a code for
/// the new address (AdminUpdateUserAttributes invokes the custom message trigger for it), unless
/// the same request marks the address verified.
#[test]
fn an_admin_change_of_an_address_sends_a_verification_code() {
    let s = setup();
    s.user(
        "moved",
        &[("email", "old@example.com"), ("email_verified", "true")],
    );
    admin_update(
        &s,
        "moved",
        json!([{"Name": "email", "Value": "new@example.com"}]),
    )
    .expect("update");
    let sent = s.emu.messages(Some("moved"));
    let last = sent.last().expect("a message");
    assert_eq!(last.kind, "VERIFY_ATTRIBUTE");
    assert_eq!(last.destination, "new@example.com");
    assert_eq!(admin_attrs(&s, "moved")["email_verified"], "false");
    let code = s
        .emu
        .last_code("moved", MessageKind::VerifyAttribute)
        .expect("code");
    let at = s.tokens("moved")["AccessToken"].clone();
    ok(
        &s.emu,
        "VerifyUserAttribute",
        json!({"AccessToken": at, "AttributeName": "email", "Code": code}),
    );
    assert_eq!(admin_attrs(&s, "moved")["email_verified"], "true");
    // Marked verified in the same request: nothing is sent.
    let before = s.emu.messages(Some("moved")).len();
    admin_update(
        &s,
        "moved",
        json!([{"Name": "email", "Value": "third@example.com"},
               {"Name": "email_verified", "Value": "true"}]),
    )
    .expect("update");
    assert_eq!(s.emu.messages(Some("moved")).len(), before);
    assert_eq!(admin_attrs(&s, "moved")["email"], "third@example.com");
}

/// With `AttributesRequireVerificationBeforeUpdate`, a new e-mail waits for its code: the old
/// address stays, verified and usable to sign in, until VerifyUserAttribute; then the new one
/// replaces it. An administrator can skip the wait by marking the new address verified.
#[test]
fn an_address_requiring_verification_changes_only_once_verified() {
    let s = setup_with(
        PoolConfig {
            alias_attributes: vec!["email".into()],
            extra: extra(json!({"UserAttributeUpdateSettings": {
                "AttributesRequireVerificationBeforeUpdate": ["email"]}})),
            ..Default::default()
        },
        ClientConfig::default(),
    );
    s.user(
        "held",
        &[("email", "old@example.com"), ("email_verified", "true")],
    );
    let at = s.tokens("held")["AccessToken"].clone();
    let r = update(
        &s,
        &at,
        json!([{"Name": "email", "Value": "new@example.com"}]),
    )
    .expect("update");
    assert_eq!(r["CodeDeliveryDetailsList"][0]["AttributeName"], "email");
    let a = admin_attrs(&s, "held");
    assert_eq!(a["email"], "old@example.com");
    assert_eq!(a["email_verified"], "true");
    assert_eq!(username_behind(&s, "old@example.com"), "held");
    assert!(s.password_auth("new@example.com", PASSWORD).is_err());
    let sent = s.emu.messages(Some("held"));
    assert_eq!(sent.last().expect("sent").destination, "new@example.com");
    let code = s
        .emu
        .last_code("held", MessageKind::VerifyAttribute)
        .expect("code");
    // A wrong code changes nothing.
    let (t, _) = err(
        &s.emu,
        "VerifyUserAttribute",
        json!({"AccessToken": at, "AttributeName": "email", "Code": "000000"}),
    );
    assert_eq!(t, "CodeMismatchException");
    assert_eq!(admin_attrs(&s, "held")["email"], "old@example.com");
    ok(
        &s.emu,
        "VerifyUserAttribute",
        json!({"AccessToken": at, "AttributeName": "email", "Code": code}),
    );
    let a = admin_attrs(&s, "held");
    assert_eq!(a["email"], "new@example.com");
    assert_eq!(a["email_verified"], "true");
    assert_eq!(username_behind(&s, "new@example.com"), "held");
    assert!(s.password_auth("old@example.com", PASSWORD).is_err());
    // The administrator's change waits too, unless it marks the address verified.
    admin_update(
        &s,
        "held",
        json!([{"Name": "email", "Value": "admin@example.com"}]),
    )
    .expect("update");
    assert_eq!(admin_attrs(&s, "held")["email"], "new@example.com");
    admin_update(
        &s,
        "held",
        json!([{"Name": "email", "Value": "now@example.com"},
               {"Name": "email_verified", "Value": "true"}]),
    )
    .expect("update");
    let a = admin_attrs(&s, "held");
    assert_eq!(a["email"], "now@example.com");
    assert_eq!(a["email_verified"], "true");
    // The earlier pending address is gone with it: its code no longer applies it.
    let code = s
        .emu
        .last_code("held", MessageKind::VerifyAttribute)
        .expect("code");
    let _ = crate::common::op(
        &s.emu,
        "VerifyUserAttribute",
        json!({"AccessToken": s.tokens("held")["AccessToken"], "AttributeName": "email", "Code": code}),
    );
    assert_eq!(admin_attrs(&s, "held")["email"], "now@example.com");
}

/// A verification code proves access to the address it was sent to, and to no other. Codes
/// were kept per attribute, not per value: a user asked for a code at their own address,
/// changed the e-mail to someone else's (no new code where e-mail is not auto-verified) and
/// verified that address with the old code; and where a new address waits for verification,
/// a code asked for afterwards went to the old address yet verified the new one. Either way
/// the attacker's account held the victim's address verified, as an alias and in its tokens.
#[test]
fn a_verification_code_verifies_only_the_address_it_was_sent_to() {
    let quiet = setup_with(
        PoolConfig {
            alias_attributes: vec!["email".into()],
            auto_verified_attributes: vec!["phone_number".into()],
            ..Default::default()
        },
        ClientConfig::default(),
    );
    quiet.user(
        "mallory",
        &[("email", "mallory@example.com"), ("email_verified", "true")],
    );
    let at = quiet.tokens("mallory")["AccessToken"].clone();
    ok(
        &quiet.emu,
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": at, "AttributeName": "email"}),
    );
    let code = quiet
        .emu
        .last_code("mallory", MessageKind::VerifyAttribute)
        .expect("code");
    update(
        &quiet,
        &at,
        json!([{"Name": "email", "Value": "victim@example.com"}]),
    )
    .expect("update");
    let (t, _) = err(
        &quiet.emu,
        "VerifyUserAttribute",
        json!({"AccessToken": at, "AttributeName": "email", "Code": code}),
    );
    assert_eq!(t, "ExpiredCodeException");
    assert_eq!(admin_attrs(&quiet, "mallory")["email_verified"], "false");
    assert!(quiet.password_auth("victim@example.com", PASSWORD).is_err());

    let held = setup_with(
        PoolConfig {
            alias_attributes: vec!["email".into()],
            extra: extra(json!({"UserAttributeUpdateSettings": {
                "AttributesRequireVerificationBeforeUpdate": ["email"]}})),
            ..Default::default()
        },
        ClientConfig::default(),
    );
    held.user(
        "mallory",
        &[("email", "mallory@example.com"), ("email_verified", "true")],
    );
    let at = held.tokens("mallory")["AccessToken"].clone();
    update(
        &held,
        &at,
        json!([{"Name": "email", "Value": "victim@example.com"}]),
    )
    .expect("update");
    ok(
        &held.emu,
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": at, "AttributeName": "email"}),
    );
    // The code for the waiting address goes to that address, where only its owner reads it.
    let sent = held.emu.messages(Some("mallory"));
    let last = sent.last().expect("sent");
    assert_eq!(last.destination, "victim@example.com");
    let a = admin_attrs(&held, "mallory");
    assert_eq!(a["email"], "mallory@example.com");
    assert_eq!(username_behind(&held, "mallory@example.com"), "mallory");
    // The owner's code verifies it (and moves the address) as before.
    ok(
        &held.emu,
        "VerifyUserAttribute",
        json!({"AccessToken": at, "AttributeName": "email", "Code": last.code}),
    );
    assert_eq!(admin_attrs(&held, "mallory")["email"], "victim@example.com");
}
