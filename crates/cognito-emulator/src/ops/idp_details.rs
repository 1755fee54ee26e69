//! An identity provider's `ProviderDetails` and `AttributeMapping` as AWS stores them: the
//! details each provider type requires, the endpoint members AWS fills in for the social
//! providers, and the `username` mapping it adds.
//!
//! The evidence is AWS's `CreateIdentityProvider` reference, which lists for each provider
//! type a "create or update request" and the "describe response" AWS answers for it (for
//! example a Google request with only `authorize_scopes`, `client_id` and `client_secret`
//! describes with `attributes_url`, `authorize_url`, `oidc_issuer`, `token_request_method` and
//! `token_url` added), and the Terraform configurations that pin exactly those values to stop
//! a perpetual diff.

use serde_json::{Map, Value, json};

use crate::api::{ApiError, ApiResult, invalid_param};

/// The social provider types, whose provider name must equal the type.
const SOCIAL: &[&str] = &["Google", "Facebook", "LoginWithAmazon", "SignInWithApple"];

/// The Graph API version AWS uses for Facebook when the request names none; the reference's
/// Facebook example and the configurations users pin against a current pool carry v17.0.
const FACEBOOK_DEFAULT_VERSION: &str = "v17.0";

/// Refuses a social provider whose name is not its type, as AWS does
/// ("Provider NameOfGP cannot be of type Google." in an AWS CLI user's report).
pub(crate) fn check_name(name: &str, ty: &str) -> ApiResult<()> {
    if SOCIAL.contains(&ty) && name != ty {
        return Err(invalid_param(format!(
            "Provider {name} cannot be of type {ty}."
        )));
    }
    Ok(())
}

fn has(d: &Map<String, Value>, key: &str) -> bool {
    d.get(key)
        .and_then(Value::as_str)
        .is_some_and(|v| !v.trim().is_empty())
}

/// The details a provider type cannot do without. AWS's wording for Google, Facebook and
/// Login with Amazon is quoted in many Amplify reports ("client_id, client_secret and
/// authorize_scopes are all required idp details."); the other types use the same form.
pub(crate) fn check_required(ty: &str, d: &Map<String, Value>) -> ApiResult<()> {
    let required: &[&str] = match ty {
        "Google" | "Facebook" | "LoginWithAmazon" => {
            &["client_id", "client_secret", "authorize_scopes"]
        }
        "SignInWithApple" => &["client_id", "team_id", "key_id", "private_key"],
        "OIDC" => &["client_id", "authorize_scopes", "oidc_issuer"],
        "SAML" => {
            if has(d, "MetadataURL") || has(d, "MetadataFile") {
                return Ok(());
            }
            return Err(invalid_param(
                "Either MetadataURL or MetadataFile is a required idp detail.",
            ));
        }
        _ => return Ok(()),
    };
    if required.iter().all(|k| has(d, k)) {
        return Ok(());
    }
    let (last, rest) = required.split_last().unwrap_or((&"", &[]));
    Err(invalid_param(format!(
        "{} and {last} are all required idp details.",
        rest.join(", ")
    )))
}

/// Fills in the members AWS adds to a provider's details; members the request gave win.
pub(crate) fn with_defaults(ty: &str, mut d: Map<String, Value>) -> Map<String, Value> {
    let fb_version = d
        .get("api_version")
        .and_then(Value::as_str)
        .unwrap_or(FACEBOOK_DEFAULT_VERSION)
        .to_string();
    let defaults: Vec<(&str, String)> = match ty {
        "Google" => vec![
            (
                "attributes_url",
                "https://people.googleapis.com/v1/people/me?personFields=".into(),
            ),
            ("attributes_url_add_attributes", "true".into()),
            (
                "authorize_url",
                "https://accounts.google.com/o/oauth2/v2/auth".into(),
            ),
            ("oidc_issuer", "https://accounts.google.com".into()),
            ("token_request_method", "POST".into()),
            (
                "token_url",
                "https://www.googleapis.com/oauth2/v4/token".into(),
            ),
        ],
        "Facebook" => vec![
            (
                "attributes_url",
                format!("https://graph.facebook.com/{fb_version}/me?fields="),
            ),
            ("attributes_url_add_attributes", "true".into()),
            (
                "authorize_url",
                format!("https://www.facebook.com/{fb_version}/dialog/oauth"),
            ),
            ("token_request_method", "GET".into()),
            (
                "token_url",
                format!("https://graph.facebook.com/{fb_version}/oauth/access_token"),
            ),
        ],
        "LoginWithAmazon" => vec![
            (
                "attributes_url",
                "https://api.amazon.com/user/profile".into(),
            ),
            ("attributes_url_add_attributes", "false".into()),
            ("authorize_url", "https://www.amazon.com/ap/oa".into()),
            ("token_request_method", "POST".into()),
            ("token_url", "https://api.amazon.com/auth/o2/token".into()),
        ],
        "SignInWithApple" => vec![
            ("attributes_url_add_attributes", "false".into()),
            (
                "authorize_url",
                "https://appleid.apple.com/auth/authorize".into(),
            ),
            ("oidc_issuer", "https://appleid.apple.com".into()),
            ("token_request_method", "POST".into()),
            ("token_url", "https://appleid.apple.com/auth/token".into()),
        ],
        "OIDC" => vec![("attributes_url_add_attributes", "false".into())],
        _ => Vec::new(),
    };
    for (k, v) in defaults {
        d.entry(k).or_insert_with(|| json!(v));
    }
    d
}

/// The details as a description shows them: Sign in with Apple's `private_key` is stored
/// but never described (AWS's describe example for Apple lists every member but it).
pub(crate) fn described(ty: &str, d: &Map<String, Value>) -> Map<String, Value> {
    let mut out = d.clone();
    if ty == "SignInWithApple" {
        out.remove("private_key");
    }
    out
}

/// The provider attribute AWS maps to `username` when the mapping names none. For OIDC it
/// is `sub` (AWS's OIDC example answers a mapping of `email` and `email_verified` with
/// `"username": "sub"` added); for the social providers it is the attribute that names the
/// user at each provider (`sub`, Facebook's `id`, Amazon's `user_id`), the mapping AWS's
/// console shows as fixed and every pinned Terraform configuration carries. SAML maps its
/// NameID to the user name without a mapping entry, so nothing is added.
pub(crate) fn with_username_mapping(ty: &str, mut m: Map<String, Value>) -> Map<String, Value> {
    let id = match ty {
        "Google" | "SignInWithApple" | "OIDC" => "sub",
        "Facebook" => "id",
        "LoginWithAmazon" => "user_id",
        _ => return m,
    };
    m.entry("username").or_insert_with(|| json!(id));
    m
}

/// A provider's details and attribute mapping.
pub(crate) type DetailsAndMapping = (Map<String, Value>, Map<String, Value>);

/// The stored details and mapping for a request's, or AWS's refusal.
pub(crate) fn normalise(
    ty: &str,
    details: Map<String, Value>,
    mapping: Map<String, Value>,
) -> Result<DetailsAndMapping, ApiError> {
    check_required(ty, &details)?;
    Ok((
        with_defaults(ty, details),
        with_username_mapping(ty, mapping),
    ))
}
