//! Operation dispatch and helpers shared by the operations.

use num_bigint::BigUint;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::api::{
    ApiError, ApiResult, code_mismatch, expired_code, incorrect_credentials, not_authorized,
};
use crate::model::{Service, unknown_operation};
use crate::srp_server::{ct_eq, prim};
use crate::state::{Client, PasswordRecord, PendingCode, PoolSettings, State, User, pool_name};

pub(crate) mod admin;
pub(crate) mod admin_devices;
pub(crate) mod auth;
pub(crate) mod devices;
pub(crate) mod groups;
pub(crate) mod identity;
pub(crate) mod idp_details;
pub(crate) mod list_users;
pub(crate) mod mfa;
pub(crate) mod oauth_settings;
pub(crate) mod page;
pub(crate) mod pools;
pub(crate) mod profile;
pub(crate) mod resources;
pub(crate) mod signup;
pub(crate) mod tags;
pub(crate) mod tokens;

/// Validates a request against the model, then runs the operation against the state.
pub(crate) fn dispatch(
    st: &mut State,
    service: Service,
    op: &str,
    body: &Map<String, Value>,
) -> ApiResult<Value> {
    crate::model::validate(service, op, body)?;
    dispatch_valid(st, service, op, body)
}

/// Runs one operation against the state, for a body the model accepted.
pub(crate) fn dispatch_valid(
    st: &mut State,
    service: Service,
    op: &str,
    body: &Map<String, Value>,
) -> ApiResult<Value> {
    let b = crate::api::Body(body);
    match service {
        Service::Identity => match op {
            "GetId" => identity::get_id(st, &b),
            "GetCredentialsForIdentity" => identity::get_credentials(st, &b),
            "GetOpenIdToken" => identity::get_open_id_token(st, &b),
            "CreateIdentityPool" => identity::create_identity_pool(st, &b),
            "DescribeIdentityPool" => identity::describe_identity_pool(st, &b),
            "UpdateIdentityPool" => identity::update_identity_pool(st, &b),
            "DeleteIdentityPool" => identity::delete_identity_pool(st, &b),
            "ListIdentityPools" => identity::list_identity_pools(st, &b),
            "SetIdentityPoolRoles" => identity::set_identity_pool_roles(st, &b),
            "GetIdentityPoolRoles" => identity::get_identity_pool_roles(st, &b),
            "DescribeIdentity" => identity::describe_identity(st, &b),
            "ListIdentities" => identity::list_identities(st, &b),
            "UnlinkIdentity" => identity::unlink_identity(st, &b),
            _ => Err(not_served(service, op)),
        },
        Service::UserPools => match op {
            "CreateUserPool" => pools::create_user_pool(st, &b),
            "UpdateUserPool" => pools::update_user_pool(st, &b),
            "DescribeUserPool" => pools::describe_user_pool(st, &b),
            "DeleteUserPool" => pools::delete_user_pool(st, &b),
            "ListUserPools" => pools::list_user_pools(st, &b),
            "CreateUserPoolClient" => pools::create_user_pool_client(st, &b),
            "UpdateUserPoolClient" => pools::update_user_pool_client(st, &b),
            "DescribeUserPoolClient" => pools::describe_user_pool_client(st, &b),
            "DeleteUserPoolClient" => pools::delete_user_pool_client(st, &b),
            "ListUserPoolClients" => pools::list_user_pool_clients(st, &b),
            "SetUserPoolMfaConfig" => pools::set_user_pool_mfa_config(st, &b),
            "GetUserPoolMfaConfig" => pools::get_user_pool_mfa_config(st, &b),
            "AdminCreateUser" => admin::admin_create_user(st, &b),
            "AdminSetUserPassword" => admin::admin_set_user_password(st, &b),
            "AdminConfirmSignUp" => admin::admin_confirm_sign_up(st, &b),
            "AdminGetUser" => admin::admin_get_user(st, &b),
            "AdminDeleteUser" => admin::admin_delete_user(st, &b),
            "AdminDisableUser" => admin::admin_enable(st, &b, false),
            "AdminEnableUser" => admin::admin_enable(st, &b, true),
            "AdminUpdateUserAttributes" => admin::admin_update_user_attributes(st, &b),
            "AdminDeleteUserAttributes" => admin::admin_delete_user_attributes(st, &b),
            "AddCustomAttributes" => admin::add_custom_attributes(st, &b),
            "AdminSetUserMFAPreference" => admin::admin_set_user_mfa_preference(st, &b),
            "AdminUserGlobalSignOut" => admin::admin_user_global_sign_out(st, &b),
            "AdminResetUserPassword" => admin::admin_reset_user_password(st, &b),
            "ListUsers" => list_users::list_users(st, &b),
            "SignUp" => signup::sign_up(st, &b),
            "ConfirmSignUp" => signup::confirm_sign_up(st, &b),
            "ResendConfirmationCode" => signup::resend_confirmation_code(st, &b),
            "ForgotPassword" => signup::forgot_password(st, &b),
            "ConfirmForgotPassword" => signup::confirm_forgot_password(st, &b),
            "InitiateAuth" => auth::initiate_auth(st, &b),
            "RespondToAuthChallenge" => auth::respond_to_auth_challenge(st, &b),
            "AdminInitiateAuth" => auth::admin_initiate_auth(st, &b),
            "AdminRespondToAuthChallenge" => auth::admin_respond_to_auth_challenge(st, &b),
            "GetTokensFromRefreshToken" => tokens::get_tokens_from_refresh_token(st, &b),
            "RevokeToken" => tokens::revoke_token(st, &b),
            "GlobalSignOut" => tokens::global_sign_out(st, &b),
            "ChangePassword" => profile::change_password(st, &b),
            "GetUser" => profile::get_user(st, &b),
            "UpdateUserAttributes" => profile::update_user_attributes(st, &b),
            "DeleteUserAttributes" => profile::delete_user_attributes(st, &b),
            "GetUserAttributeVerificationCode" => profile::get_verification_code(st, &b),
            "VerifyUserAttribute" => profile::verify_user_attribute(st, &b),
            "DeleteUser" => profile::delete_user(st, &b),
            "GetUserAuthFactors" => profile::get_user_auth_factors(st, &b),
            "SetUserMFAPreference" => mfa::set_user_mfa_preference(st, &b),
            "SetUserSettings" => mfa::set_user_settings(st, &b),
            "AssociateSoftwareToken" => mfa::associate_software_token(st, &b),
            "VerifySoftwareToken" => mfa::verify_software_token(st, &b),
            "ConfirmDevice" => devices::confirm_device(st, &b),
            "ListDevices" => devices::list_devices(st, &b),
            "GetDevice" => devices::get_device(st, &b),
            "UpdateDeviceStatus" => devices::update_device_status(st, &b),
            "ForgetDevice" => devices::forget_device(st, &b),
            "StartWebAuthnRegistration" => profile::start_webauthn_registration(st, &b),
            "CompleteWebAuthnRegistration" => profile::complete_webauthn_registration(st, &b),
            "ListWebAuthnCredentials" => profile::list_webauthn_credentials(st, &b),
            "DeleteWebAuthnCredential" => profile::delete_webauthn_credential(st, &b),
            "CreateGroup" => groups::create_group(st, &b),
            "GetGroup" => groups::get_group(st, &b),
            "UpdateGroup" => groups::update_group(st, &b),
            "DeleteGroup" => groups::delete_group(st, &b),
            "ListGroups" => groups::list_groups(st, &b),
            "AdminAddUserToGroup" => groups::admin_add_user_to_group(st, &b),
            "AdminRemoveUserFromGroup" => groups::admin_remove_user_from_group(st, &b),
            "AdminListGroupsForUser" => groups::admin_list_groups_for_user(st, &b),
            "ListUsersInGroup" => groups::list_users_in_group(st, &b),
            "AdminListDevices" => admin_devices::admin_list_devices(st, &b),
            "AdminGetDevice" => admin_devices::admin_get_device(st, &b),
            "AdminForgetDevice" => admin_devices::admin_forget_device(st, &b),
            "AdminUpdateDeviceStatus" => admin_devices::admin_update_device_status(st, &b),
            "AdminSetUserSettings" => mfa::admin_set_user_settings(st, &b),
            "TagResource" => tags::tag_resource(st, &b),
            "UntagResource" => tags::untag_resource(st, &b),
            "ListTagsForResource" => tags::list_tags_for_resource(st, &b),
            "GetCSVHeader" => resources::get_csv_header(st, &b),
            "GetSigningCertificate" => resources::get_signing_certificate(st, &b),
            "CreateResourceServer" => resources::create_resource_server(st, &b),
            "DescribeResourceServer" => resources::describe_resource_server(st, &b),
            "UpdateResourceServer" => resources::update_resource_server(st, &b),
            "DeleteResourceServer" => resources::delete_resource_server(st, &b),
            "ListResourceServers" => resources::list_resource_servers(st, &b),
            "CreateIdentityProvider" => resources::create_identity_provider(st, &b),
            "DescribeIdentityProvider" => resources::describe_identity_provider(st, &b),
            "GetIdentityProviderByIdentifier" => {
                resources::get_identity_provider_by_identifier(st, &b)
            }
            "UpdateIdentityProvider" => resources::update_identity_provider(st, &b),
            "DeleteIdentityProvider" => resources::delete_identity_provider(st, &b),
            "ListIdentityProviders" => resources::list_identity_providers(st, &b),
            "CreateUserPoolDomain" => resources::create_user_pool_domain(st, &b),
            "DescribeUserPoolDomain" => resources::describe_user_pool_domain(st, &b),
            "UpdateUserPoolDomain" => resources::update_user_pool_domain(st, &b),
            "DeleteUserPoolDomain" => resources::delete_user_pool_domain(st, &b),
            _ => Err(not_served(service, op)),
        },
    }
}

/// An operation [`dispatch_valid`] does not serve: "not emulated" when the model has it.
fn not_served(service: Service, op: &str) -> ApiError {
    if crate::model::model(service).operation(op).is_some() {
        crate::model::not_emulated(service, op)
    } else {
        unknown_operation(op)
    }
}

/// Checks `SecretHash`/`SECRET_HASH` for a client with a secret (docs/protocol.md#48-secret_hash).
pub(crate) fn check_secret_hash(
    client: &Client,
    username: &str,
    provided: Option<&str>,
) -> ApiResult<()> {
    let Some(secret) = &client.secret else {
        return Ok(());
    };
    let Some(provided) = provided else {
        return Err(not_authorized(format!(
            "Client {} is configured for secret but secret was not received",
            client.id
        )));
    };
    let expected = prim::secret_hash(username, &client.id, secret.expose_secret());
    if ct_eq(&expected, provided) {
        Ok(())
    } else {
        Err(not_authorized(format!(
            "Unable to verify secret hash for client {}",
            client.id
        )))
    }
}

/// Checks a raw `ClientSecret` (GetTokensFromRefreshToken, RevokeToken).
pub(crate) fn check_client_secret(client: &Client, provided: Option<&str>) -> bool {
    match (&client.secret, provided) {
        (None, _) => true,
        (Some(s), Some(p)) => ct_eq(s.expose_secret(), p),
        (Some(_), None) => false,
    }
}

/// The pool's password policy.
pub(crate) fn check_password_policy(s: &PoolSettings, pw: &str) -> ApiResult<()> {
    let fail = |m: &str| {
        Err(ApiError::new(
            "InvalidPasswordException",
            format!("Password did not conform with policy: {m}"),
        ))
    };
    if pw.chars().count() < s.min_len {
        return fail("Password not long enough");
    }
    if s.req_upper && !pw.chars().any(|c| c.is_uppercase()) {
        return fail("Password must have uppercase characters");
    }
    if s.req_lower && !pw.chars().any(|c| c.is_lowercase()) {
        return fail("Password must have lowercase characters");
    }
    if s.req_num && !pw.chars().any(|c| c.is_ascii_digit()) {
        return fail("Password must have numeric characters");
    }
    if s.req_sym && !pw.chars().any(|c| c.is_ascii_punctuation() || c == ' ') {
        return fail("Password must have symbol characters");
    }
    Ok(())
}

/// Stores a new salt, verifier and x digest for `pw` (the password itself is never kept).
pub(crate) fn set_password(user: &mut User, pool_id: &str, pw: &str, now: u64) -> ApiResult<()> {
    let realm = pool_name(pool_id)?;
    let salt = BigUint::from_bytes_be(&crate::util::random_bytes(16));
    let x = prim::compute_x(&salt, realm, &user.username, pw);
    user.password = Some(PasswordRecord {
        verifier: prim::pow_g(x.expose_secret()),
        x_digest: x_digest(&x),
        salt,
        set_at: now,
    });
    Ok(())
}

fn x_digest(x: &prim::SecretUint) -> [u8; 32] {
    Sha256::digest(x.expose_secret().to_bytes_be()).into()
}

/// Whether `pw` is the user's password.
pub(crate) fn password_matches(user: &User, pool_id: &str, pw: &str) -> bool {
    let (Some(rec), Ok(realm)) = (&user.password, pool_name(pool_id)) else {
        return false;
    };
    let x = prim::compute_x(&rec.salt, realm, &user.username, pw);
    bool::from(subtle::ConstantTimeEq::ct_eq(
        &x_digest(&x)[..],
        &rec.x_digest[..],
    ))
}

/// Number of wrong attempts a code tolerates before it is burnt.
pub(crate) const CODE_ATTEMPTS: u32 = 5;

/// Issues a code for `purpose`, replacing the previous one.
pub(crate) fn new_code(user: &mut User, purpose: &str, now: u64, lifetime: u64) -> String {
    let code = crate::util::six_digits();
    user.codes.insert(
        purpose.to_string(),
        PendingCode {
            code: code.clone(),
            expires: now + lifetime,
            attempts: 0,
        },
    );
    code
}

/// Checks and consumes a code for `purpose`.
pub(crate) fn check_code(user: &mut User, purpose: &str, code: &str, now: u64) -> ApiResult<()> {
    let Some(pending) = user.codes.get_mut(purpose) else {
        return Err(expired_code());
    };
    if pending.expires <= now {
        user.codes.remove(purpose);
        return Err(expired_code());
    }
    if pending.attempts >= CODE_ATTEMPTS {
        return Err(ApiError::new(
            "LimitExceededException",
            "Attempt limit exceeded, please try after some time.",
        ));
    }
    if !ct_eq(&pending.code, code) {
        pending.attempts += 1;
        return Err(code_mismatch());
    }
    user.codes.remove(purpose);
    Ok(())
}

/// Sign-in status checks of docs/protocol.md#71-user-status/docs/protocol.md#72-order-of-checks-in-a-sign-in step 5 (before the password proof).
pub(crate) fn check_user_can_sign_in(user: &User) -> ApiResult<()> {
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    match user.status {
        "UNCONFIRMED" => Err(ApiError::new(
            "UserNotConfirmedException",
            "User is not confirmed.",
        )),
        "RESET_REQUIRED" => Err(ApiError::new(
            "PasswordResetRequiredException",
            "Password reset required for the user",
        )),
        _ => Ok(()),
    }
}

/// Lockout after repeated wrong passwords (docs/protocol.md#72-order-of-checks-in-a-sign-in step 6): 5 failures, then a growing lockout.
pub(crate) fn check_lockout(user: &User, now: u64) -> ApiResult<()> {
    if user.locked_until > now {
        return Err(not_authorized("Password attempts exceeded"));
    }
    Ok(())
}

/// Records a failed password proof and returns the error to send.
pub(crate) fn record_failure(user: &mut User, now: u64) -> ApiError {
    user.failed_logins += 1;
    if user.failed_logins >= 5 {
        let exp = (user.failed_logins - 5).min(10);
        user.locked_until = now + (1u64 << exp);
        return not_authorized("Password attempts exceeded");
    }
    incorrect_credentials()
}

/// Parses a JSON `"true"`/`"false"` attribute to a claim boolean.
pub(crate) fn attr_claim(name: &str, value: &str) -> Value {
    if name.ends_with("_verified") {
        Value::Bool(value == "true")
    } else {
        Value::String(value.to_string())
    }
}

#[cfg(test)]
mod refusals;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IDENTITY_OPERATIONS, USER_POOL_OPERATIONS};

    fn is_unknown(service: Service, op: &str) -> bool {
        let mut st = State::new("us-east-1".to_owned());
        dispatch_valid(&mut st, service, op, &Map::new()).is_err_and(|e| {
            e.kind == "UnknownOperationException" || e.kind == "NotImplementedException"
        })
    }

    #[test]
    fn the_operation_lists_name_exactly_what_dispatch_serves() {
        for op in USER_POOL_OPERATIONS {
            assert!(
                !is_unknown(Service::UserPools, op),
                "{op} is listed but not served"
            );
            assert!(
                is_unknown(Service::Identity, op),
                "{op} is served by both services"
            );
        }
        for op in IDENTITY_OPERATIONS {
            assert!(
                !is_unknown(Service::Identity, op),
                "{op} is listed but not served"
            );
        }
        assert!(is_unknown(Service::UserPools, "NoSuchOperation"));
    }

    #[test]
    fn model_operations_not_served_are_named_as_not_emulated() {
        let mut st = State::new("us-east-1".to_owned());
        let model_only = crate::model::model(Service::UserPools)
            .operation_names()
            .into_iter()
            .find(|op| !USER_POOL_OPERATIONS.contains(op))
            .expect("the model has operations the emulator does not serve");
        let e = dispatch(&mut st, Service::UserPools, model_only, &Map::new()).unwrap_err();
        // Validation comes first: an empty body lacks the required members.
        assert!(
            e.kind == "InvalidParameterException" || e.kind == "NotImplementedException",
            "{e}"
        );
        let e = dispatch_valid(&mut st, Service::UserPools, model_only, &Map::new()).unwrap_err();
        assert_eq!(
            (e.kind.as_str(), e.status),
            ("NotImplementedException", 501)
        );
        assert!(
            e.message.starts_with(&format!(
                "{model_only} is an operation of Amazon Cognito Identity Provider"
            )),
            "{e}"
        );
        let e = dispatch(&mut st, Service::UserPools, "NoSuchOperation", &Map::new()).unwrap_err();
        assert_eq!(e.kind, "UnknownOperationException");
    }
}
