//! The AWS SDK for Rust against the emulator: every operation the emulator emulates goes
//! through `aws-sdk-cognitoidentityprovider` or `aws-sdk-cognitoidentity`, with the SDK's
//! typed errors (`into_service_error()` matched to the variant), its paginators
//! (`into_paginator().items()`), `DateTime` timestamps and the model's enums. Each journey has
//! its own emulator; `every_emulated_operation_is_driven` runs them all on one and checks the
//! emulator's per-operation counts against the coverage table.

use aws_sdk_cognitoidentity as ci;
use aws_sdk_cognitoidentityprovider as cip;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cip::error::ProvideErrorMetadata;
use cip::operation::RequestId;
use cip::primitives::DateTime;
use cip::types::*;
use cognito_aws_sdk_interop::{Sdk, start};
use cognito_emulator::MessageKind;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Awaits a call that must fail with the service error `$variant` of HTTP status `$status`
/// (400 when omitted); answers the error's message.
macro_rules! refused {
    ($call:expr, $variant:path) => {
        refused!($call, $variant, 400)
    };
    ($call:expr, $variant:path, $status:expr) => {{
        let err = $call
            .await
            .expect_err(concat!("expected ", stringify!($variant)));
        let status = err.raw_response().map(|r| r.status().as_u16());
        let service = err.into_service_error();
        let message = service.message().unwrap_or_default().to_string();
        assert!(
            matches!(service, $variant(_)),
            "expected {}, got {service:?}",
            stringify!($variant)
        );
        assert_eq!(status, Some($status), "status of {}", stringify!($variant));
        assert!(
            !message.is_empty(),
            "{} has a message",
            stringify!($variant)
        );
        message
    }};
}

fn assert_date(value: Option<&DateTime>, what: &str) {
    let value = value.unwrap_or_else(|| panic!("{what} is missing"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        (value.secs() - now).abs() < 2 * 24 * 3600,
        "{what} is near now: {value}"
    );
}

fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

fn attr<'a>(attributes: &'a [AttributeType], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|a| a.name() == name)
        .and_then(|a| a.value())
}

fn secret_hash(username: &str, client_id: &str, secret: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// A pool with one client (no secret) allowing the password, admin, SRP and refresh flows.
async fn simple_pool(sdk: &Sdk, name: &str) -> (String, String) {
    let pool = sdk
        .idp
        .create_user_pool()
        .pool_name(name)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .expect("CreateUserPool");
    let pool_id = pool.user_pool().and_then(|p| p.id()).unwrap().to_string();
    let client_id = client(sdk, &pool_id, &format!("{name}-app")).await;
    (pool_id, client_id)
}

async fn client(sdk: &Sdk, pool_id: &str, name: &str) -> String {
    let client = sdk
        .idp
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name(name)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .expect("CreateUserPoolClient");
    client
        .user_pool_client()
        .and_then(|c| c.client_id())
        .unwrap()
        .to_string()
}

async fn confirmed_user(sdk: &Sdk, pool_id: &str, username: &str, password: &str) {
    sdk.idp
        .admin_create_user()
        .user_pool_id(pool_id)
        .username(username)
        .message_action(MessageActionType::Suppress)
        .temporary_password(format!("Tmp-{password}"))
        .send()
        .await
        .expect("AdminCreateUser");
    sdk.idp
        .admin_set_user_password()
        .user_pool_id(pool_id)
        .username(username)
        .password(password)
        .permanent(true)
        .send()
        .await
        .expect("AdminSetUserPassword");
}

async fn sign_in(
    sdk: &Sdk,
    pool_id: &str,
    client_id: &str,
    username: &str,
    password: &str,
) -> AuthenticationResultType {
    let out = sdk
        .idp
        .admin_initiate_auth()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .expect("AdminInitiateAuth");
    out.authentication_result.expect("tokens")
}

// ---------------------------------------------------------------------------------------------
// Pools and their resources

async fn pools(sdk: &Sdk) {
    use cip::operation::add_custom_attributes::AddCustomAttributesError as AddErr;
    use cip::operation::delete_user_pool::DeleteUserPoolError as DeleteErr;
    use cip::operation::describe_user_pool::DescribeUserPoolError as DescribeErr;
    use cip::operation::list_user_pools::ListUserPoolsError as ListErr;

    let created = sdk
        .idp
        .create_user_pool()
        .pool_name("sdk-rust-pool")
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(10)
                        .require_numbers(true)
                        .build(),
                )
                .build(),
        )
        .schema(
            SchemaAttributeType::builder()
                .name("email")
                .attribute_data_type(AttributeDataType::String)
                .required(true)
                .mutable(true)
                .build(),
        )
        .schema(
            SchemaAttributeType::builder()
                .name("tier")
                .attribute_data_type(AttributeDataType::String)
                .mutable(true)
                .string_attribute_constraints(
                    StringAttributeConstraintsType::builder()
                        .min_length("1")
                        .max_length("16")
                        .build(),
                )
                .build(),
        )
        .schema(
            SchemaAttributeType::builder()
                .name("score")
                .attribute_data_type(AttributeDataType::Number)
                .mutable(false)
                .build(),
        )
        .user_pool_tags("team", "auth")
        .deletion_protection(DeletionProtectionType::Active)
        .send()
        .await
        .expect("CreateUserPool");
    assert!(
        created.request_id().is_some_and(|id| !id.is_empty()),
        "a request id"
    );
    let pool = created.user_pool().unwrap();
    let pool_id = pool.id().unwrap().to_string();
    assert!(pool_id.starts_with("us-east-1_"), "{pool_id}");
    assert_date(pool.creation_date(), "CreateUserPool CreationDate");

    let described = sdk
        .idp
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .expect("DescribeUserPool");
    let d = described.user_pool().unwrap();
    assert_date(d.last_modified_date(), "DescribeUserPool LastModifiedDate");
    assert_eq!(d.mfa_configuration(), Some(&UserPoolMfaType::Off));
    assert_eq!(
        d.deletion_protection(),
        Some(&DeletionProtectionType::Active)
    );
    assert_eq!(
        d.policies()
            .and_then(|p| p.password_policy())
            .and_then(|p| p.minimum_length()),
        Some(10)
    );
    let schema = d.schema_attributes();
    let custom_tier = schema
        .iter()
        .find(|a| a.name() == Some("custom:tier"))
        .expect("custom:tier");
    assert_eq!(
        custom_tier.attribute_data_type(),
        Some(&AttributeDataType::String)
    );
    assert!(schema.iter().any(|a| a.name() == Some("sub")));
    assert_eq!(
        d.user_pool_tags().and_then(|t| t.get("team")),
        Some(&"auth".to_string())
    );

    sdk.idp
        .add_custom_attributes()
        .user_pool_id(&pool_id)
        .custom_attributes(
            SchemaAttributeType::builder()
                .name("plan")
                .attribute_data_type(AttributeDataType::String)
                .build(),
        )
        .send()
        .await
        .expect("AddCustomAttributes");
    refused!(
        sdk.idp
            .add_custom_attributes()
            .user_pool_id(&pool_id)
            .custom_attributes(
                SchemaAttributeType::builder()
                    .name("plan")
                    .attribute_data_type(AttributeDataType::String)
                    .build(),
            )
            .send(),
        AddErr::InvalidParameterException
    );
    let header = sdk
        .idp
        .get_csv_header()
        .user_pool_id(&pool_id)
        .send()
        .await
        .expect("GetCSVHeader");
    assert!(header.csv_header().iter().any(|h| h == "custom:plan"));
    let cert = sdk
        .idp
        .get_signing_certificate()
        .user_pool_id(&pool_id)
        .send()
        .await
        .expect("GetSigningCertificate");
    assert!(cert.certificate().is_some_and(|c| c.len() > 100));

    // Update replaces: the password policy goes back to its default.
    sdk.idp
        .update_user_pool()
        .user_pool_id(&pool_id)
        .deletion_protection(DeletionProtectionType::Active)
        .send()
        .await
        .expect("UpdateUserPool");
    let after = sdk
        .idp
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        after
            .user_pool()
            .and_then(|p| p.policies())
            .and_then(|p| p.password_policy())
            .and_then(|p| p.minimum_length()),
        Some(8)
    );
    let arn = after.user_pool().unwrap().arn().unwrap().to_string();

    sdk.idp
        .tag_resource()
        .resource_arn(&arn)
        .tags("cost", "c1")
        .tags("owner", "me")
        .send()
        .await
        .expect("TagResource");
    sdk.idp
        .untag_resource()
        .resource_arn(&arn)
        .tag_keys("owner")
        .send()
        .await
        .expect("UntagResource");
    let tags = sdk
        .idp
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .expect("ListTagsForResource");
    let tags = tags.tags().unwrap();
    assert_eq!(tags.get("cost").map(String::as_str), Some("c1"));
    assert!(!tags.contains_key("owner"));

    let mfa = sdk
        .idp
        .get_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .send()
        .await
        .expect("GetUserPoolMfaConfig");
    assert_eq!(mfa.mfa_configuration(), Some(&UserPoolMfaType::Off));
    let set = sdk
        .idp
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .expect("SetUserPoolMfaConfig");
    assert_eq!(set.mfa_configuration(), Some(&UserPoolMfaType::Optional));

    let message = refused!(
        sdk.idp.delete_user_pool().user_pool_id(&pool_id).send(),
        DeleteErr::InvalidParameterException
    );
    assert!(message.contains("deletion protection"), "{message}");
    sdk.idp
        .update_user_pool()
        .user_pool_id(&pool_id)
        .deletion_protection(DeletionProtectionType::Inactive)
        .send()
        .await
        .unwrap();
    sdk.idp
        .delete_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .expect("DeleteUserPool");
    refused!(
        sdk.idp.describe_user_pool().user_pool_id(&pool_id).send(),
        DescribeErr::ResourceNotFoundException
    );
    let message = refused!(
        sdk.idp.list_user_pools().max_results(61).send(),
        ListErr::InvalidParameterException
    );
    assert!(
        message.starts_with("1 validation error detected: Value '61' at 'maxResults'"),
        "{message}"
    );

    // An operation the emulator does not emulate: HTTP 501 with a documented error code that
    // the SDK does not model, so it arrives as an unhandled error that keeps code and message.
    let err = sdk
        .idp
        .describe_risk_configuration()
        .user_pool_id("us-east-1_abcdefghi")
        .send()
        .await
        .expect_err("not emulated");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(501));
    let err = err.into_service_error();
    assert_eq!(err.code(), Some("NotImplementedException"));
    assert!(
        err.message()
            .is_some_and(|m| m.contains("does not emulate")),
        "{err:?}"
    );

    // ListUserPools through the paginator: every pool exactly once
    let mut names = Vec::new();
    for i in 0..13 {
        let name = format!("sdk-rust-page-{i:02}");
        sdk.idp
            .create_user_pool()
            .pool_name(&name)
            .send()
            .await
            .unwrap();
        names.push(name);
    }
    let listed: Vec<UserPoolDescriptionType> = sdk
        .idp
        .list_user_pools()
        .max_results(4)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .expect("ListUserPools pages");
    let mut got: Vec<String> = listed
        .iter()
        .filter_map(|p| p.name())
        .filter(|n| n.starts_with("sdk-rust-page-"))
        .map(str::to_string)
        .collect();
    got.sort();
    assert_eq!(got, names);
    for p in &listed {
        assert_date(p.creation_date(), "ListUserPools CreationDate");
    }
    refused!(
        sdk.idp
            .list_user_pools()
            .max_results(4)
            .next_token("forged")
            .send(),
        ListErr::InvalidParameterException
    );
}

async fn clients(sdk: &Sdk) {
    use cip::operation::describe_user_pool_client::DescribeUserPoolClientError as DescribeErr;
    let (pool_id, first) = simple_pool(sdk, "sdk-rust-clients").await;
    let created = sdk
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("with-secret")
        .generate_secret(true)
        .access_token_validity(2)
        .token_validity_units(
            TokenValidityUnitsType::builder()
                .access_token(TimeUnitsType::Hours)
                .build(),
        )
        .send()
        .await
        .expect("CreateUserPoolClient");
    let c = created.user_pool_client().unwrap();
    let client_id = c.client_id().unwrap().to_string();
    assert!(c.client_secret().is_some());
    assert_date(c.creation_date(), "client CreationDate");
    let described = sdk
        .idp
        .describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .send()
        .await
        .expect("DescribeUserPoolClient");
    let d = described.user_pool_client().unwrap();
    assert_eq!(d.access_token_validity(), Some(2));
    assert_eq!(
        d.token_validity_units().and_then(|u| u.access_token()),
        Some(&TimeUnitsType::Hours)
    );
    assert_eq!(
        d.prevent_user_existence_errors(),
        Some(&PreventUserExistenceErrorTypes::Legacy)
    );
    let mut ids = vec![first, client_id.clone()];
    for i in 0..5 {
        ids.push(client(sdk, &pool_id, &format!("app-{i}")).await);
    }
    let listed: Vec<UserPoolClientDescription> = sdk
        .idp
        .list_user_pool_clients()
        .user_pool_id(&pool_id)
        .max_results(3)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .expect("ListUserPoolClients pages");
    let mut got: Vec<String> = listed
        .iter()
        .map(|c| c.client_id().unwrap().to_string())
        .collect();
    got.sort();
    ids.sort();
    assert_eq!(got, ids, "every client once");
    let updated = sdk
        .idp
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .client_name("renamed")
        .send()
        .await
        .expect("UpdateUserPoolClient");
    let u = updated.user_pool_client().unwrap();
    assert_eq!(u.client_name(), Some("renamed"));
    assert_eq!(u.access_token_validity(), Some(60), "omitted: the default");
    sdk.idp
        .delete_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .send()
        .await
        .expect("DeleteUserPoolClient");
    refused!(
        sdk.idp
            .describe_user_pool_client()
            .user_pool_id(&pool_id)
            .client_id(&client_id)
            .send(),
        DescribeErr::ResourceNotFoundException
    );
}

async fn resources(sdk: &Sdk) {
    use cip::operation::describe_identity_provider::DescribeIdentityProviderError as IdpErr;
    use cip::operation::describe_resource_server::DescribeResourceServerError as RsErr;
    let (pool_id, _) = simple_pool(sdk, "sdk-rust-resources").await;
    let mut identifiers = Vec::new();
    for i in 0..5 {
        let id = format!("https://api{i}.example.com");
        sdk.idp
            .create_resource_server()
            .user_pool_id(&pool_id)
            .identifier(&id)
            .name(format!("api{i}"))
            .scopes(
                ResourceServerScopeType::builder()
                    .scope_name("read")
                    .scope_description("read things")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .expect("CreateResourceServer");
        identifiers.push(id);
    }
    let servers: Vec<ResourceServerType> = sdk
        .idp
        .list_resource_servers()
        .user_pool_id(&pool_id)
        .max_results(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .expect("ListResourceServers pages");
    let mut got: Vec<&str> = servers.iter().filter_map(|s| s.identifier()).collect();
    got.sort();
    assert_eq!(got, identifiers);
    sdk.idp
        .update_resource_server()
        .user_pool_id(&pool_id)
        .identifier(&identifiers[0])
        .name("renamed")
        .send()
        .await
        .expect("UpdateResourceServer");
    let rs = sdk
        .idp
        .describe_resource_server()
        .user_pool_id(&pool_id)
        .identifier(&identifiers[0])
        .send()
        .await
        .expect("DescribeResourceServer");
    assert_eq!(rs.resource_server().and_then(|r| r.name()), Some("renamed"));
    sdk.idp
        .delete_resource_server()
        .user_pool_id(&pool_id)
        .identifier(&identifiers[0])
        .send()
        .await
        .expect("DeleteResourceServer");
    refused!(
        sdk.idp
            .describe_resource_server()
            .user_pool_id(&pool_id)
            .identifier(&identifiers[0])
            .send(),
        RsErr::ResourceNotFoundException
    );

    // AWS refuses a prefix naming it ("Domain cannot contain reserved word: aws"); the random
    // pool id could spell it.
    let domain =
        format!("sdk-rust-{}", pool_id.to_lowercase().replace('_', "-")).replace("aws", "a-ws");
    sdk.idp
        .create_user_pool_domain()
        .user_pool_id(&pool_id)
        .domain(&domain)
        .send()
        .await
        .expect("CreateUserPoolDomain");
    let described = sdk
        .idp
        .describe_user_pool_domain()
        .domain(&domain)
        .send()
        .await
        .expect("DescribeUserPoolDomain");
    let dd = described.domain_description().unwrap();
    assert_eq!(dd.user_pool_id(), Some(pool_id.as_str()));
    assert_eq!(dd.status(), Some(&DomainStatusType::Active));
    sdk.idp
        .update_user_pool_domain()
        .user_pool_id(&pool_id)
        .domain(&domain)
        .managed_login_version(2)
        .send()
        .await
        .expect("UpdateUserPoolDomain");
    sdk.idp
        .delete_user_pool_domain()
        .user_pool_id(&pool_id)
        .domain(&domain)
        .send()
        .await
        .expect("DeleteUserPoolDomain");

    let mut names = Vec::new();
    for i in 0..4 {
        let name = format!("oidc{i}");
        let out = sdk
            .idp
            .create_identity_provider()
            .user_pool_id(&pool_id)
            .provider_name(&name)
            .provider_type(IdentityProviderTypeType::Oidc)
            .provider_details("client_id", format!("c{i}"))
            .provider_details("client_secret", "s")
            .provider_details("authorize_scopes", "openid")
            .provider_details("oidc_issuer", format!("https://issuer{i}.example.com"))
            .provider_details("attributes_request_method", "GET")
            .attribute_mapping("email", "email")
            .idp_identifiers(format!("idp{i}"))
            .send()
            .await
            .expect("CreateIdentityProvider");
        let p = out.identity_provider().unwrap();
        assert_eq!(p.provider_type(), Some(&IdentityProviderTypeType::Oidc));
        assert_date(p.creation_date(), "IdP CreationDate");
        names.push(name);
    }
    let providers: Vec<ProviderDescription> = sdk
        .idp
        .list_identity_providers()
        .user_pool_id(&pool_id)
        .max_results(3)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .expect("ListIdentityProviders pages");
    let mut got: Vec<String> = providers
        .iter()
        .filter_map(|p| p.provider_name())
        .map(str::to_string)
        .collect();
    got.sort();
    assert_eq!(got, names);
    let by_id = sdk
        .idp
        .get_identity_provider_by_identifier()
        .user_pool_id(&pool_id)
        .idp_identifier("idp2")
        .send()
        .await
        .expect("GetIdentityProviderByIdentifier");
    assert_eq!(
        by_id.identity_provider().and_then(|p| p.provider_name()),
        Some("oidc2")
    );
    sdk.idp
        .update_identity_provider()
        .user_pool_id(&pool_id)
        .provider_name("oidc1")
        .attribute_mapping("email", "mail")
        .send()
        .await
        .expect("UpdateIdentityProvider");
    let d = sdk
        .idp
        .describe_identity_provider()
        .user_pool_id(&pool_id)
        .provider_name("oidc1")
        .send()
        .await
        .expect("DescribeIdentityProvider");
    assert_eq!(
        d.identity_provider()
            .and_then(|p| p.attribute_mapping())
            .and_then(|m| m.get("email"))
            .map(String::as_str),
        Some("mail")
    );
    sdk.idp
        .delete_identity_provider()
        .user_pool_id(&pool_id)
        .provider_name("oidc1")
        .send()
        .await
        .expect("DeleteIdentityProvider");
    refused!(
        sdk.idp
            .describe_identity_provider()
            .user_pool_id(&pool_id)
            .provider_name("oidc1")
            .send(),
        IdpErr::ResourceNotFoundException
    );
}

// ---------------------------------------------------------------------------------------------
// Users and groups

async fn users(sdk: &Sdk) {
    use cip::operation::admin_create_user::AdminCreateUserError as CreateErr;
    use cip::operation::admin_get_user::AdminGetUserError as GetErr;
    use cip::operation::admin_initiate_auth::AdminInitiateAuthError as AuthErr;
    use cip::operation::admin_update_user_attributes::AdminUpdateUserAttributesError as UpdErr;
    use cip::operation::confirm_sign_up::ConfirmSignUpError as ConfirmErr;
    use cip::operation::list_users::ListUsersError as ListErr;
    use cip::operation::sign_up::SignUpError as SignUpErr;

    let (pool_id, client_id) = simple_pool(sdk, "sdk-rust-users").await;
    let created = sdk
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("ada")
        .temporary_password("Temp-Passw0rd!")
        .message_action(MessageActionType::Suppress)
        .user_attributes(attribute("email", "ada@example.com"))
        .user_attributes(attribute("email_verified", "True"))
        .send()
        .await
        .expect("AdminCreateUser");
    let user = created.user().unwrap();
    assert_eq!(
        user.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    assert_date(user.user_create_date(), "AdminCreateUser UserCreateDate");
    assert_eq!(attr(user.attributes(), "email_verified"), Some("true"));

    sdk.idp
        .admin_update_user_attributes()
        .user_pool_id(&pool_id)
        .username("ada")
        .user_attributes(attribute("name", "Ada"))
        .send()
        .await
        .expect("AdminUpdateUserAttributes");
    refused!(
        sdk.idp
            .admin_update_user_attributes()
            .user_pool_id(&pool_id)
            .username("ada")
            .user_attributes(attribute("custom:nope", "x"))
            .send(),
        UpdErr::InvalidParameterException
    );
    sdk.idp
        .admin_delete_user_attributes()
        .user_pool_id(&pool_id)
        .username("ada")
        .user_attribute_names("name")
        .send()
        .await
        .expect("AdminDeleteUserAttributes");
    let got = sdk
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("ada")
        .send()
        .await
        .expect("AdminGetUser");
    assert_eq!(attr(got.user_attributes(), "name"), None);
    assert_date(
        got.user_last_modified_date(),
        "AdminGetUser UserLastModifiedDate",
    );
    assert!(got.enabled());

    sdk.idp
        .admin_set_user_password()
        .user_pool_id(&pool_id)
        .username("ada")
        .password("Perm-Passw0rd!")
        .permanent(true)
        .send()
        .await
        .unwrap();
    sdk.idp
        .admin_disable_user()
        .user_pool_id(&pool_id)
        .username("ada")
        .send()
        .await
        .expect("AdminDisableUser");
    let message = refused!(
        sdk.idp
            .admin_initiate_auth()
            .user_pool_id(&pool_id)
            .client_id(&client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", "ada")
            .auth_parameters("PASSWORD", "Perm-Passw0rd!")
            .send(),
        AuthErr::NotAuthorizedException
    );
    assert_eq!(message, "User is disabled.");
    sdk.idp
        .admin_enable_user()
        .user_pool_id(&pool_id)
        .username("ada")
        .send()
        .await
        .expect("AdminEnableUser");
    sdk.idp
        .admin_reset_user_password()
        .user_pool_id(&pool_id)
        .username("ada")
        .send()
        .await
        .expect("AdminResetUserPassword");
    let reset = sdk
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("ada")
        .send()
        .await
        .unwrap();
    assert_eq!(reset.user_status(), Some(&UserStatusType::ResetRequired));
    sdk.idp
        .admin_delete_user()
        .user_pool_id(&pool_id)
        .username("ada")
        .send()
        .await
        .expect("AdminDeleteUser");
    let message = refused!(
        sdk.idp
            .admin_get_user()
            .user_pool_id(&pool_id)
            .username("ada")
            .send(),
        GetErr::UserNotFoundException
    );
    assert_eq!(message, "User does not exist.");

    // sign-up and confirmation
    let up = sdk
        .idp
        .sign_up()
        .client_id(&client_id)
        .username("carol")
        .password("Carol-Passw0rd!")
        .user_attributes(attribute("email", "carol@example.com"))
        .send()
        .await
        .expect("SignUp");
    assert!(!up.user_confirmed());
    let delivery = up.code_delivery_details().unwrap();
    assert_eq!(delivery.delivery_medium(), Some(&DeliveryMediumType::Email));
    sdk.idp
        .resend_confirmation_code()
        .client_id(&client_id)
        .username("carol")
        .send()
        .await
        .expect("ResendConfirmationCode");
    refused!(
        sdk.idp
            .confirm_sign_up()
            .client_id(&client_id)
            .username("carol")
            .confirmation_code("000000")
            .send(),
        ConfirmErr::CodeMismatchException
    );
    let code = sdk.emu.last_code("carol", MessageKind::SignUp).unwrap();
    sdk.idp
        .confirm_sign_up()
        .client_id(&client_id)
        .username("carol")
        .confirmation_code(code)
        .send()
        .await
        .expect("ConfirmSignUp");
    sdk.idp
        .sign_up()
        .client_id(&client_id)
        .username("dave")
        .password("Dave-Passw0rd!")
        .send()
        .await
        .unwrap();
    sdk.idp
        .admin_confirm_sign_up()
        .user_pool_id(&pool_id)
        .username("dave")
        .send()
        .await
        .expect("AdminConfirmSignUp");
    refused!(
        sdk.idp
            .sign_up()
            .client_id(&client_id)
            .username("dave")
            .password("Dave-Passw0rd!")
            .send(),
        SignUpErr::UsernameExistsException
    );
    refused!(
        sdk.idp
            .sign_up()
            .client_id(&client_id)
            .username("erin")
            .password("short")
            .send(),
        SignUpErr::InvalidPasswordException
    );
    refused!(
        sdk.idp
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username("dave")
            .send(),
        CreateErr::UsernameExistsException
    );

    // ListUsers through the paginator, with a filter and AttributesToGet
    let mut names = vec!["carol".to_string(), "dave".to_string()];
    for i in 0..17 {
        let name = format!("user{i:02}");
        sdk.idp
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username(&name)
            .message_action(MessageActionType::Suppress)
            .user_attributes(attribute("email", &format!("{name}@example.com")))
            .send()
            .await
            .unwrap();
        names.push(name);
    }
    let all: Vec<UserType> = sdk
        .idp
        .list_users()
        .user_pool_id(&pool_id)
        .limit(4)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .expect("ListUsers pages");
    let mut got: Vec<String> = all
        .iter()
        .map(|u| u.username().unwrap().to_string())
        .collect();
    got.sort();
    names.sort();
    assert_eq!(got, names, "every user once");
    for u in &all {
        assert_date(u.user_create_date(), "ListUsers UserCreateDate");
    }
    let filtered: Vec<UserType> = sdk
        .idp
        .list_users()
        .user_pool_id(&pool_id)
        .limit(3)
        .filter("username ^= \"user1\"")
        .attributes_to_get("email")
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .expect("filtered ListUsers pages");
    assert_eq!(filtered.len(), 7);
    for u in &filtered {
        let names: Vec<&str> = u.attributes().iter().map(|a| a.name()).collect();
        assert_eq!(names, ["email"]);
    }
    refused!(
        sdk.idp
            .list_users()
            .user_pool_id(&pool_id)
            .pagination_token("forged")
            .send(),
        ListErr::InvalidParameterException
    );
}

async fn groups(sdk: &Sdk) {
    use cip::operation::create_group::CreateGroupError as CreateErr;
    use cip::operation::get_group::GetGroupError as GetErr;
    let (pool_id, _) = simple_pool(sdk, "sdk-rust-groups").await;
    let mut names = Vec::new();
    for i in 0..6 {
        let name = format!("group-{i}");
        let g = sdk
            .idp
            .create_group()
            .user_pool_id(&pool_id)
            .group_name(&name)
            .precedence(i)
            .role_arn(format!("arn:aws:iam::123456789012:role/g{i}"))
            .send()
            .await
            .expect("CreateGroup");
        assert_date(
            g.group().and_then(|g| g.creation_date()),
            "Group CreationDate",
        );
        names.push(name);
    }
    refused!(
        sdk.idp
            .create_group()
            .user_pool_id(&pool_id)
            .group_name("group-0")
            .send(),
        CreateErr::GroupExistsException
    );
    let listed: Vec<GroupType> = sdk
        .idp
        .list_groups()
        .user_pool_id(&pool_id)
        .limit(4)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .expect("ListGroups pages");
    let mut got: Vec<&str> = listed.iter().filter_map(|g| g.group_name()).collect();
    got.sort();
    assert_eq!(got, names);
    sdk.idp
        .update_group()
        .user_pool_id(&pool_id)
        .group_name("group-1")
        .description("updated")
        .send()
        .await
        .expect("UpdateGroup");
    let g = sdk
        .idp
        .get_group()
        .user_pool_id(&pool_id)
        .group_name("group-1")
        .send()
        .await
        .expect("GetGroup");
    assert_eq!(g.group().and_then(|g| g.description()), Some("updated"));
    let mut members = Vec::new();
    for i in 0..5 {
        let name = format!("member{i}");
        sdk.idp
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username(&name)
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .unwrap();
        sdk.idp
            .admin_add_user_to_group()
            .user_pool_id(&pool_id)
            .username(&name)
            .group_name("group-2")
            .send()
            .await
            .expect("AdminAddUserToGroup");
        members.push(name);
    }
    for g in &names {
        sdk.idp
            .admin_add_user_to_group()
            .user_pool_id(&pool_id)
            .username("member0")
            .group_name(g)
            .send()
            .await
            .unwrap();
    }
    let in_group: Vec<UserType> = sdk
        .idp
        .list_users_in_group()
        .user_pool_id(&pool_id)
        .group_name("group-2")
        .limit(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .expect("ListUsersInGroup pages");
    let mut got: Vec<&str> = in_group.iter().filter_map(|u| u.username()).collect();
    got.sort();
    assert_eq!(got, members);
    let for_user: Vec<GroupType> = sdk
        .idp
        .admin_list_groups_for_user()
        .user_pool_id(&pool_id)
        .username("member0")
        .limit(4)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .expect("AdminListGroupsForUser pages");
    let mut got: Vec<&str> = for_user.iter().filter_map(|g| g.group_name()).collect();
    got.sort();
    assert_eq!(got, names);
    sdk.idp
        .admin_remove_user_from_group()
        .user_pool_id(&pool_id)
        .username("member0")
        .group_name("group-2")
        .send()
        .await
        .expect("AdminRemoveUserFromGroup");
    sdk.idp
        .delete_group()
        .user_pool_id(&pool_id)
        .group_name("group-5")
        .send()
        .await
        .expect("DeleteGroup");
    refused!(
        sdk.idp
            .get_group()
            .user_pool_id(&pool_id)
            .group_name("group-5")
            .send(),
        GetErr::ResourceNotFoundException
    );
}

// ---------------------------------------------------------------------------------------------
// Sign-in and the user's own operations

async fn sessions(sdk: &Sdk) {
    use cip::operation::admin_respond_to_auth_challenge::AdminRespondToAuthChallengeError as AdminRespErr;
    use cip::operation::change_password::ChangePasswordError as ChangeErr;
    use cip::operation::confirm_forgot_password::ConfirmForgotPasswordError as ForgotErr;
    use cip::operation::get_tokens_from_refresh_token::GetTokensFromRefreshTokenError as TokErr;
    use cip::operation::get_user::GetUserError as GetUserErr;
    use cip::operation::initiate_auth::InitiateAuthError as AuthErr;
    use cip::operation::verify_user_attribute::VerifyUserAttributeError as VerifyErr;

    let (pool_id, client_id) = simple_pool(sdk, "sdk-rust-sessions").await;
    let secret_client = sdk
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("secret")
        .generate_secret(true)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    let sc = secret_client.user_pool_client().unwrap();
    let (sid, secret) = (sc.client_id().unwrap(), sc.client_secret().unwrap());
    confirmed_user(sdk, &pool_id, "fay", "Fay-Passw0rd!").await;

    let message = refused!(
        sdk.idp
            .initiate_auth()
            .client_id(sid)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "fay")
            .auth_parameters("PASSWORD", "Fay-Passw0rd!")
            .send(),
        AuthErr::NotAuthorizedException
    );
    assert!(message.contains("secret"), "{message}");
    let out = sdk
        .idp
        .initiate_auth()
        .client_id(sid)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "fay")
        .auth_parameters("PASSWORD", "Fay-Passw0rd!")
        .auth_parameters("SECRET_HASH", secret_hash("fay", sid, secret))
        .send()
        .await
        .expect("InitiateAuth");
    let tokens = out.authentication_result().unwrap();
    assert_eq!(tokens.token_type(), Some("Bearer"));
    assert_eq!(tokens.expires_in(), 3600);
    let refresh = tokens.refresh_token().unwrap().to_string();
    let refreshed = sdk
        .idp
        .initiate_auth()
        .client_id(sid)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &refresh)
        .auth_parameters("SECRET_HASH", secret_hash("fay", sid, secret))
        .send()
        .await
        .expect("REFRESH_TOKEN_AUTH");
    assert!(
        refreshed
            .authentication_result()
            .and_then(|r| r.access_token())
            .is_some()
    );
    sdk.idp
        .get_tokens_from_refresh_token()
        .client_id(sid)
        .client_secret(secret)
        .refresh_token(&refresh)
        .send()
        .await
        .expect("GetTokensFromRefreshToken");
    sdk.idp
        .revoke_token()
        .client_id(sid)
        .client_secret(secret)
        .token(&refresh)
        .send()
        .await
        .expect("RevokeToken");
    refused!(
        sdk.idp
            .get_tokens_from_refresh_token()
            .client_id(sid)
            .client_secret(secret)
            .refresh_token(&refresh)
            .send(),
        TokErr::NotAuthorizedException
    );

    // NEW_PASSWORD_REQUIRED, both ways
    for user in ["gus", "hal"] {
        sdk.idp
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username(user)
            .temporary_password("Temp-Passw0rd!")
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .unwrap();
    }
    let challenge = sdk
        .idp
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "gus")
        .auth_parameters("PASSWORD", "Temp-Passw0rd!")
        .send()
        .await
        .unwrap();
    assert_eq!(
        challenge.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    let answered = sdk
        .idp
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(challenge.session().unwrap())
        .challenge_responses("USERNAME", "gus")
        .challenge_responses("NEW_PASSWORD", "Gus-Passw0rd!")
        .send()
        .await
        .expect("RespondToAuthChallenge");
    assert!(answered.authentication_result().is_some());
    let admin_challenge = sdk
        .idp
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "hal")
        .auth_parameters("PASSWORD", "Temp-Passw0rd!")
        .send()
        .await
        .unwrap();
    refused!(
        sdk.idp
            .admin_respond_to_auth_challenge()
            .user_pool_id(&pool_id)
            .client_id(&client_id)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(admin_challenge.session().unwrap())
            .challenge_responses("USERNAME", "hal")
            .challenge_responses("NEW_PASSWORD", "weak")
            .send(),
        AdminRespErr::InvalidPasswordException
    );
    let retry = sdk
        .idp
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "hal")
        .auth_parameters("PASSWORD", "Temp-Passw0rd!")
        .send()
        .await
        .unwrap();
    sdk.idp
        .admin_respond_to_auth_challenge()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(retry.session().unwrap())
        .challenge_responses("USERNAME", "hal")
        .challenge_responses("NEW_PASSWORD", "Hal-Passw0rd!")
        .send()
        .await
        .expect("AdminRespondToAuthChallenge");

    // the user's own operations
    sdk.idp
        .admin_update_user_attributes()
        .user_pool_id(&pool_id)
        .username("gus")
        .user_attributes(attribute("email", "gus@example.com"))
        .user_attributes(attribute("email_verified", "true"))
        .user_attributes(attribute("phone_number", "+15555550100"))
        .send()
        .await
        .unwrap();
    let at = sign_in(sdk, &pool_id, &client_id, "gus", "Gus-Passw0rd!")
        .await
        .access_token
        .unwrap();
    let updated = sdk
        .idp
        .update_user_attributes()
        .access_token(&at)
        .user_attributes(attribute("email", "gus2@example.com"))
        .user_attributes(attribute("name", "Gus"))
        .send()
        .await
        .expect("UpdateUserAttributes");
    assert_eq!(
        updated.code_delivery_details_list()[0].delivery_medium(),
        Some(&DeliveryMediumType::Email)
    );
    sdk.idp
        .get_user_attribute_verification_code()
        .access_token(&at)
        .attribute_name("email")
        .send()
        .await
        .expect("GetUserAttributeVerificationCode");
    refused!(
        sdk.idp
            .verify_user_attribute()
            .access_token(&at)
            .attribute_name("email")
            .code("000000")
            .send(),
        VerifyErr::CodeMismatchException
    );
    let code = sdk
        .emu
        .last_code("gus", MessageKind::VerifyAttribute)
        .unwrap();
    sdk.idp
        .verify_user_attribute()
        .access_token(&at)
        .attribute_name("email")
        .code(code)
        .send()
        .await
        .expect("VerifyUserAttribute");
    sdk.idp
        .delete_user_attributes()
        .access_token(&at)
        .user_attribute_names("name")
        .send()
        .await
        .expect("DeleteUserAttributes");
    let me = sdk
        .idp
        .get_user()
        .access_token(&at)
        .send()
        .await
        .expect("GetUser");
    assert_eq!(
        attr(me.user_attributes(), "email"),
        Some("gus2@example.com")
    );
    assert_eq!(attr(me.user_attributes(), "name"), None);
    sdk.idp
        .set_user_settings()
        .access_token(&at)
        .mfa_options(
            MfaOptionType::builder()
                .delivery_medium(DeliveryMediumType::Sms)
                .attribute_name("phone_number")
                .build(),
        )
        .send()
        .await
        .expect("SetUserSettings");
    sdk.idp
        .admin_set_user_settings()
        .user_pool_id(&pool_id)
        .username("gus")
        .set_mfa_options(Some(vec![]))
        .send()
        .await
        .expect("AdminSetUserSettings");
    let factors = sdk
        .idp
        .get_user_auth_factors()
        .access_token(&at)
        .send()
        .await
        .expect("GetUserAuthFactors");
    assert!(
        factors
            .configured_user_auth_factors()
            .contains(&AuthFactorType::Password)
    );
    sdk.idp
        .change_password()
        .access_token(&at)
        .previous_password("Gus-Passw0rd!")
        .proposed_password("Gus-Passw0rd!2")
        .send()
        .await
        .expect("ChangePassword");
    refused!(
        sdk.idp
            .change_password()
            .access_token(&at)
            .previous_password("wrong-Passw0rd!")
            .proposed_password("Gus-Passw0rd!3")
            .send(),
        ChangeErr::NotAuthorizedException
    );
    sdk.idp
        .forgot_password()
        .client_id(&client_id)
        .username("gus")
        .send()
        .await
        .expect("ForgotPassword");
    refused!(
        sdk.idp
            .confirm_forgot_password()
            .client_id(&client_id)
            .username("gus")
            .confirmation_code("000000")
            .password("Gus-Passw0rd!4")
            .send(),
        ForgotErr::CodeMismatchException
    );
    let code = sdk
        .emu
        .last_code("gus", MessageKind::ForgotPassword)
        .unwrap();
    sdk.idp
        .confirm_forgot_password()
        .client_id(&client_id)
        .username("gus")
        .confirmation_code(code)
        .password("Gus-Passw0rd!4")
        .send()
        .await
        .expect("ConfirmForgotPassword");
    let at = sign_in(sdk, &pool_id, &client_id, "gus", "Gus-Passw0rd!4")
        .await
        .access_token
        .unwrap();
    sdk.idp
        .global_sign_out()
        .access_token(&at)
        .send()
        .await
        .expect("GlobalSignOut");
    refused!(
        sdk.idp.get_user().access_token(&at).send(),
        GetUserErr::NotAuthorizedException
    );
    let at = sign_in(sdk, &pool_id, &client_id, "gus", "Gus-Passw0rd!4")
        .await
        .access_token
        .unwrap();
    sdk.idp
        .admin_user_global_sign_out()
        .user_pool_id(&pool_id)
        .username("gus")
        .send()
        .await
        .expect("AdminUserGlobalSignOut");
    refused!(
        sdk.idp.get_user().access_token(&at).send(),
        GetUserErr::NotAuthorizedException
    );
    let at = sign_in(sdk, &pool_id, &client_id, "gus", "Gus-Passw0rd!4")
        .await
        .access_token
        .unwrap();
    sdk.idp
        .delete_user()
        .access_token(&at)
        .send()
        .await
        .expect("DeleteUser");
    refused!(
        sdk.idp.get_user().access_token("not.a.token").send(),
        GetUserErr::NotAuthorizedException
    );
}

// ---------------------------------------------------------------------------------------------
// MFA, devices, passkeys

/// RFC 6238 TOTP (HMAC-SHA1, 6 digits, 30 s steps) of a base32 secret.
fn totp(secret_base32: &str, unix_secs: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut nbits, mut key) = (0u64, 0u32, Vec::new());
    for c in secret_base32.trim_end_matches('=').bytes() {
        let v = ALPHABET.iter().position(|&a| a == c).expect("base32") as u64;
        bits = (bits << 5) | v;
        nbits += 5;
        if nbits >= 8 {
            key.push((bits >> (nbits - 8)) as u8);
            nbits -= 8;
        }
    }
    let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(&key).unwrap();
    mac.update(&(unix_secs / 30).to_be_bytes());
    let h = mac.finalize().into_bytes();
    let o = usize::from(h[19] & 0x0f);
    let n = u32::from_be_bytes([h[o] & 0x7f, h[o + 1], h[o + 2], h[o + 3]]);
    format!("{:06}", n % 1_000_000)
}

async fn mfa(sdk: &Sdk) {
    use cip::operation::respond_to_auth_challenge::RespondToAuthChallengeError as RespErr;
    use cip::operation::verify_software_token::VerifySoftwareTokenError as VerifyErr;
    let (pool_id, client_id) = simple_pool(sdk, "sdk-rust-mfa").await;
    sdk.idp
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .unwrap();
    confirmed_user(sdk, &pool_id, "jan", "Jan-Passw0rd!").await;
    let at = sign_in(sdk, &pool_id, &client_id, "jan", "Jan-Passw0rd!")
        .await
        .access_token
        .unwrap();
    let assoc = sdk
        .idp
        .associate_software_token()
        .access_token(&at)
        .send()
        .await
        .expect("AssociateSoftwareToken");
    let secret = assoc.secret_code().unwrap().to_string();
    refused!(
        sdk.idp
            .verify_software_token()
            .access_token(&at)
            .user_code("000000")
            .send(),
        VerifyErr::EnableSoftwareTokenMfaException
    );
    let verified = sdk
        .idp
        .verify_software_token()
        .access_token(&at)
        .user_code(totp(&secret, sdk.emu.now()))
        .send()
        .await
        .expect("VerifySoftwareToken");
    assert_eq!(
        verified.status(),
        Some(&VerifySoftwareTokenResponseType::Success)
    );
    sdk.idp
        .set_user_mfa_preference()
        .access_token(&at)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .expect("SetUserMFAPreference");
    let user = sdk
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("jan")
        .send()
        .await
        .unwrap();
    assert_eq!(user.preferred_mfa_setting(), Some("SOFTWARE_TOKEN_MFA"));
    sdk.emu.advance_clock(30);
    let challenge = sdk
        .idp
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "jan")
        .auth_parameters("PASSWORD", "Jan-Passw0rd!")
        .send()
        .await
        .unwrap();
    assert_eq!(
        challenge.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    refused!(
        sdk.idp
            .respond_to_auth_challenge()
            .client_id(&client_id)
            .challenge_name(ChallengeNameType::SoftwareTokenMfa)
            .session(challenge.session().unwrap())
            .challenge_responses("USERNAME", "jan")
            .challenge_responses("SOFTWARE_TOKEN_MFA_CODE", "000000")
            .send(),
        RespErr::CodeMismatchException
    );
    let again = sdk
        .idp
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "jan")
        .auth_parameters("PASSWORD", "Jan-Passw0rd!")
        .send()
        .await
        .unwrap();
    let done = sdk
        .idp
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session(again.session().unwrap())
        .challenge_responses("USERNAME", "jan")
        .challenge_responses("SOFTWARE_TOKEN_MFA_CODE", totp(&secret, sdk.emu.now()))
        .send()
        .await
        .expect("SOFTWARE_TOKEN_MFA answered");
    assert!(done.authentication_result().is_some());
    sdk.idp
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool_id)
        .username("jan")
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(false)
                .preferred_mfa(false)
                .build(),
        )
        .send()
        .await
        .expect("AdminSetUserMFAPreference");
    sign_in(sdk, &pool_id, &client_id, "jan", "Jan-Passw0rd!").await;
}

async fn devices(sdk: &Sdk) {
    use cip::operation::admin_get_device::AdminGetDeviceError as AdminGetErr;
    use cip::operation::get_device::GetDeviceError as GetErr;
    use cip::operation::list_devices::ListDevicesError as ListErr;
    let pool = sdk
        .idp
        .create_user_pool()
        .pool_name("sdk-rust-devices")
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(false)
                .device_only_remembered_on_user_prompt(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_string();
    let client_id = client(sdk, &pool_id, "devices-app").await;
    confirmed_user(sdk, &pool_id, "kim", "Kim-Passw0rd!").await;
    let mut keys = Vec::new();
    let mut at = String::new();
    for i in 0..5 {
        let result = sign_in(sdk, &pool_id, &client_id, "kim", "Kim-Passw0rd!").await;
        let meta = result.new_device_metadata().expect("NewDeviceMetadata");
        let (key, group) = (meta.device_key().unwrap(), meta.device_group_key().unwrap());
        let reg = cognito_proto::srp::register_device(&mut rand::rng(), group, key);
        let confirmed = sdk
            .idp
            .confirm_device()
            .access_token(result.access_token().unwrap())
            .device_key(key)
            .device_name(format!("device-{i}"))
            .device_secret_verifier_config(
                DeviceSecretVerifierConfigType::builder()
                    .password_verifier(&reg.verifier_b64)
                    .salt(&reg.salt_b64)
                    .build(),
            )
            .send()
            .await
            .expect("ConfirmDevice");
        assert!(confirmed.user_confirmation_necessary());
        keys.push(key.to_string());
        at = result.access_token().unwrap().to_string();
    }
    // ListDevices has no paginator in the SDK: PaginationToken by hand.
    let (mut seen, mut token, mut pages) = (Vec::new(), None::<String>, 0);
    loop {
        let page = sdk
            .idp
            .list_devices()
            .access_token(&at)
            .limit(2)
            .set_pagination_token(token.take())
            .send()
            .await
            .expect("ListDevices");
        pages += 1;
        assert!(page.devices().len() <= 2);
        for d in page.devices() {
            assert_date(d.device_create_date(), "DeviceCreateDate");
            assert_date(
                d.device_last_authenticated_date(),
                "DeviceLastAuthenticatedDate",
            );
            seen.push(d.device_key().unwrap().to_string());
        }
        token = page.pagination_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    seen.sort();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "every device once");
    let d = sdk
        .idp
        .get_device()
        .access_token(&at)
        .device_key(&keys[0])
        .send()
        .await
        .expect("GetDevice");
    assert_eq!(
        attr(d.device().unwrap().device_attributes(), "device_name"),
        Some("device-0")
    );
    sdk.idp
        .update_device_status()
        .access_token(&at)
        .device_key(&keys[0])
        .device_remembered_status(DeviceRememberedStatusType::Remembered)
        .send()
        .await
        .expect("UpdateDeviceStatus");
    let d = sdk
        .idp
        .admin_get_device()
        .user_pool_id(&pool_id)
        .username("kim")
        .device_key(&keys[0])
        .send()
        .await
        .expect("AdminGetDevice");
    assert_eq!(
        attr(d.device().unwrap().device_attributes(), "device_status"),
        Some("valid")
    );
    sdk.idp
        .admin_update_device_status()
        .user_pool_id(&pool_id)
        .username("kim")
        .device_key(&keys[0])
        .device_remembered_status(DeviceRememberedStatusType::NotRemembered)
        .send()
        .await
        .expect("AdminUpdateDeviceStatus");
    let listed = sdk
        .idp
        .admin_list_devices()
        .user_pool_id(&pool_id)
        .username("kim")
        .send()
        .await
        .expect("AdminListDevices");
    assert_eq!(listed.devices().len(), 5);
    sdk.idp
        .forget_device()
        .access_token(&at)
        .device_key(&keys[1])
        .send()
        .await
        .expect("ForgetDevice");
    sdk.idp
        .admin_forget_device()
        .user_pool_id(&pool_id)
        .username("kim")
        .device_key(&keys[2])
        .send()
        .await
        .expect("AdminForgetDevice");
    refused!(
        sdk.idp
            .get_device()
            .access_token(&at)
            .device_key(&keys[1])
            .send(),
        GetErr::ResourceNotFoundException
    );
    refused!(
        sdk.idp
            .admin_get_device()
            .user_pool_id(&pool_id)
            .username("kim")
            .device_key(&keys[2])
            .send(),
        AdminGetErr::ResourceNotFoundException
    );
    refused!(
        sdk.idp
            .list_devices()
            .access_token(&at)
            .pagination_token("forged")
            .send(),
        ListErr::InvalidParameterException
    );
}

/// CBOR for the attestation object: unsigned and negative integers, byte and text strings
/// and maps are all it needs.
enum Cbor {
    Int(i64),
    Bytes(Vec<u8>),
    Text(&'static str),
    Map(Vec<(Cbor, Cbor)>),
}

fn cbor(value: &Cbor, out: &mut Vec<u8>) {
    fn head(major: u8, n: u64, out: &mut Vec<u8>) {
        match n {
            0..=23 => out.push((major << 5) | n as u8),
            24..=255 => out.extend([(major << 5) | 24, n as u8]),
            _ => {
                out.push((major << 5) | 25);
                out.extend((n as u16).to_be_bytes());
            }
        }
    }
    match value {
        Cbor::Int(i) if *i >= 0 => head(0, *i as u64, out),
        Cbor::Int(i) => head(1, (-1 - *i) as u64, out),
        Cbor::Bytes(b) => {
            head(2, b.len() as u64, out);
            out.extend(b);
        }
        Cbor::Text(t) => {
            head(3, t.len() as u64, out);
            out.extend(t.as_bytes());
        }
        Cbor::Map(entries) => {
            head(5, entries.len() as u64, out);
            for (k, v) in entries {
                cbor(k, out);
                cbor(v, out);
            }
        }
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

async fn passkeys(sdk: &Sdk) {
    use aws_smithy_types::Document;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use cip::operation::delete_web_authn_credential::DeleteWebAuthnCredentialError as DelErr;
    use sha2::Digest;
    use std::collections::HashMap;

    let pool = sdk
        .idp
        .create_user_pool()
        .pool_name("sdk-rust-passkeys")
        .policies(
            UserPoolPolicyType::builder()
                .sign_in_policy(
                    SignInPolicyType::builder()
                        .allowed_first_auth_factors(AuthFactorType::Password)
                        .allowed_first_auth_factors(AuthFactorType::WebAuthn)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_string();
    let client_id = client(sdk, &pool_id, "passkeys-app").await;
    confirmed_user(sdk, &pool_id, "lou", "Lou-Passw0rd!").await;
    let at = sign_in(sdk, &pool_id, &client_id, "lou", "Lou-Passw0rd!")
        .await
        .access_token
        .unwrap();
    let start = sdk
        .idp
        .start_web_authn_registration()
        .access_token(&at)
        .send()
        .await
        .expect("StartWebAuthnRegistration");
    let Document::Object(options) = start.credential_creation_options() else {
        panic!("CredentialCreationOptions is a document object");
    };
    let Some(Document::String(challenge)) = options.get("challenge") else {
        panic!("a challenge");
    };
    let Some(Document::Object(rp)) = options.get("rp") else {
        panic!("a relying party");
    };
    let Some(Document::String(rp_id)) = rp.get("id") else {
        panic!("a relying party id");
    };

    // Registration checks the attestation, not a signature: the P-256 generator point is a
    // valid public key for it.
    let x = hex("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");
    let y = hex("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
    let mut cose = Vec::new();
    cbor(
        &Cbor::Map(vec![
            (Cbor::Int(1), Cbor::Int(2)),
            (Cbor::Int(3), Cbor::Int(-7)),
            (Cbor::Int(-1), Cbor::Int(1)),
            (Cbor::Int(-2), Cbor::Bytes(x)),
            (Cbor::Int(-3), Cbor::Bytes(y)),
        ]),
        &mut cose,
    );
    let cred_id: Vec<u8> = (0..16u8).map(|i| i.wrapping_mul(37)).collect();
    let mut auth_data = sha2::Sha256::digest(rp_id.as_bytes()).to_vec();
    auth_data.push(0x01 | 0x04 | 0x40);
    auth_data.extend([0u8; 4]);
    auth_data.extend([0u8; 16]);
    auth_data.extend((cred_id.len() as u16).to_be_bytes());
    auth_data.extend(&cred_id);
    auth_data.extend(&cose);
    let mut attestation = Vec::new();
    cbor(
        &Cbor::Map(vec![
            (Cbor::Text("fmt"), Cbor::Text("none")),
            (Cbor::Text("attStmt"), Cbor::Map(vec![])),
            (Cbor::Text("authData"), Cbor::Bytes(auth_data)),
        ]),
        &mut attestation,
    );
    let client_data = format!(
        r#"{{"type":"webauthn.create","challenge":"{challenge}","origin":"http://{rp_id}:3000","crossOrigin":false}}"#
    );
    let id = URL_SAFE_NO_PAD.encode(&cred_id);
    let s = |v: &str| Document::String(v.to_string());
    let credential = Document::Object(HashMap::from([
        ("id".to_string(), s(&id)),
        ("rawId".to_string(), s(&id)),
        ("type".to_string(), s("public-key")),
        (
            "clientExtensionResults".to_string(),
            Document::Object(HashMap::new()),
        ),
        (
            "response".to_string(),
            Document::Object(HashMap::from([
                (
                    "clientDataJSON".to_string(),
                    s(&URL_SAFE_NO_PAD.encode(client_data)),
                ),
                (
                    "attestationObject".to_string(),
                    s(&URL_SAFE_NO_PAD.encode(&attestation)),
                ),
                (
                    "transports".to_string(),
                    Document::Array(vec![s("internal")]),
                ),
            ])),
        ),
    ]));
    sdk.idp
        .complete_web_authn_registration()
        .access_token(&at)
        .credential(credential)
        .send()
        .await
        .expect("CompleteWebAuthnRegistration");
    let listed = sdk
        .idp
        .list_web_authn_credentials()
        .access_token(&at)
        .send()
        .await
        .expect("ListWebAuthnCredentials");
    let creds = listed.credentials();
    assert_eq!(creds.len(), 1);
    assert_eq!(creds[0].credential_id(), id);
    assert_eq!(creds[0].relying_party_id(), rp_id);
    assert_date(Some(creds[0].created_at()), "WebAuthn CreatedAt");
    sdk.idp
        .delete_web_authn_credential()
        .access_token(&at)
        .credential_id(&id)
        .send()
        .await
        .expect("DeleteWebAuthnCredential");
    refused!(
        sdk.idp
            .delete_web_authn_credential()
            .access_token(&at)
            .credential_id(&id)
            .send(),
        DelErr::ResourceNotFoundException
    );
}

// ---------------------------------------------------------------------------------------------
// Identity pools

async fn identity_pools(sdk: &Sdk) {
    use ci::operation::describe_identity::DescribeIdentityError as DescribeErr;
    use ci::operation::describe_identity_pool::DescribeIdentityPoolError as DescribePoolErr;
    use ci::operation::get_credentials_for_identity::GetCredentialsForIdentityError as CredErr;
    use ci::types::{CognitoIdentityProvider, IdentityPoolShortDescription};

    let mut ids = Vec::new();
    for i in 0..5 {
        let pool = sdk
            .identity
            .create_identity_pool()
            .identity_pool_name(format!("sdk_rust_{i}"))
            .allow_unauthenticated_identities(i % 2 == 0)
            .identity_pool_tags("n", i.to_string())
            .send()
            .await
            .expect("CreateIdentityPool");
        ids.push(pool.identity_pool_id().to_string());
    }
    let listed: Vec<IdentityPoolShortDescription> = sdk
        .identity
        .list_identity_pools()
        .max_results(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .expect("ListIdentityPools pages");
    let mut got: Vec<String> = listed
        .iter()
        .filter_map(|p| p.identity_pool_id())
        .map(str::to_string)
        .collect();
    got.sort();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(got, sorted, "every identity pool once");
    let d = sdk
        .identity
        .describe_identity_pool()
        .identity_pool_id(&ids[0])
        .send()
        .await
        .expect("DescribeIdentityPool");
    assert_eq!(d.identity_pool_name(), "sdk_rust_0");
    let u = sdk
        .identity
        .update_identity_pool()
        .identity_pool_id(&ids[0])
        .identity_pool_name("renamed")
        .allow_unauthenticated_identities(false)
        .send()
        .await
        .expect("UpdateIdentityPool");
    assert_eq!(u.identity_pool_name(), "renamed");
    sdk.identity
        .delete_identity_pool()
        .identity_pool_id(&ids[1])
        .send()
        .await
        .expect("DeleteIdentityPool");
    refused!(
        sdk.identity
            .describe_identity_pool()
            .identity_pool_id(&ids[1])
            .send(),
        DescribePoolErr::ResourceNotFoundException
    );

    let (pool_id, client_id) = simple_pool(sdk, "sdk-rust-identities").await;
    let provider = format!("cognito-idp.us-east-1.amazonaws.com/{pool_id}");
    let pool = sdk
        .identity
        .create_identity_pool()
        .identity_pool_name("sdk_rust_identities")
        .allow_unauthenticated_identities(true)
        .cognito_identity_providers(
            CognitoIdentityProvider::builder()
                .provider_name(&provider)
                .client_id(&client_id)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let ipid = pool.identity_pool_id();
    sdk.identity
        .set_identity_pool_roles()
        .identity_pool_id(ipid)
        .roles("authenticated", "arn:aws:iam::123456789012:role/auth")
        .roles("unauthenticated", "arn:aws:iam::123456789012:role/guest")
        .send()
        .await
        .expect("SetIdentityPoolRoles");
    let roles = sdk
        .identity
        .get_identity_pool_roles()
        .identity_pool_id(ipid)
        .send()
        .await
        .expect("GetIdentityPoolRoles");
    assert_eq!(
        roles
            .roles()
            .and_then(|r| r.get("authenticated"))
            .map(String::as_str),
        Some("arn:aws:iam::123456789012:role/auth")
    );
    let guest = sdk
        .identity
        .get_id()
        .identity_pool_id(ipid)
        .send()
        .await
        .expect("GetId");
    let guest_id = guest.identity_id().unwrap().to_string();
    let creds = sdk
        .identity
        .get_credentials_for_identity()
        .identity_id(&guest_id)
        .send()
        .await
        .expect("GetCredentialsForIdentity");
    let c = creds.credentials().unwrap();
    assert!(c.access_key_id().unwrap().starts_with("ASIA"));
    assert_date(c.expiration(), "Credentials Expiration");

    confirmed_user(sdk, &pool_id, "max", "Max-Passw0rd!").await;
    let id_token = sign_in(sdk, &pool_id, &client_id, "max", "Max-Passw0rd!")
        .await
        .id_token
        .unwrap();
    let user = sdk
        .identity
        .get_id()
        .identity_pool_id(ipid)
        .logins(&provider, &id_token)
        .send()
        .await
        .unwrap();
    let user_id = user.identity_id().unwrap().to_string();
    assert_ne!(user_id, guest_id);
    let open_id = sdk
        .identity
        .get_open_id_token()
        .identity_id(&user_id)
        .logins(&provider, &id_token)
        .send()
        .await
        .expect("GetOpenIdToken");
    assert_eq!(open_id.token().unwrap().split('.').count(), 3);
    refused!(
        sdk.identity
            .get_credentials_for_identity()
            .identity_id(&user_id)
            .send(),
        CredErr::NotAuthorizedException
    );
    let described = sdk
        .identity
        .describe_identity()
        .identity_id(&user_id)
        .send()
        .await
        .expect("DescribeIdentity");
    assert_eq!(described.logins(), std::slice::from_ref(&provider));
    assert_date(described.creation_date(), "Identity CreationDate");
    let list = sdk
        .identity
        .list_identities()
        .identity_pool_id(ipid)
        .max_results(10)
        .send()
        .await
        .expect("ListIdentities");
    assert_eq!(list.identities().len(), 2);
    sdk.identity
        .unlink_identity()
        .identity_id(&user_id)
        .logins(&provider, &id_token)
        .logins_to_remove(&provider)
        .send()
        .await
        .expect("UnlinkIdentity");
    refused!(
        sdk.identity
            .describe_identity()
            .identity_id("us-east-1:00000000-0000-0000-0000-000000000000")
            .send(),
        DescribeErr::ResourceNotFoundException
    );
}

// ---------------------------------------------------------------------------------------------
// Tests

macro_rules! journey {
    ($name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let sdk = start().await;
            super::$name(&sdk).await;
        }
    };
}

mod journey {
    use super::*;
    journey!(pools);
    journey!(clients);
    journey!(resources);
    journey!(users);
    journey!(groups);
    journey!(sessions);
    journey!(mfa);
    journey!(devices);
    journey!(passkeys);
    journey!(identity_pools);
}

/// Every journey on one emulator, then its per-operation counts against the coverage table
/// (generated from the model): every emulated operation must have gone through the SDK.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_emulated_operation_is_driven() {
    let sdk = start().await;
    pools(&sdk).await;
    clients(&sdk).await;
    resources(&sdk).await;
    users(&sdk).await;
    groups(&sdk).await;
    sessions(&sdk).await;
    mfa(&sdk).await;
    devices(&sdk).await;
    passkeys(&sdk).await;
    identity_pools(&sdk).await;

    let coverage = include_str!("../../../../crates/cognito-emulator/COVERAGE.md");
    let emulated: Vec<&str> = coverage
        .lines()
        .filter_map(|l| l.strip_prefix("| ")?.strip_suffix(" | yes |"))
        .collect();
    assert!(emulated.len() > 100, "coverage table read");
    let missing: Vec<&&str> = emulated
        .iter()
        .filter(|op| sdk.emu.request_count(op) == 0)
        .collect();
    println!(
        "AWS SDK for Rust drove {} of {} emulated operations",
        emulated.len() - missing.len(),
        emulated.len()
    );
    assert!(
        missing.is_empty(),
        "never driven through the SDK: {missing:?}"
    );
}
