//! An app client.

use cognito_proto::secret::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An app client.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Client {
    pub id: String,
    pub pool_id: String,
    pub name: String,
    pub secret: Option<SecretString>,
    pub flows: Vec<String>,
    pub prevent_existence: bool,
    pub access_secs: u64,
    pub id_secs: u64,
    pub refresh_secs: u64,
    pub session_secs: u64,
    pub revocation: bool,
    pub rotation: bool,
    pub grace_secs: u64,
    pub read_attrs: Option<Vec<String>>,
    pub write_attrs: Option<Vec<String>>,
    /// The `TokenValidityUnits` of the access, ID and refresh tokens, as described.
    pub units: [String; 3],
    /// Members stored and described as given (OAuth settings, `ExplicitAuthFlows` as named).
    pub config: Map<String, Value>,
    pub created: f64,
    pub modified: f64,
}

impl Client {
    pub fn allows(&self, flag: &str) -> bool {
        self.flows.iter().any(|f| f == flag)
    }
}

/// The scopes Cognito defines itself.
pub(crate) const STANDARD_SCOPES: &[&str] = &[
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// A string list member of a client's stored settings.
pub(crate) fn client_list(client: &Client, key: &str) -> Vec<String> {
    super::settings::str_list(&client.config, key)
}

/// Whether the client may use the OAuth endpoints at all.
pub(crate) fn oauth_enabled(client: &Client) -> bool {
    client
        .config
        .get("AllowedOAuthFlowsUserPoolClient")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}
