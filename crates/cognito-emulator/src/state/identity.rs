//! The identity-pool records (Cognito Identity): pools with their roles and role mappings,
//! and the identities they hand out. The operations on them are in `ops::identity`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// A stored identity pool.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct IdentityPool {
    /// `IdentityPoolId`, `IdentityPoolName`, `AllowUnauthenticatedIdentities` and the optional
    /// members of AWS's `IdentityPool` shape, as last created or updated.
    pub description: Map<String, Value>,
    /// `Roles` of SetIdentityPoolRoles (`authenticated`, `unauthenticated`).
    pub roles: BTreeMap<String, String>,
    /// `RoleMappings` of SetIdentityPoolRoles, by provider name.
    pub role_mappings: Map<String, Value>,
}

impl IdentityPool {
    pub(crate) fn allows_guests(&self) -> bool {
        self.description
            .get("AllowUnauthenticatedIdentities")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// The keys `RoleMappings` may use: each user-pool provider with its app client, each
    /// social provider's domain, each OIDC provider (its ARN or the host a login names it
    /// by) and each SAML provider ARN.
    pub(crate) fn role_mapping_keys(&self) -> Vec<String> {
        let d = &self.description;
        let strings = |key: &str| -> Vec<String> {
            d.get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        };
        let mut keys: Vec<String> = d
            .get("CognitoIdentityProviders")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| {
                let name = p.get("ProviderName")?.as_str()?;
                let client = p.get("ClientId")?.as_str()?;
                Some(format!("{name}:{client}"))
            })
            .collect();
        keys.extend(
            d.get("SupportedLoginProviders")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|m| m.keys().cloned()),
        );
        for arn in strings("OpenIdConnectProviderARNs") {
            if let Some((_, host)) = arn.split_once(":oidc-provider/") {
                keys.push(host.to_string());
            }
            keys.push(arn);
        }
        keys.extend(strings("SamlProviderARNs"));
        keys
    }

    /// The app client ids the pool accepts for a user-pool provider; `None`: not a provider.
    pub(crate) fn provider_clients(&self, provider: &str) -> Option<Vec<&str>> {
        let list = self
            .description
            .get("CognitoIdentityProviders")?
            .as_array()?;
        let clients: Vec<&str> = list
            .iter()
            .filter(|p| p.get("ProviderName").and_then(Value::as_str) == Some(provider))
            .filter_map(|p| p.get("ClientId").and_then(Value::as_str))
            .collect();
        (!clients.is_empty()).then_some(clients)
    }
}

/// An identity of an identity pool, with the logins linked to it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Identity {
    pub pool_id: String,
    /// Provider name → the login's `sub`.
    pub logins: BTreeMap<String, String>,
    pub created: f64,
    pub modified: f64,
}
