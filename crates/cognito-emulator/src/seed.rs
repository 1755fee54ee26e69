//! Seed documents: pools, clients and users created at start.
//!
//! ```json
//! {"pools": [{
//!    "id": "us-east-1_Seeded001",            // optional fixed pool id
//!    "name": "demo",
//!    "config": {"MfaConfiguration": "OFF"},  // optional CreateUserPool members
//!    "clients": [{"id": "democlient0000000000000001", "name": "web",
//!                 "secret": "optional fixed secret",
//!                 "config": {"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH",
//!                                                  "ALLOW_REFRESH_TOKEN_AUTH"]}}],
//!    "users": [{"username": "alice", "password": "Passw0rd!",
//!               "attributes": {"email": "alice@example.com"},
//!               "status": "CONFIRMED"}]       // or FORCE_CHANGE_PASSWORD / UNCONFIRMED
//! }]}
//! ```

use serde_json::{Map, Value, json};

use crate::api::{ApiError, ApiResult, invalid_param};
use crate::model::Service;
use crate::ops::dispatch;
use crate::state::State;

fn obj(v: Option<&Value>) -> Map<String, Value> {
    v.and_then(Value::as_object).cloned().unwrap_or_default()
}

fn str_field<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

/// Applies a seed document.
pub(crate) fn apply(st: &mut State, seed: &Value) -> ApiResult<()> {
    let pools = seed
        .get("pools")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid_param("seed: expected {\"pools\": [...]}"))?;
    for p in pools {
        let mut req = obj(p.get("config"));
        req.insert(
            "PoolName".into(),
            json!(str_field(p, "name").unwrap_or("seeded-pool")),
        );
        let out = dispatch(st, Service::UserPools, "CreateUserPool", &req)?;
        let mut pool_id = out["UserPool"]["Id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Some(fixed) = str_field(p, "id") {
            if fixed
                .split_once('_')
                .is_none_or(|(r, n)| r.is_empty() || n.is_empty())
            {
                return Err(invalid_param(format!("seed: bad pool id {fixed}")));
            }
            if let Some(mut pool) = st.take_pool(&pool_id) {
                pool.set_id(fixed);
                st.insert_pool(pool);
            }
            pool_id = fixed.to_string();
        }
        for c in p
            .get("clients")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let mut req = obj(c.get("config"));
            req.insert("UserPoolId".into(), json!(pool_id));
            req.insert(
                "ClientName".into(),
                json!(str_field(c, "name").unwrap_or("seeded-client")),
            );
            if c.get("secret").is_some() {
                req.insert("GenerateSecret".into(), json!(true));
            }
            let out = dispatch(st, Service::UserPools, "CreateUserPoolClient", &req)?;
            let id = out["UserPoolClient"]["ClientId"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if let Some(mut client) = st.take_client(&id) {
                if let Some(fixed) = str_field(c, "id") {
                    crate::api::check_client_id(fixed)?;
                    client.id = fixed.to_string();
                }
                if let Some(secret) = str_field(c, "secret") {
                    client.secret = Some(secret.into());
                }
                st.insert_client(client);
            }
        }
        for u in p
            .get("users")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let username = str_field(u, "username")
                .ok_or_else(|| invalid_param("seed: user without username"))?;
            let attrs: Vec<Value> = obj(u.get("attributes"))
                .iter()
                .map(|(k, v)| json!({"Name": k, "Value": v.as_str().unwrap_or_default()}))
                .collect();
            let mut req = Map::new();
            req.insert("UserPoolId".into(), json!(pool_id));
            req.insert("Username".into(), json!(username));
            req.insert("UserAttributes".into(), json!(attrs));
            req.insert("MessageAction".into(), json!("SUPPRESS"));
            if let Some(pw) = str_field(u, "password") {
                req.insert("TemporaryPassword".into(), json!(pw));
            }
            let out = dispatch(st, Service::UserPools, "AdminCreateUser", &req)?;
            let internal = out["User"]["Username"]
                .as_str()
                .unwrap_or(username)
                .to_string();
            let status = str_field(u, "status").unwrap_or("CONFIRMED");
            let pool = st.pool_mut(&pool_id)?;
            if status == "CONFIRMED" {
                crate::state::verify_contacts(pool, &internal)?;
            }
            let user = pool.user_mut(&internal)?;
            user.status = match status {
                "CONFIRMED" => "CONFIRMED",
                "FORCE_CHANGE_PASSWORD" => "FORCE_CHANGE_PASSWORD",
                "UNCONFIRMED" => "UNCONFIRMED",
                "RESET_REQUIRED" => "RESET_REQUIRED",
                other => {
                    return Err(ApiError::new(
                        "InvalidParameterException",
                        format!("seed: unknown status {other}"),
                    ));
                }
            };
        }
    }
    Ok(())
}
