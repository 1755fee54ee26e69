//! Stored resources: pools and clients described with AWS's defaults and replaced by
//! `Update*`, the pool MFA configuration, groups and their token claims, pagination, tags,
//! admin device operations, resource servers, domains and identity providers.

use crate::common;

use cognito_emulator::{ClientConfig, MessageKind, MfaConfiguration, PoolConfig};
use common::*;
use serde_json::{Value, json};

fn bare_pool(emu: &cognito_emulator::EmulatorHandle, name: &str) -> String {
    let r = ok(emu, "CreateUserPool", json!({ "PoolName": name }));
    r["UserPool"]["Id"].as_str().unwrap().to_string()
}

fn start() -> cognito_emulator::EmulatorHandle {
    cognito_emulator::Emulator::start_blocking().expect("emulator")
}

// ---------------------------------------------------------------------------------------
// MFA configuration

#[test]
fn a_totp_only_pool_offers_only_totp_in_mfa_setup() {
    let s = setup_with(PoolConfig::default(), ClientConfig::default());
    let m = ok(
        &s.emu,
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": s.pool_id, "MfaConfiguration": "ON",
               "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
    );
    assert_eq!(
        m,
        json!({"MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": {"Enabled": true}})
    );
    let g = ok(
        &s.emu,
        "GetUserPoolMfaConfig",
        json!({"UserPoolId": s.pool_id}),
    );
    assert_eq!(g, m, "absent configurations are absent, not {{}}");
    s.user("tina", &[("email", "tina@example.com")]);
    let ch = s.password_auth("tina", PASSWORD).unwrap();
    assert_eq!(ch["ChallengeName"], "MFA_SETUP");
    assert_eq!(
        ch["ChallengeParameters"]["MFAS_CAN_SETUP"],
        "[\"SOFTWARE_TOKEN_MFA\"]"
    );
    // E-mail MFA is not enabled: setting it up is refused.
    let (ty, _) = s
        .respond(
            "MFA_SETUP",
            &ch["Session"],
            json!({"USERNAME": "tina", "EMAIL": "tina@example.com"}),
        )
        .unwrap_err();
    assert_eq!(ty, "InvalidParameterException");
}

#[test]
fn mfa_on_needs_an_enabled_method_and_off_takes_none() {
    // The pool sends e-mail through SES, which e-mail MFA needs.
    let s = setup_with(
        PoolConfig {
            extra: ses_email(),
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    );
    for body in [
        json!({"MfaConfiguration": "ON"}),
        json!({"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": false}}),
    ] {
        let mut body = body;
        body["UserPoolId"] = json!(s.pool_id);
        let (ty, m) = err(&s.emu, "SetUserPoolMfaConfig", body);
        assert_eq!(ty, "InvalidParameterException");
        assert_eq!(
            m,
            "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."
        );
    }
    let (ty, m) = err(
        &s.emu,
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": s.pool_id, "MfaConfiguration": "OFF",
               "EmailMfaConfiguration": {"Message": "{####}", "Subject": "code"}}),
    );
    assert_eq!(ty, "InvalidParameterException");
    assert!(m.contains("can't turn off MFA and configure an MFA together"));
    // An e-mail configuration that is present means e-mail MFA is enabled.
    let r = ok(
        &s.emu,
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": s.pool_id, "MfaConfiguration": "OPTIONAL",
               "EmailMfaConfiguration": {"Message": "Code {####}", "Subject": "Your code"}}),
    );
    assert_eq!(
        r,
        json!({"MfaConfiguration": "OPTIONAL",
               "EmailMfaConfiguration": {"Message": "Code {####}", "Subject": "Your code"}})
    );
    let d = ok(&s.emu, "DescribeUserPool", json!({"UserPoolId": s.pool_id}));
    assert_eq!(d["UserPool"]["MfaConfiguration"], "OPTIONAL");
    // UpdateUserPool cannot turn MFA on once every method is off.
    ok(
        &s.emu,
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": s.pool_id, "MfaConfiguration": "OFF"}),
    );
    let (ty, _) = err(
        &s.emu,
        "UpdateUserPool",
        json!({"UserPoolId": s.pool_id, "MfaConfiguration": "ON"}),
    );
    assert_eq!(ty, "InvalidParameterException");
}

#[test]
fn a_pool_without_mfa_reports_only_its_mode() {
    let emu = start();
    let id = bare_pool(&emu, "p");
    let g = ok(&emu, "GetUserPoolMfaConfig", json!({"UserPoolId": id}));
    assert_eq!(g, json!({"MfaConfiguration": "OFF"}));
}

#[test]
fn mfa_type_selection_offers_only_methods_the_pool_enabled() {
    let s = setup_with(
        PoolConfig {
            mfa: MfaConfiguration::Optional,
            extra: ses_email(),
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    );
    s.user(
        "sam",
        &[
            ("email", "sam@example.com"),
            ("phone_number", "+15550001111"),
        ],
    );
    let at = s.tokens("sam")["AccessToken"].clone();
    ok(
        &s.emu,
        "SetUserMFAPreference",
        json!({"AccessToken": at, "SMSMfaSettings": {"Enabled": true},
               "EmailMfaSettings": {"Enabled": true}}),
    );
    // Both methods enabled by the pool (never configured): the user chooses.
    let ch = s.password_auth("sam", PASSWORD).unwrap();
    assert_eq!(ch["ChallengeName"], "SELECT_MFA_TYPE");
    assert_eq!(
        ch["ChallengeParameters"]["MFAS_CAN_CHOOSE"],
        "[\"SMS_MFA\",\"EMAIL_OTP\"]"
    );
    // The pool keeps only e-mail: no choice left, the e-mail code is sent.
    ok(
        &s.emu,
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": s.pool_id, "MfaConfiguration": "OPTIONAL",
               "EmailMfaConfiguration": {}}),
    );
    let ch = s.password_auth("sam", PASSWORD).unwrap();
    assert_eq!(ch["ChallengeName"], "EMAIL_OTP");
}

#[test]
fn confirm_sign_up_answers_a_session_for_auto_sign_in_without_one() {
    let s = setup_with(
        PoolConfig {
            allowed_first_auth_factors: vec!["PASSWORD".into(), "EMAIL_OTP".into()],
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    );
    ok(
        &s.emu,
        "SignUp",
        json!({"ClientId": s.client_id, "Username": "amy", "Password": PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": "amy@example.com"}]}),
    );
    let code = s.emu.last_code("amy", MessageKind::SignUp).unwrap();
    // As Amplify does: no sign-up Session in the request.
    let c = ok(
        &s.emu,
        "ConfirmSignUp",
        json!({"ClientId": s.client_id, "Username": "amy", "ConfirmationCode": code}),
    );
    let session = c["Session"].clone();
    assert!(session.as_str().is_some_and(|t| t.len() >= 20));
    let out = ok(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "USER_AUTH", "ClientId": s.client_id,
               "AuthParameters": {"USERNAME": "amy"}, "Session": session}),
    );
    assert!(out["AuthenticationResult"]["AccessToken"].is_string());
    // The session signs in only the user it confirmed.
    s.user("bob", &[]);
    ok(
        &s.emu,
        "SignUp",
        json!({"ClientId": s.client_id, "Username": "cy", "Password": PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": "cy@example.com"}]}),
    );
    let code = s.emu.last_code("cy", MessageKind::SignUp).unwrap();
    let c = ok(
        &s.emu,
        "ConfirmSignUp",
        json!({"ClientId": s.client_id, "Username": "cy", "ConfirmationCode": code}),
    );
    let (ty, _) = err(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "USER_AUTH", "ClientId": s.client_id,
               "AuthParameters": {"USERNAME": "bob"}, "Session": c["Session"]}),
    );
    assert_eq!(ty, "NotAuthorizedException");
}

// ---------------------------------------------------------------------------------------
// Pools and clients as stored resources

#[test]
fn describe_user_pool_gives_aws_defaults_and_only_model_members() {
    let emu = start();
    let id = bare_pool(&emu, "defaults");
    let p = ok(&emu, "DescribeUserPool", json!({"UserPoolId": id}))["UserPool"].clone();
    assert_eq!(p["Id"], id.as_str());
    assert_eq!(p["Name"], "defaults");
    assert_eq!(
        p["Arn"],
        format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{id}").as_str()
    );
    assert!(p["CreationDate"].is_number() && p["LastModifiedDate"].is_number());
    assert_eq!(
        p["Policies"]["PasswordPolicy"],
        json!({"MinimumLength": 8, "RequireUppercase": true, "RequireLowercase": true,
               "RequireNumbers": true, "RequireSymbols": true,
               "TemporaryPasswordValidityDays": 7})
    );
    assert_eq!(
        p["Policies"]["SignInPolicy"],
        json!({"AllowedFirstAuthFactors": ["PASSWORD"]})
    );
    assert_eq!(p["MfaConfiguration"], "OFF");
    assert_eq!(p["DeletionProtection"], "INACTIVE");
    assert_eq!(p["EstimatedNumberOfUsers"], 0);
    assert_eq!(p["LambdaConfig"], json!({}));
    assert_eq!(p["UserPoolTags"], json!({}));
    assert_eq!(
        p["EmailConfiguration"],
        json!({"EmailSendingAccount": "COGNITO_DEFAULT"})
    );
    assert_eq!(
        p["VerificationMessageTemplate"],
        json!({"DefaultEmailOption": "CONFIRM_WITH_CODE"})
    );
    assert_eq!(
        p["AdminCreateUserConfig"],
        json!({"AllowAdminCreateUserOnly": false, "UnusedAccountValidityDays": 7})
    );
    // Never set, so not described (Terraform's provider, whose `username_configuration` is
    // not a computed attribute, would otherwise replace every such pool at each plan).
    assert_eq!(p.get("UsernameConfiguration"), None);
    let schema = p["SchemaAttributes"].as_array().unwrap();
    assert!(
        schema
            .iter()
            .any(|a| a["Name"] == "sub" && a["Mutable"] == false)
    );
    assert!(schema.iter().any(|a| a["Name"] == "email"));
    // Never set, so not described: AWS's model gives an absent setting a meaning of its own
    // (the legacy rule, tested in passwords.rs).
    assert!(p.get("AccountRecoverySetting").is_none());
    // Only members of the model's UserPoolType: never the request's `Schema`/`PoolName`.
    let allowed = [
        "Id",
        "Name",
        "Policies",
        "DeletionProtection",
        "LambdaConfig",
        "Status",
        "LastModifiedDate",
        "CreationDate",
        "SchemaAttributes",
        "AutoVerifiedAttributes",
        "AliasAttributes",
        "UsernameAttributes",
        "SmsVerificationMessage",
        "EmailVerificationMessage",
        "EmailVerificationSubject",
        "VerificationMessageTemplate",
        "SmsAuthenticationMessage",
        "UserAttributeUpdateSettings",
        "MfaConfiguration",
        "DeviceConfiguration",
        "EstimatedNumberOfUsers",
        "EmailConfiguration",
        "SmsConfiguration",
        "UserPoolTags",
        "SmsConfigurationFailure",
        "EmailConfigurationFailure",
        "Domain",
        "CustomDomain",
        "AdminCreateUserConfig",
        "UserPoolAddOns",
        "DcrConfiguration",
        "UsernameConfiguration",
        "Arn",
        "AccountRecoverySetting",
        "UserPoolTier",
        "KeyConfiguration",
        "IssuerConfiguration",
        "AcrConfiguration",
    ];
    for k in p.as_object().unwrap().keys() {
        assert!(allowed.contains(&k.as_str()), "undeclared member {k}");
    }
    let s = setup();
    s.user("u1", &[]);
    let p = ok(&s.emu, "DescribeUserPool", json!({"UserPoolId": s.pool_id}))["UserPool"].clone();
    assert_eq!(p["EstimatedNumberOfUsers"], 1);
    assert!(p.get("Schema").is_none() && p.get("PoolName").is_none());
}

#[test]
fn verification_messages_are_described_both_ways() {
    let emu = start();
    let r = ok(
        &emu,
        "CreateUserPool",
        json!({"PoolName": "msg", "EmailVerificationMessage": "Code {####}",
               "EmailVerificationSubject": "Welcome",
               "VerificationMessageTemplate": {"SmsMessage": "SMS {####}"}}),
    );
    let p = &r["UserPool"];
    assert_eq!(
        p["VerificationMessageTemplate"],
        json!({"SmsMessage": "SMS {####}", "EmailMessage": "Code {####}",
               "EmailSubject": "Welcome", "DefaultEmailOption": "CONFIRM_WITH_CODE"})
    );
    assert_eq!(p["SmsVerificationMessage"], "SMS {####}");
    assert_eq!(p["EmailVerificationMessage"], "Code {####}");
}

#[test]
fn update_user_pool_replaces_settings_and_omitted_ones_return_to_defaults() {
    let emu = start();
    let r = ok(
        &emu,
        "CreateUserPool",
        json!({"PoolName": "upd", "AutoVerifiedAttributes": ["email"],
               "LambdaConfig": {"PreSignUp": "arn:aws:lambda:us-east-1:000000000000:function:f"},
               "Policies": {"PasswordPolicy": {"MinimumLength": 12}},
               "UsernameAttributes": ["email"],
               "UserPoolTags": {"team": "a"}}),
    );
    let id = r["UserPool"]["Id"].as_str().unwrap().to_string();
    assert_eq!(
        r["UserPool"]["Policies"]["PasswordPolicy"],
        json!({"MinimumLength": 12, "RequireUppercase": false, "RequireLowercase": false,
               "RequireNumbers": false, "RequireSymbols": false,
               "TemporaryPasswordValidityDays": 7})
    );
    assert_eq!(
        r["UserPool"]["LambdaConfig"]["PreSignUp"],
        "arn:aws:lambda:us-east-1:000000000000:function:f"
    );
    ok(
        &emu,
        "UpdateUserPool",
        json!({"UserPoolId": id, "DeletionProtection": "ACTIVE"}),
    );
    let p = ok(&emu, "DescribeUserPool", json!({"UserPoolId": id}))["UserPool"].clone();
    assert_eq!(p["DeletionProtection"], "ACTIVE");
    assert_eq!(p["LambdaConfig"], json!({}), "omitted triggers are removed");
    assert!(p.get("AutoVerifiedAttributes").is_none());
    assert_eq!(p["Policies"]["PasswordPolicy"]["MinimumLength"], 8);
    assert_eq!(p["Policies"]["PasswordPolicy"]["RequireSymbols"], true);
    // Immutable settings and tags stay.
    assert_eq!(p["UsernameAttributes"], json!(["email"]));
    assert_eq!(p["UserPoolTags"], json!({"team": "a"}));
    assert!(p["LastModifiedDate"].as_f64() >= p["CreationDate"].as_f64());
    // Deletion protection refuses DeleteUserPool with AWS's error.
    let (ty, m) = err(&emu, "DeleteUserPool", json!({"UserPoolId": id}));
    assert_eq!(ty, "InvalidParameterException");
    assert_eq!(
        m,
        "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first."
    );
    ok(
        &emu,
        "UpdateUserPool",
        json!({"UserPoolId": id, "DeletionProtection": "INACTIVE"}),
    );
    ok(&emu, "DeleteUserPool", json!({"UserPoolId": id}));
}

#[test]
fn admin_create_user_only_pools_refuse_sign_up() {
    let emu = start();
    let r = ok(
        &emu,
        "CreateUserPool",
        json!({"PoolName": "closed", "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": true}}),
    );
    let id = r["UserPool"]["Id"].as_str().unwrap();
    let c = ok(
        &emu,
        "CreateUserPoolClient",
        json!({"UserPoolId": id, "ClientName": "c"}),
    );
    let (ty, m) = err(
        &emu,
        "SignUp",
        json!({"ClientId": c["UserPoolClient"]["ClientId"], "Username": "x",
               "Password": PASSWORD}),
    );
    assert_eq!(ty, "NotAuthorizedException");
    assert_eq!(m, "SignUp is not permitted for this user pool");
}

#[test]
fn describe_user_pool_client_gives_aws_defaults() {
    let emu = start();
    let id = bare_pool(&emu, "c");
    let r = ok(
        &emu,
        "CreateUserPoolClient",
        json!({"UserPoolId": id, "ClientName": "plain"}),
    );
    let c = &r["UserPoolClient"];
    assert_eq!(c["ClientName"], "plain");
    assert!(c.get("ClientSecret").is_none());
    assert_eq!(
        c["ExplicitAuthFlows"],
        json!([
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_CUSTOM_AUTH"
        ])
    );
    assert_eq!(c["AccessTokenValidity"], 60);
    assert_eq!(c["IdTokenValidity"], 60);
    assert_eq!(c["RefreshTokenValidity"], 30);
    assert_eq!(
        c["TokenValidityUnits"],
        json!({"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"})
    );
    assert_eq!(c["AuthSessionValidity"], 3);
    assert_eq!(c["EnableTokenRevocation"], true);
    assert_eq!(c["PreventUserExistenceErrors"], "LEGACY");
    assert_eq!(c["AllowedOAuthFlowsUserPoolClient"], false);
    assert!(c["CreationDate"].is_number());
    assert!(c.get("GenerateSecret").is_none());
    // Values without units are in AWS's API units (hours, hours, days).
    let r = ok(
        &emu,
        "CreateUserPoolClient",
        json!({"UserPoolId": id, "ClientName": "units", "AccessTokenValidity": 2,
               "RefreshTokenValidity": 5, "ReadAttributes": ["email"]}),
    );
    let c = &r["UserPoolClient"];
    assert_eq!(c["AccessTokenValidity"], 2);
    assert_eq!(c["TokenValidityUnits"]["AccessToken"], "hours");
    assert_eq!(c["RefreshTokenValidity"], 5);
    assert_eq!(c["ReadAttributes"], json!(["email"]));
}

#[test]
fn update_user_pool_client_replaces_settings() {
    let emu = start();
    let id = bare_pool(&emu, "c");
    let r = ok(
        &emu,
        "CreateUserPoolClient",
        json!({"UserPoolId": id, "ClientName": "full", "GenerateSecret": true,
               "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
               "PreventUserExistenceErrors": "ENABLED", "AuthSessionValidity": 10,
               "CallbackURLs": ["https://example.com/cb"]}),
    );
    let cid = r["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    let secret = r["UserPoolClient"]["ClientSecret"].clone();
    assert!(secret.is_string());
    let u = ok(
        &emu,
        "UpdateUserPoolClient",
        json!({"UserPoolId": id, "ClientId": cid, "EnableTokenRevocation": false}),
    );
    let c = &u["UserPoolClient"];
    assert_eq!(c["ClientName"], "full", "an omitted name stays");
    assert_eq!(c["ClientSecret"], secret, "the secret stays");
    assert_eq!(c["EnableTokenRevocation"], false);
    assert_eq!(c["PreventUserExistenceErrors"], "LEGACY");
    assert_eq!(c["AuthSessionValidity"], 3);
    assert!(c.get("CallbackURLs").is_none());
    assert_eq!(
        c["ExplicitAuthFlows"],
        json!([
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_CUSTOM_AUTH"
        ])
    );
    let d = ok(
        &emu,
        "DescribeUserPoolClient",
        json!({"UserPoolId": id, "ClientId": cid}),
    );
    assert_eq!(&d["UserPoolClient"], c);
    // A client of another pool is not found through this pool.
    let other = bare_pool(&emu, "other");
    let (ty, _) = err(
        &emu,
        "DescribeUserPoolClient",
        json!({"UserPoolId": other, "ClientId": cid}),
    );
    assert_eq!(ty, "ResourceNotFoundException");
}

#[test]
fn a_caller_chosen_client_secret_is_enforced() {
    let emu = start();
    let id = bare_pool(&emu, "c");
    let chosen = "myOwnClientSecret0123456789abcd";
    let (ty, _) = err(
        &emu,
        "CreateUserPoolClient",
        json!({"UserPoolId": id, "ClientName": "both", "GenerateSecret": true,
               "ClientSecret": chosen}),
    );
    assert_eq!(ty, "InvalidParameterException");
    let r = ok(
        &emu,
        "CreateUserPoolClient",
        json!({"UserPoolId": id, "ClientName": "mine", "ClientSecret": chosen,
               "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    );
    let cid = r["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(r["UserPoolClient"]["ClientSecret"], chosen);
    emu.create_user(&id, "sue", PASSWORD, &[]).unwrap();
    let auth = |params: Value| {
        op(
            &emu,
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": cid, "AuthParameters": params}),
        )
    };
    let (ty, m) = auth(json!({"USERNAME": "sue", "PASSWORD": PASSWORD})).unwrap_err();
    assert_eq!(ty, "NotAuthorizedException");
    assert!(m.contains("configured for secret"), "{m}");
    let hash = cognito_proto::srp::secret_hash("sue", &cid, chosen);
    let ok_auth = auth(json!({"USERNAME": "sue", "PASSWORD": PASSWORD, "SECRET_HASH": hash}));
    assert!(ok_auth.unwrap()["AuthenticationResult"].is_object());
}

#[test]
fn legacy_explicit_auth_flows() {
    let emu = start();
    let id = bare_pool(&emu, "legacy");
    let (ty, _) = err(
        &emu,
        "CreateUserPoolClient",
        json!({"UserPoolId": id, "ClientName": "mixed",
               "ExplicitAuthFlows": ["ADMIN_NO_SRP_AUTH", "ALLOW_USER_SRP_AUTH"]}),
    );
    assert_eq!(ty, "InvalidParameterException");
    let r = ok(
        &emu,
        "CreateUserPoolClient",
        json!({"UserPoolId": id, "ClientName": "legacy",
               "ExplicitAuthFlows": ["ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"]}),
    );
    let c = &r["UserPoolClient"];
    assert_eq!(
        c["ExplicitAuthFlows"],
        json!(["ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"]),
        "described as given"
    );
    let s = Setup {
        emu,
        pool_id: id.clone(),
        client_id: c["ClientId"].as_str().unwrap().to_string(),
        secret: None,
    };
    s.user("lee", &[]);
    // SRP, password and admin password sign-ins all work for a legacy client.
    assert!(s.srp_sign_in("lee", PASSWORD, json!({})).unwrap()["AuthenticationResult"].is_object());
    assert!(s.password_auth("lee", PASSWORD).unwrap()["AuthenticationResult"].is_object());
    let r = ok(
        &s.emu,
        "AdminInitiateAuth",
        json!({"UserPoolId": id, "ClientId": s.client_id, "AuthFlow": "ADMIN_NO_SRP_AUTH",
               "AuthParameters": {"USERNAME": "lee", "PASSWORD": PASSWORD}}),
    );
    assert!(r["AuthenticationResult"].is_object());
    // CUSTOM_AUTH_FLOW_ONLY: custom authentication only, no SRP.
    let r = ok(
        &s.emu,
        "CreateUserPoolClient",
        json!({"UserPoolId": id, "ClientName": "custom",
               "ExplicitAuthFlows": ["CUSTOM_AUTH_FLOW_ONLY"]}),
    );
    let custom = Setup {
        emu: s.emu,
        pool_id: id,
        client_id: r["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_string(),
        secret: None,
    };
    let (ty, _) = op(
        &custom.emu,
        "InitiateAuth",
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": custom.client_id,
               "AuthParameters": {"USERNAME": "lee", "SRP_A": "abcd"}}),
    )
    .unwrap_err();
    assert_eq!(ty, "InvalidParameterException");
}

// ---------------------------------------------------------------------------------------
// Pagination

#[test]
fn list_user_pools_pages_with_opaque_tokens_across_inserts() {
    let emu = start();
    let (ty, _) = err(&emu, "ListUserPools", json!({}));
    assert_eq!(ty, "InvalidParameterException", "MaxResults is required");
    for bad in [0, 61] {
        let (ty, _) = err(&emu, "ListUserPools", json!({"MaxResults": bad}));
        assert_eq!(ty, "InvalidParameterException");
    }
    let mut ids: Vec<String> = (0..5).map(|i| bare_pool(&emu, &format!("p{i}"))).collect();
    let p1 = ok(&emu, "ListUserPools", json!({"MaxResults": 2}));
    assert_eq!(p1["UserPools"].as_array().unwrap().len(), 2);
    let token = p1["NextToken"].as_str().unwrap().to_string();
    assert!(
        !ids.iter().any(|i| token.contains(i.as_str())),
        "tokens are opaque"
    );
    // Pools created meanwhile: nothing listed is repeated, nothing that existed is skipped.
    for i in 5..8 {
        ids.push(bare_pool(&emu, &format!("p{i}")));
    }
    let mut seen: Vec<String> = p1["UserPools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["Id"].as_str().unwrap().to_string())
        .collect();
    let mut next = Some(token);
    while let Some(t) = next {
        let p = ok(
            &emu,
            "ListUserPools",
            json!({"MaxResults": 2, "NextToken": t}),
        );
        for x in p["UserPools"].as_array().unwrap() {
            seen.push(x["Id"].as_str().unwrap().to_string());
        }
        next = p["NextToken"].as_str().map(str::to_string);
    }
    let mut sorted = seen.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), seen.len(), "no pool repeated");
    for i in &ids[..5] {
        assert!(seen.contains(i), "pool {i} skipped");
    }
    let (ty, m) = err(
        &emu,
        "ListUserPools",
        json!({"MaxResults": 2, "NextToken": "Zm9yZ2VkLXRva2VuLXZhbHVlLXh4eHh4eA"}),
    );
    assert_eq!(ty, "InvalidParameterException");
    assert!(m.contains("invalid"), "{m}");
}

#[test]
fn list_users_limit_token_filter_and_attributes_to_get() {
    let s = setup();
    for i in 0..7 {
        s.user(
            &format!("user{i}"),
            &[
                ("email", &format!("u{i}@example.com")),
                ("given_name", if i % 2 == 0 { "Jon" } else { "Ann" }),
            ],
        );
    }
    ok(
        &s.emu,
        "AdminDisableUser",
        json!({"UserPoolId": s.pool_id, "Username": "user3"}),
    );
    let list = |body: Value| {
        let mut body = body;
        body["UserPoolId"] = json!(s.pool_id);
        op(&s.emu, "ListUsers", body)
    };
    let names = |v: &Value| -> Vec<String> {
        v["Users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["Username"].as_str().unwrap().to_string())
            .collect()
    };
    let p1 = list(json!({"Limit": 3})).unwrap();
    assert_eq!(names(&p1), ["user0", "user1", "user2"]);
    let p2 = list(json!({"Limit": 3, "PaginationToken": p1["PaginationToken"]})).unwrap();
    assert_eq!(names(&p2), ["user3", "user4", "user5"]);
    let p3 = list(json!({"Limit": 3, "PaginationToken": p2["PaginationToken"]})).unwrap();
    assert_eq!(names(&p3), ["user6"]);
    assert!(p3.get("PaginationToken").is_none());
    let (ty, _) = list(json!({"Limit": 61})).unwrap_err();
    assert_eq!(ty, "InvalidParameterException");
    let (ty, _) = list(json!({"PaginationToken": "AAAAAAAAAAAAAAAAAAAAAHVzZXIx"})).unwrap_err();
    assert_eq!(ty, "InvalidParameterException");
    // A token belongs to the listing that issued it (same pool, same filter).
    let (ty, _) = list(json!({"Limit": 3, "Filter": "given_name = \"Jon\"",
                              "PaginationToken": p1["PaginationToken"]}))
    .unwrap_err();
    assert_eq!(ty, "InvalidParameterException");
    // Filters.
    let f = |filter: &str| list(json!({ "Filter": filter })).map(|v| names(&v));
    assert_eq!(
        f("given_name = \"Jon\"").unwrap(),
        ["user0", "user2", "user4", "user6"]
    );
    assert_eq!(f("email ^= \"u1\"").unwrap(), ["user1"]);
    assert_eq!(f("username = \"user5\"").unwrap(), ["user5"]);
    assert_eq!(f("status = \"Disabled\"").unwrap(), ["user3"]);
    assert_eq!(f("cognito:user_status = \"confirmed\"").unwrap().len(), 7);
    assert_eq!(f("").unwrap().len(), 7);
    for bad in ["custom:x = \"1\"", "given_name = Jon", "given_name ~ \"J\""] {
        let (ty, _) = f(bad).unwrap_err();
        assert_eq!(ty, "InvalidParameterException", "{bad}");
    }
    // A filter outside the grammar gets AWS's wording (as its responses show).
    for bad in ["username = foo", "username=", "given_name ~ \"J\"", "email"] {
        let (_, m) = f(bad).unwrap_err();
        assert_eq!(m, "Error while parsing filter.", "{bad}");
    }
    // AttributesToGet.
    let r = list(json!({"Filter": "username = \"user1\"", "AttributesToGet": ["email"]})).unwrap();
    assert_eq!(
        r["Users"][0]["Attributes"],
        json!([{"Name": "email", "Value": "u1@example.com"}])
    );
}

#[test]
fn list_user_pool_clients_pages() {
    let emu = start();
    let id = bare_pool(&emu, "clients");
    let mut made = Vec::new();
    for i in 0..5 {
        let r = ok(
            &emu,
            "CreateUserPoolClient",
            json!({"UserPoolId": id, "ClientName": format!("c{i}")}),
        );
        made.push(
            r["UserPoolClient"]["ClientId"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"UserPoolId": id, "MaxResults": 2});
        if let Some(t) = &token {
            body["NextToken"] = json!(t);
        }
        let r = ok(&emu, "ListUserPoolClients", body);
        for c in r["UserPoolClients"].as_array().unwrap() {
            assert_eq!(c["UserPoolId"], id.as_str());
            assert!(c["ClientName"].is_string());
            seen.push(c["ClientId"].as_str().unwrap().to_string());
        }
        match r["NextToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    made.sort();
    assert_eq!(seen, made);
}

// ---------------------------------------------------------------------------------------
// Groups

#[test]
fn groups_crud_membership_and_token_claims() {
    let s = setup();
    s.user("gus", &[]);
    let g = |name: &str, prec: Option<i64>, role: Option<&str>| {
        let mut body = json!({"UserPoolId": s.pool_id, "GroupName": name,
                              "Description": format!("{name} group")});
        if let Some(p) = prec {
            body["Precedence"] = json!(p);
        }
        if let Some(r) = role {
            body["RoleArn"] = json!(r);
        }
        ok(&s.emu, "CreateGroup", body)
    };
    let admins = g(
        "admins",
        Some(1),
        Some("arn:aws:iam::000000000000:role/admin"),
    );
    assert_eq!(admins["Group"]["GroupName"], "admins");
    assert_eq!(admins["Group"]["Precedence"], 1);
    assert!(admins["Group"]["CreationDate"].is_number());
    g(
        "readers",
        Some(5),
        Some("arn:aws:iam::000000000000:role/reader"),
    );
    g("plain", None, None);
    let (ty, _) = err(
        &s.emu,
        "CreateGroup",
        json!({"UserPoolId": s.pool_id, "GroupName": "admins"}),
    );
    assert_eq!(ty, "GroupExistsException");
    for name in ["readers", "admins", "plain"] {
        ok(
            &s.emu,
            "AdminAddUserToGroup",
            json!({"UserPoolId": s.pool_id, "Username": "gus", "GroupName": name}),
        );
    }
    let (ty, _) = err(
        &s.emu,
        "AdminAddUserToGroup",
        json!({"UserPoolId": s.pool_id, "Username": "gus", "GroupName": "nope"}),
    );
    assert_eq!(ty, "ResourceNotFoundException");
    let (ty, _) = err(
        &s.emu,
        "AdminAddUserToGroup",
        json!({"UserPoolId": s.pool_id, "Username": "nobody", "GroupName": "admins"}),
    );
    assert_eq!(ty, "UserNotFoundException");
    let t = s.tokens("gus");
    let id = claims(t["IdToken"].as_str().unwrap());
    assert_eq!(id["cognito:groups"], json!(["admins", "readers", "plain"]));
    assert_eq!(
        id["cognito:roles"],
        json!([
            "arn:aws:iam::000000000000:role/admin",
            "arn:aws:iam::000000000000:role/reader"
        ])
    );
    assert_eq!(
        id["cognito:preferred_role"],
        "arn:aws:iam::000000000000:role/admin"
    );
    let ac = claims(t["AccessToken"].as_str().unwrap());
    assert_eq!(ac["cognito:groups"], json!(["admins", "readers", "plain"]));
    assert!(ac.get("cognito:roles").is_none());
    // Precedence decides the preferred role.
    ok(
        &s.emu,
        "UpdateGroup",
        json!({"UserPoolId": s.pool_id, "GroupName": "readers", "Precedence": 0}),
    );
    let got = ok(
        &s.emu,
        "GetGroup",
        json!({"UserPoolId": s.pool_id, "GroupName": "readers"}),
    );
    assert_eq!(got["Group"]["Precedence"], 0);
    assert_eq!(got["Group"]["Description"], "readers group", "kept");
    let id = claims(s.tokens("gus")["IdToken"].as_str().unwrap());
    assert_eq!(
        id["cognito:preferred_role"],
        "arn:aws:iam::000000000000:role/reader"
    );
    // Equal precedence with different roles: no preferred role.
    ok(
        &s.emu,
        "UpdateGroup",
        json!({"UserPoolId": s.pool_id, "GroupName": "admins", "Precedence": 0}),
    );
    let id = claims(s.tokens("gus")["IdToken"].as_str().unwrap());
    assert!(id.get("cognito:preferred_role").is_none());
    assert!(id["cognito:roles"].is_array());
    // Listings.
    let r = ok(
        &s.emu,
        "AdminListGroupsForUser",
        json!({"UserPoolId": s.pool_id, "Username": "gus", "Limit": 2}),
    );
    assert_eq!(r["Groups"].as_array().unwrap().len(), 2);
    let r2 = ok(
        &s.emu,
        "AdminListGroupsForUser",
        json!({"UserPoolId": s.pool_id, "Username": "gus", "NextToken": r["NextToken"]}),
    );
    assert_eq!(r2["Groups"].as_array().unwrap().len(), 1);
    let r = ok(
        &s.emu,
        "ListUsersInGroup",
        json!({"UserPoolId": s.pool_id, "GroupName": "admins"}),
    );
    assert_eq!(r["Users"][0]["Username"], "gus");
    let r = ok(&s.emu, "ListGroups", json!({"UserPoolId": s.pool_id}));
    let names: Vec<&str> = r["Groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["GroupName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admins", "plain", "readers"]);
    // Removal, deletion.
    ok(
        &s.emu,
        "AdminRemoveUserFromGroup",
        json!({"UserPoolId": s.pool_id, "Username": "gus", "GroupName": "plain"}),
    );
    ok(
        &s.emu,
        "DeleteGroup",
        json!({"UserPoolId": s.pool_id, "GroupName": "admins"}),
    );
    let (ty, m) = err(
        &s.emu,
        "GetGroup",
        json!({"UserPoolId": s.pool_id, "GroupName": "admins"}),
    );
    assert_eq!(
        (ty.as_str(), m.as_str()),
        ("ResourceNotFoundException", "Group not found.")
    );
    let id = claims(s.tokens("gus")["IdToken"].as_str().unwrap());
    assert_eq!(id["cognito:groups"], json!(["readers"]));
    // A deleted user's memberships do not pass to a new user of the same name.
    ok(
        &s.emu,
        "AdminDeleteUser",
        json!({"UserPoolId": s.pool_id, "Username": "gus"}),
    );
    s.user("gus", &[]);
    let id = claims(s.tokens("gus")["IdToken"].as_str().unwrap());
    assert!(id.get("cognito:groups").is_none());
}

// ---------------------------------------------------------------------------------------
// Tags, certificate, CSV header

#[test]
fn tags_on_the_pool_arn() {
    let emu = start();
    let r = ok(
        &emu,
        "CreateUserPool",
        json!({"PoolName": "tagged", "UserPoolTags": {"a": "1"}}),
    );
    let arn = r["UserPool"]["Arn"].as_str().unwrap().to_string();
    let id = r["UserPool"]["Id"].as_str().unwrap().to_string();
    ok(
        &emu,
        "TagResource",
        json!({"ResourceArn": arn, "Tags": {"b": "2", "c": "3"}}),
    );
    ok(
        &emu,
        "UntagResource",
        json!({"ResourceArn": arn, "TagKeys": ["c"]}),
    );
    let t = ok(&emu, "ListTagsForResource", json!({"ResourceArn": arn}));
    assert_eq!(t["Tags"], json!({"a": "1", "b": "2"}));
    let p = ok(&emu, "DescribeUserPool", json!({"UserPoolId": id}));
    assert_eq!(p["UserPool"]["UserPoolTags"], json!({"a": "1", "b": "2"}));
    let missing = arn.replace(&id, "us-east-1_Missing00");
    let (ty, _) = err(&emu, "ListTagsForResource", json!({"ResourceArn": missing}));
    assert_eq!(ty, "ResourceNotFoundException");
}

#[test]
fn signing_certificate_and_csv_header() {
    let emu = start();
    let r = ok(
        &emu,
        "CreateUserPool",
        json!({"PoolName": "cert", "Schema": [
            {"Name": "tier", "AttributeDataType": "String", "Mutable": true}]}),
    );
    let id = r["UserPool"]["Id"].as_str().unwrap();
    let c = ok(&emu, "GetSigningCertificate", json!({"UserPoolId": id}));
    use base64::Engine;
    let der = base64::engine::general_purpose::STANDARD
        .decode(c["Certificate"].as_str().unwrap())
        .unwrap();
    // An X.509 certificate: a DER SEQUENCE with a long-form length covering the rest.
    assert_eq!(der[0], 0x30);
    assert_eq!(der[1], 0x82);
    assert_eq!(
        usize::from(der[2]) << 8 | usize::from(der[3]),
        der.len() - 4
    );
    let h = ok(&emu, "GetCSVHeader", json!({"UserPoolId": id}));
    assert_eq!(h["UserPoolId"], id);
    let cols: Vec<&str> = h["CSVHeader"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(cols[0], "name");
    assert!(cols.contains(&"cognito:username") && cols.contains(&"email_verified"));
    assert_eq!(cols.last(), Some(&"custom:tier"));
}

// ---------------------------------------------------------------------------------------
// Admin devices and settings

#[test]
fn admin_device_operations() {
    let s = setup_with(
        PoolConfig {
            device_tracking: Some((false, false)),
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    );
    s.user("dee", &[]);
    let t = s.tokens("dee");
    let key = t["NewDeviceMetadata"]["DeviceKey"]
        .as_str()
        .unwrap()
        .to_string();
    let group = t["NewDeviceMetadata"]["DeviceGroupKey"].as_str().unwrap();
    let reg = cognito_proto::srp::register_device(&mut rand::rng(), group, &key);
    ok(
        &s.emu,
        "ConfirmDevice",
        json!({"AccessToken": t["AccessToken"], "DeviceKey": key, "DeviceName": "laptop",
               "DeviceSecretVerifierConfig": {"PasswordVerifier": reg.verifier_b64,
                                              "Salt": reg.salt_b64}}),
    );
    let body = |extra: Value| {
        let mut b = json!({"UserPoolId": s.pool_id, "Username": "dee"});
        if let (Some(o), Value::Object(e)) = (b.as_object_mut(), extra) {
            o.extend(e);
        }
        b
    };
    let l = ok(&s.emu, "AdminListDevices", body(json!({})));
    assert_eq!(l["Devices"][0]["DeviceKey"], key.as_str());
    let d = ok(&s.emu, "AdminGetDevice", body(json!({"DeviceKey": key})));
    assert_eq!(d["Device"]["DeviceKey"], key.as_str());
    ok(
        &s.emu,
        "AdminUpdateDeviceStatus",
        body(json!({"DeviceKey": key, "DeviceRememberedStatus": "not_remembered"})),
    );
    let d = ok(&s.emu, "AdminGetDevice", body(json!({"DeviceKey": key})));
    let attrs = d["Device"]["DeviceAttributes"].as_array().unwrap();
    assert!(
        attrs
            .iter()
            .any(|a| a["Name"] == "dev:device_remembered_status" && a["Value"] == "not_remembered")
    );
    ok(&s.emu, "AdminForgetDevice", body(json!({"DeviceKey": key})));
    let (ty, _) = err(&s.emu, "AdminGetDevice", body(json!({"DeviceKey": key})));
    assert_eq!(ty, "ResourceNotFoundException");
    let (ty, _) = err(
        &s.emu,
        "AdminListDevices",
        json!({"UserPoolId": s.pool_id, "Username": "ghost"}),
    );
    // AdminListDevices and AdminGetDevice declare no UserNotFoundException in AWS's model.
    assert_eq!(ty, "ResourceNotFoundException");
}

#[test]
fn admin_set_user_settings_turns_sms_mfa_on() {
    let s = setup_with(
        PoolConfig {
            mfa: MfaConfiguration::Optional,
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    );
    s.user("sid", &[]);
    let (ty, _) = err(
        &s.emu,
        "AdminSetUserSettings",
        json!({"UserPoolId": s.pool_id, "Username": "sid",
               "MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]}),
    );
    assert_eq!(ty, "InvalidParameterException", "no phone number");
    s.user("sal", &[("phone_number", "+15550002222")]);
    ok(
        &s.emu,
        "AdminSetUserSettings",
        json!({"UserPoolId": s.pool_id, "Username": "sal",
               "MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]}),
    );
    let u = ok(
        &s.emu,
        "AdminGetUser",
        json!({"UserPoolId": s.pool_id, "Username": "sal"}),
    );
    assert_eq!(u["UserMFASettingList"], json!(["SMS_MFA"]));
}

// ---------------------------------------------------------------------------------------
// Resource servers, domains, identity providers

#[test]
fn resource_servers_are_stored_resources() {
    let emu = start();
    let id = bare_pool(&emu, "rs");
    for i in 0..3 {
        ok(
            &emu,
            "CreateResourceServer",
            json!({"UserPoolId": id, "Identifier": format!("https://api{i}.example.com"),
                   "Name": format!("api{i}"),
                   "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read"}]}),
        );
    }
    let (ty, _) = err(
        &emu,
        "CreateResourceServer",
        json!({"UserPoolId": id, "Identifier": "https://api0.example.com", "Name": "dup"}),
    );
    assert_eq!(ty, "InvalidParameterException");
    let d = ok(
        &emu,
        "DescribeResourceServer",
        json!({"UserPoolId": id, "Identifier": "https://api1.example.com"}),
    );
    assert_eq!(
        d["ResourceServer"],
        json!({"UserPoolId": id, "Identifier": "https://api1.example.com", "Name": "api1",
               "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read"}]})
    );
    let u = ok(
        &emu,
        "UpdateResourceServer",
        json!({"UserPoolId": id, "Identifier": "https://api1.example.com", "Name": "renamed"}),
    );
    assert_eq!(u["ResourceServer"]["Name"], "renamed");
    assert_eq!(u["ResourceServer"]["Scopes"], json!([]), "scopes replaced");
    let p1 = ok(
        &emu,
        "ListResourceServers",
        json!({"UserPoolId": id, "MaxResults": 2}),
    );
    assert_eq!(p1["ResourceServers"].as_array().unwrap().len(), 2);
    let p2 = ok(
        &emu,
        "ListResourceServers",
        json!({"UserPoolId": id, "MaxResults": 2, "NextToken": p1["NextToken"]}),
    );
    assert_eq!(p2["ResourceServers"].as_array().unwrap().len(), 1);
    assert!(p2.get("NextToken").is_none());
    ok(
        &emu,
        "DeleteResourceServer",
        json!({"UserPoolId": id, "Identifier": "https://api1.example.com"}),
    );
    let (ty, _) = err(
        &emu,
        "DescribeResourceServer",
        json!({"UserPoolId": id, "Identifier": "https://api1.example.com"}),
    );
    assert_eq!(ty, "ResourceNotFoundException");
}

#[test]
fn user_pool_domains() {
    let emu = start();
    let id = bare_pool(&emu, "dom");
    let other = bare_pool(&emu, "dom2");
    // AWS answers an empty description for a domain nobody owns.
    let d = ok(
        &emu,
        "DescribeUserPoolDomain",
        json!({"Domain": "free-prefix"}),
    );
    assert_eq!(d, json!({"DomainDescription": {}}));
    let c = ok(
        &emu,
        "CreateUserPoolDomain",
        json!({"UserPoolId": id, "Domain": "my-prefix", "ManagedLoginVersion": 2}),
    );
    assert_eq!(c["ManagedLoginVersion"], 2);
    let (ty, _) = err(
        &emu,
        "CreateUserPoolDomain",
        json!({"UserPoolId": other, "Domain": "my-prefix"}),
    );
    assert_eq!(ty, "InvalidParameterException");
    let (ty, _) = err(
        &emu,
        "CreateUserPoolDomain",
        json!({"UserPoolId": id, "Domain": "second-prefix"}),
    );
    assert_eq!(
        ty, "InvalidParameterException",
        "one prefix domain per pool"
    );
    let d = ok(
        &emu,
        "DescribeUserPoolDomain",
        json!({"Domain": "my-prefix"}),
    );
    let dd = &d["DomainDescription"];
    assert_eq!(dd["UserPoolId"], id.as_str());
    assert_eq!(dd["Domain"], "my-prefix");
    assert_eq!(dd["Status"], "ACTIVE");
    assert_eq!(dd["ManagedLoginVersion"], 2);
    let p = ok(&emu, "DescribeUserPool", json!({"UserPoolId": id}));
    assert_eq!(p["UserPool"]["Domain"], "my-prefix");
    let (ty, m) = err(&emu, "DeleteUserPool", json!({"UserPoolId": id}));
    assert_eq!(ty, "InvalidParameterException");
    assert!(m.contains("domain"), "{m}");
    ok(
        &emu,
        "UpdateUserPoolDomain",
        json!({"UserPoolId": id, "Domain": "my-prefix", "ManagedLoginVersion": 1}),
    );
    let d = ok(
        &emu,
        "DescribeUserPoolDomain",
        json!({"Domain": "my-prefix"}),
    );
    assert_eq!(d["DomainDescription"]["ManagedLoginVersion"], 1);
    let (ty, _) = err(
        &emu,
        "DeleteUserPoolDomain",
        json!({"UserPoolId": other, "Domain": "my-prefix"}),
    );
    assert_eq!(ty, "ResourceNotFoundException");
    ok(
        &emu,
        "DeleteUserPoolDomain",
        json!({"UserPoolId": id, "Domain": "my-prefix"}),
    );
    let p = ok(&emu, "DescribeUserPool", json!({"UserPoolId": id}));
    assert!(p["UserPool"].get("Domain").is_none());
    ok(&emu, "DeleteUserPool", json!({"UserPoolId": id}));
}

#[test]
fn custom_domains_take_a_fully_qualified_name() {
    let emu = start();
    let id = bare_pool(&emu, "custom");
    let cert =
        "arn:aws:acm:us-east-1:123456789012:certificate/01234567-89ab-cdef-0123-456789abcdef";
    // The model's DomainType pattern allows one DNS label, yet AWS takes a custom domain as
    // a fully qualified name.
    let c = ok(
        &emu,
        "CreateUserPoolDomain",
        json!({"UserPoolId": id, "Domain": "auth.example.com",
               "CustomDomainConfig": {"CertificateArn": cert}}),
    );
    assert!(
        c["CloudFrontDomain"]
            .as_str()
            .is_some_and(|d| d.ends_with(".cloudfront.net")),
        "{c}"
    );
    let d = ok(
        &emu,
        "DescribeUserPoolDomain",
        json!({"Domain": "auth.example.com"}),
    );
    let dd = &d["DomainDescription"];
    assert_eq!(dd["Domain"], "auth.example.com");
    assert_eq!(dd["UserPoolId"], id.as_str());
    assert_eq!(dd["CustomDomainConfig"]["CertificateArn"], cert);
    let p = ok(&emu, "DescribeUserPool", json!({"UserPoolId": id}));
    assert_eq!(p["UserPool"]["CustomDomain"], "auth.example.com");
    // A prefix domain is a single label: a dotted one gets AWS's refusal.
    let (ty, m) = err(
        &emu,
        "CreateUserPoolDomain",
        json!({"UserPoolId": id, "Domain": "my.prefix"}),
    );
    assert_eq!(ty, "InvalidParameterException");
    assert!(
        m.starts_with("The domain name contains an invalid character."),
        "{m}"
    );
    // What no DNS name can be is still the model's validation error.
    let (ty, m) = err(
        &emu,
        "CreateUserPoolDomain",
        json!({"UserPoolId": id, "Domain": "auth..example.com",
               "CustomDomainConfig": {"CertificateArn": cert}}),
    );
    assert_eq!(ty, "InvalidParameterException");
    assert!(
        m.contains("Member must satisfy regular expression pattern"),
        "{m}"
    );
    ok(
        &emu,
        "DeleteUserPoolDomain",
        json!({"UserPoolId": id, "Domain": "auth.example.com"}),
    );
    let d = ok(
        &emu,
        "DescribeUserPoolDomain",
        json!({"Domain": "auth.example.com"}),
    );
    assert_eq!(d, json!({"DomainDescription": {}}));
}

#[test]
fn identity_providers_are_stored_resources() {
    let emu = start();
    let id = bare_pool(&emu, "idp");
    let details = json!({"client_id": "abc", "client_secret": "shh",
                         "authorize_scopes": "openid email"});
    let c = ok(
        &emu,
        "CreateIdentityProvider",
        json!({"UserPoolId": id, "ProviderName": "Google", "ProviderType": "Google",
               "ProviderDetails": details, "AttributeMapping": {"email": "email"},
               "IdpIdentifiers": ["goog"]}),
    );
    let p = &c["IdentityProvider"];
    assert_eq!(p["ProviderName"], "Google");
    // AWS answers a Google provider with the endpoints it fills in.
    let google = json!({"client_id": "abc", "client_secret": "shh",
        "authorize_scopes": "openid email",
        "attributes_url": "https://people.googleapis.com/v1/people/me?personFields=",
        "attributes_url_add_attributes": "true",
        "authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
        "oidc_issuer": "https://accounts.google.com",
        "token_request_method": "POST",
        "token_url": "https://www.googleapis.com/oauth2/v4/token"});
    assert_eq!(p["ProviderDetails"], google);
    assert_eq!(
        p["AttributeMapping"],
        json!({"email": "email", "username": "sub"})
    );
    assert!(p["CreationDate"].is_number());
    let (ty, _) = err(
        &emu,
        "CreateIdentityProvider",
        json!({"UserPoolId": id, "ProviderName": "Google", "ProviderType": "Google",
               "ProviderDetails": details}),
    );
    assert_eq!(ty, "DuplicateProviderException");
    ok(
        &emu,
        "CreateIdentityProvider",
        json!({"UserPoolId": id, "ProviderName": "Corp", "ProviderType": "OIDC",
               "ProviderDetails": {"client_id": "x", "oidc_issuer": "https://idp.example.com",
                                   "authorize_scopes": "openid", "attributes_request_method": "GET"}}),
    );
    let by_ident = ok(
        &emu,
        "GetIdentityProviderByIdentifier",
        json!({"UserPoolId": id, "IdpIdentifier": "goog"}),
    );
    assert_eq!(by_ident["IdentityProvider"]["ProviderName"], "Google");
    let u = ok(
        &emu,
        "UpdateIdentityProvider",
        json!({"UserPoolId": id, "ProviderName": "Google",
               "AttributeMapping": {"email": "email", "name": "name"}}),
    );
    assert_eq!(
        u["IdentityProvider"]["AttributeMapping"],
        json!({"email": "email", "name": "name", "username": "sub"})
    );
    assert_eq!(u["IdentityProvider"]["ProviderDetails"], google);
    let l = ok(
        &emu,
        "ListIdentityProviders",
        json!({"UserPoolId": id, "MaxResults": 1}),
    );
    assert_eq!(l["Providers"][0]["ProviderName"], "Corp");
    assert_eq!(l["Providers"][0]["ProviderType"], "OIDC");
    let l2 = ok(
        &emu,
        "ListIdentityProviders",
        json!({"UserPoolId": id, "MaxResults": 1, "NextToken": l["NextToken"]}),
    );
    assert_eq!(l2["Providers"][0]["ProviderName"], "Google");
    assert!(l2.get("NextToken").is_none());
    ok(
        &emu,
        "DeleteIdentityProvider",
        json!({"UserPoolId": id, "ProviderName": "Google"}),
    );
    let (ty, _) = err(
        &emu,
        "DescribeIdentityProvider",
        json!({"UserPoolId": id, "ProviderName": "Google"}),
    );
    assert_eq!(ty, "ResourceNotFoundException");
}

/// Creates a provider and answers its description (or the refusal's type and message).
fn create_idp(
    emu: &cognito_emulator::EmulatorHandle,
    pool: &str,
    name: &str,
    ty: &str,
    details: Value,
) -> Result<Value, (String, String)> {
    op(
        emu,
        "CreateIdentityProvider",
        json!({"UserPoolId": pool, "ProviderName": name, "ProviderType": ty,
               "ProviderDetails": details}),
    )?;
    let d = ok(
        emu,
        "DescribeIdentityProvider",
        json!({"UserPoolId": pool, "ProviderName": name}),
    );
    Ok(d["IdentityProvider"].clone())
}

#[test]
fn identity_providers_get_the_details_and_mapping_aws_fills_in() {
    let emu = start();
    let id = bare_pool(&emu, "idp-defaults");
    let social = json!({"client_id": "c", "client_secret": "s", "authorize_scopes": "profile"});

    let fb = create_idp(&emu, &id, "Facebook", "Facebook", {
        let mut d = social.clone();
        d["api_version"] = json!("v19.0");
        d
    })
    .unwrap();
    let d = &fb["ProviderDetails"];
    assert_eq!(d["api_version"], "v19.0");
    assert_eq!(
        d["attributes_url"],
        "https://graph.facebook.com/v19.0/me?fields="
    );
    assert_eq!(d["attributes_url_add_attributes"], "true");
    assert_eq!(
        d["authorize_url"],
        "https://www.facebook.com/v19.0/dialog/oauth"
    );
    assert_eq!(d["token_request_method"], "GET");
    assert_eq!(
        d["token_url"],
        "https://graph.facebook.com/v19.0/oauth/access_token"
    );
    assert_eq!(fb["AttributeMapping"], json!({"username": "id"}));

    let amazon = create_idp(
        &emu,
        &id,
        "LoginWithAmazon",
        "LoginWithAmazon",
        social.clone(),
    )
    .unwrap();
    assert_eq!(
        amazon["ProviderDetails"],
        json!({"client_id": "c", "client_secret": "s", "authorize_scopes": "profile",
               "attributes_url": "https://api.amazon.com/user/profile",
               "attributes_url_add_attributes": "false",
               "authorize_url": "https://www.amazon.com/ap/oa",
               "token_request_method": "POST",
               "token_url": "https://api.amazon.com/auth/o2/token"})
    );
    assert_eq!(amazon["AttributeMapping"], json!({"username": "user_id"}));

    // Apple's private key is stored but never described.
    let apple = create_idp(
        &emu,
        &id,
        "SignInWithApple",
        "SignInWithApple",
        json!({"client_id": "com.example", "team_id": "T", "key_id": "K",
               "private_key": "-----BEGIN PRIVATE KEY-----", "authorize_scopes": "email name"}),
    )
    .unwrap();
    assert_eq!(
        apple["ProviderDetails"],
        json!({"client_id": "com.example", "team_id": "T", "key_id": "K",
               "authorize_scopes": "email name",
               "attributes_url_add_attributes": "false",
               "authorize_url": "https://appleid.apple.com/auth/authorize",
               "oidc_issuer": "https://appleid.apple.com",
               "token_request_method": "POST",
               "token_url": "https://appleid.apple.com/auth/token"})
    );
    assert_eq!(apple["AttributeMapping"], json!({"username": "sub"}));

    // OIDC: a given username mapping wins; the flag AWS adds is there, given members stay.
    let oidc = create_idp(
        &emu,
        &id,
        "Corp",
        "OIDC",
        json!({"client_id": "x", "authorize_scopes": "openid",
               "oidc_issuer": "https://idp.example.com", "attributes_request_method": "GET"}),
    )
    .unwrap();
    assert_eq!(
        oidc["ProviderDetails"]["attributes_url_add_attributes"],
        "false"
    );
    assert_eq!(oidc["ProviderDetails"]["attributes_request_method"], "GET");
    assert_eq!(oidc["AttributeMapping"], json!({"username": "sub"}));

    let saml = create_idp(
        &emu,
        &id,
        "Okta",
        "SAML",
        json!({"MetadataURL": "https://okta.example.com/metadata"}),
    )
    .unwrap();
    assert_eq!(
        saml["ProviderDetails"],
        json!({"MetadataURL": "https://okta.example.com/metadata"})
    );
    assert_eq!(saml["AttributeMapping"], json!({}));
}

#[test]
fn identity_providers_missing_required_details_are_refused() {
    let emu = start();
    let id = bare_pool(&emu, "idp-refusals");
    let (ty, m) = create_idp(
        &emu,
        &id,
        "Google",
        "Google",
        json!({"client_id": "c", "authorize_scopes": "email"}),
    )
    .unwrap_err();
    assert_eq!(ty, "InvalidParameterException");
    assert_eq!(
        m,
        "client_id, client_secret and authorize_scopes are all required idp details."
    );
    let (ty, m) = create_idp(
        &emu,
        &id,
        "MyGoogle",
        "Google",
        json!({"client_id": "c", "client_secret": "s", "authorize_scopes": "email"}),
    )
    .unwrap_err();
    assert_eq!(ty, "InvalidParameterException");
    assert_eq!(m, "Provider MyGoogle cannot be of type Google.");
    let (ty, m) = create_idp(
        &emu,
        &id,
        "Corp",
        "OIDC",
        json!({"client_id": "x", "authorize_scopes": "openid"}),
    )
    .unwrap_err();
    assert_eq!(ty, "InvalidParameterException");
    assert!(m.contains("oidc_issuer"), "{m}");
    let (ty, m) = create_idp(&emu, &id, "Okta", "SAML", json!({"IDPSignout": "true"})).unwrap_err();
    assert_eq!(ty, "InvalidParameterException");
    assert!(m.contains("MetadataURL or MetadataFile"), "{m}");
    let (ty, m) = create_idp(
        &emu,
        &id,
        "SignInWithApple",
        "SignInWithApple",
        json!({"client_id": "com.example", "team_id": "T", "key_id": "K"}),
    )
    .unwrap_err();
    assert_eq!(ty, "InvalidParameterException");
    assert!(m.contains("private_key"), "{m}");
    // An update that takes a required detail away is refused and changes nothing.
    create_idp(
        &emu,
        &id,
        "Google",
        "Google",
        json!({"client_id": "c", "client_secret": "s", "authorize_scopes": "email"}),
    )
    .unwrap();
    let (ty, _) = err(
        &emu,
        "UpdateIdentityProvider",
        json!({"UserPoolId": id, "ProviderName": "Google",
               "ProviderDetails": {"client_id": "c"}}),
    );
    assert_eq!(ty, "InvalidParameterException");
    let d = ok(
        &emu,
        "DescribeIdentityProvider",
        json!({"UserPoolId": id, "ProviderName": "Google"}),
    );
    assert_eq!(
        d["IdentityProvider"]["ProviderDetails"]["client_secret"],
        "s"
    );
}

/// A pool created without `UsernameConfiguration` is case sensitive: AWS's API reference
/// (UsernameConfigurationType) gives `true` as the default, and "the default is case
/// sensitive" for pools created through the API (hashicorp/terraform-provider-aws#12094).
#[test]
fn username_case_sensitivity_follows_the_pool_configuration() {
    let emu = start();
    for (config, found) in [(Some(true), false), (Some(false), true), (None, false)] {
        let mut create = json!({"PoolName": "case"});
        if let Some(sensitive) = config {
            create["UsernameConfiguration"] = json!({"CaseSensitive": sensitive});
        }
        let r = ok(&emu, "CreateUserPool", create);
        let id = r["UserPool"]["Id"].as_str().unwrap().to_string();
        assert_eq!(
            r["UserPool"].get("UsernameConfiguration"),
            config
                .map(|sensitive| json!({"CaseSensitive": sensitive}))
                .as_ref()
        );
        emu.create_user(&id, "Bob", PASSWORD, &[]).unwrap();
        let got = op(
            &emu,
            "AdminGetUser",
            json!({"UserPoolId": id, "Username": "bob"}),
        );
        assert_eq!(got.is_ok(), found, "CaseSensitive {config:?}");
        // Only a case-insensitive pool refuses the same name in other letters.
        let twin = op(
            &emu,
            "AdminCreateUser",
            json!({"UserPoolId": id, "Username": "BOB", "MessageAction": "SUPPRESS"}),
        );
        assert_eq!(twin.is_ok(), !found, "CaseSensitive {config:?}: {twin:?}");
    }
}

#[test]
fn list_users_tokens_survive_users_added_between_pages() {
    let s = setup();
    for name in ["b", "d", "f", "h"] {
        s.user(name, &[]);
    }
    let page = |token: &Value| {
        let mut body = json!({"UserPoolId": s.pool_id, "Limit": 2});
        if !token.is_null() {
            body["PaginationToken"] = token.clone();
        }
        ok(&s.emu, "ListUsers", body)
    };
    let names = |v: &Value| -> Vec<String> {
        v["Users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["Username"].as_str().unwrap().to_string())
            .collect()
    };
    let p1 = page(&Value::Null);
    assert_eq!(names(&p1), ["b", "d"]);
    // One user sorts before the cursor, one between the remaining ones, one after them.
    for name in ["a", "e", "z"] {
        s.user(name, &[]);
    }
    let p2 = page(&p1["PaginationToken"]);
    assert_eq!(names(&p2), ["e", "f"]);
    let p3 = page(&p2["PaginationToken"]);
    assert_eq!(names(&p3), ["h", "z"]);
    assert!(p3.get("PaginationToken").is_none());
}
