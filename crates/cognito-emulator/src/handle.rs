//! The handle's test API: operations in process, pools, clients and users in one call,
//! delivered messages, the clock, faults, triggers and signing keys.

use std::sync::Arc;

use crate::{
    ApiError, ClientConfig, ClientInfo, CustomAuth, Fault, Message, MessageKind, PoolConfig,
    PoolInfo, Service, Trigger, TriggerFn, model, state,
};
use serde_json::{Map, Value, json};

impl Service {
    /// Runs one operation in process, exactly as `POST /` would (no HTTP, no faults, not
    /// counted).
    pub fn call(&self, operation: &str, body: Value) -> Result<Value, ApiError> {
        let Value::Object(m) = body else {
            return Err(ApiError::new(
                "SerializationException",
                "request body must be a JSON object",
            ));
        };
        self.shared
            .dispatch(model::Service::UserPools, operation, &m)
    }

    /// Creates a user pool.
    pub fn create_pool(&self, config: PoolConfig) -> Result<PoolInfo, ApiError> {
        let out = self.call("CreateUserPool", config.to_request())?;
        let id = out["UserPool"]["Id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let st = self.shared.lock();
        let pool = st.pool(&id)?;
        Ok(PoolInfo {
            pool_id: id.clone(),
            name: pool.name.clone(),
            issuer: pool.issuer(),
        })
    }

    /// Creates an identity pool that trusts the app client `client_id` of the user pool
    /// `user_pool_id`, admits guests when `allow_guests`, and has an authenticated and an
    /// unauthenticated role (`arn:aws:iam::123456789012:role/emulator-{authenticated,
    /// unauthenticated}`); returns its id.
    pub fn create_identity_pool(
        &self,
        user_pool_id: &str,
        client_id: &str,
        allow_guests: bool,
    ) -> Result<String, ApiError> {
        let region = user_pool_id.split('_').next().unwrap_or("us-east-1");
        let call = |op: &str, body: Value| {
            let m = body.as_object().cloned().unwrap_or_default();
            self.shared.dispatch(model::Service::Identity, op, &m)
        };
        let out = call(
            "CreateIdentityPool",
            json!({
                "IdentityPoolName": "emulator_identities",
                "AllowUnauthenticatedIdentities": allow_guests,
                "CognitoIdentityProviders": [{
                    "ProviderName": format!("cognito-idp.{region}.amazonaws.com/{user_pool_id}"),
                    "ClientId": client_id,
                }],
            }),
        )?;
        let id = out["IdentityPoolId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        call(
            "SetIdentityPoolRoles",
            json!({
                "IdentityPoolId": id,
                "Roles": {
                    "authenticated": "arn:aws:iam::123456789012:role/emulator-authenticated",
                    "unauthenticated": "arn:aws:iam::123456789012:role/emulator-unauthenticated",
                },
            }),
        )?;
        Ok(id)
    }

    /// Creates an app client in a pool.
    pub fn create_client(
        &self,
        pool_id: &str,
        config: ClientConfig,
    ) -> Result<ClientInfo, ApiError> {
        let mut req = config.to_request();
        req["UserPoolId"] = json!(pool_id);
        let out = self.call("CreateUserPoolClient", req)?;
        let c = &out["UserPoolClient"];
        Ok(ClientInfo {
            client_id: c["ClientId"].as_str().unwrap_or_default().to_string(),
            client_secret: c["ClientSecret"].as_str().map(str::to_string),
        })
    }

    /// Creates a CONFIRMED user with a permanent password; returns its `sub`. Its e-mail and
    /// phone number are marked verified, except one that is already another user's verified
    /// sign-in alias (an alias belongs to one user), which stays unverified.
    pub fn create_user(
        &self,
        pool_id: &str,
        username: &str,
        password: &str,
        attributes: &[(&str, &str)],
    ) -> Result<String, ApiError> {
        let attrs: Vec<Value> = attributes
            .iter()
            .map(|(n, v)| json!({"Name": n, "Value": v}))
            .collect();
        let out = self.call(
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": username, "UserAttributes": attrs,
                   "MessageAction": "SUPPRESS"}),
        )?;
        let internal = out["User"]["Username"]
            .as_str()
            .unwrap_or(username)
            .to_string();
        self.call(
            "AdminSetUserPassword",
            json!({"UserPoolId": pool_id, "Username": internal, "Password": password,
                   "Permanent": true}),
        )?;
        let mut st = self.shared.lock();
        let pool = st.pool_mut(pool_id)?;
        state::verify_contacts(pool, &internal)?;
        Ok(pool.user(&internal)?.sub.clone())
    }

    /// Every delivered message, oldest first; with `Some(u)`, only those whose internal
    /// username or destination is `u`.
    pub fn messages(&self, username: Option<&str>) -> Vec<Message> {
        self.shared.messages(username)
    }

    /// The newest code of `kind` sent to `username` (internal username or destination).
    pub fn last_code(&self, username: &str, kind: MessageKind) -> Option<String> {
        self.messages(Some(username))
            .into_iter()
            .rev()
            .find(|m| m.kind == kind.as_str())
            .map(|m| m.code)
    }

    /// Moves the emulator clock forward.
    pub fn advance_clock(&self, secs: u64) {
        self.shared.lock().advance_clock(secs);
    }

    /// The emulator clock in epoch seconds (use it for TIMESTAMP and TOTP in tests).
    pub fn now(&self) -> u64 {
        self.shared.lock().now()
    }

    /// Queues a fault for upcoming calls.
    pub fn inject_fault(&self, fault: Fault) {
        self.shared.inject_fault(fault);
    }

    /// Forgets every pool, client, user, session, token, message, fault and count (the
    /// clock keeps its offset).
    pub fn reset(&self) {
        self.shared.lock().reset();
    }

    /// How many HTTP calls of `operation` arrived (faulted ones included). InitiateAuth is
    /// also counted per flow as `InitiateAuth:<AuthFlow>`.
    pub fn request_count(&self, operation: &str) -> u64 {
        self.shared
            .lock()
            .counts()
            .get(operation)
            .copied()
            .unwrap_or(0)
    }

    /// Plugs custom-auth closures into a pool (and enables CUSTOM_AUTH on it): the
    /// DefineAuthChallenge, CreateAuthChallenge and VerifyAuthChallengeResponse handlers of
    /// [`Service::set_trigger`], with typed inputs and outputs.
    pub fn set_custom_auth(&self, pool_id: &str, hooks: CustomAuth) -> Result<(), ApiError> {
        for (trigger, handler) in hooks.handlers() {
            self.set_handler(pool_id, trigger, handler)?;
        }
        Ok(())
    }

    /// Runs `handler` as the pool's `trigger`, whatever its `LambdaConfig` says: it receives
    /// the event AWS sends to the Lambda function (`version`, `triggerSource`, `region`,
    /// `userPoolId`, `userName`, `callerContext`, `request`, `response`) and returns it with
    /// `response` filled in, or `Err(message)` as a function that threw. Handlers run without
    /// the emulator's lock: they may call the emulator.
    ///
    /// ```no_run
    /// use cognito_emulator::{Emulator, PoolConfig, Trigger};
    /// let emu = Emulator::start_blocking()?;
    /// let pool = emu.create_pool(PoolConfig::default())?;
    /// emu.set_trigger(&pool.pool_id, Trigger::PreSignUp, |event| {
    ///     let mut event = event.clone();
    ///     event["response"]["autoConfirmUser"] = true.into();
    ///     Ok(event)
    /// })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_trigger(
        &self,
        pool_id: &str,
        trigger: Trigger,
        handler: impl Fn(&Value) -> Result<Value, String> + Send + Sync + 'static,
    ) -> Result<(), ApiError> {
        self.set_handler(pool_id, trigger, Arc::new(handler))
    }

    fn set_handler(
        &self,
        pool_id: &str,
        trigger: Trigger,
        handler: Arc<TriggerFn>,
    ) -> Result<(), ApiError> {
        let mut st = self.shared.lock();
        st.pool(pool_id)?;
        st.handlers_mut()
            .entry(pool_id.to_string())
            .or_default()
            .insert(trigger, handler);
        Ok(())
    }

    /// Removes the Rust handler of a pool's trigger (its `LambdaConfig`, if any, applies
    /// again).
    pub fn clear_trigger(&self, pool_id: &str, trigger: Trigger) {
        let mut st = self.shared.lock();
        if let Some(h) = st.handlers_mut().get_mut(pool_id) {
            h.remove(&trigger);
        }
    }
}

impl Service {
    /// Gives the pool a new signing key pair, as `POST /_emulator/rotate-keys` does: its JWKS
    /// then lists only the new keys, and tokens signed before no longer verify. Returns the
    /// new `kid`s (ID key, access key).
    pub fn rotate_keys(&self, pool_id: &str) -> Result<(String, String), ApiError> {
        crate::hooks::rotate_keys(&self.shared, pool_id)
    }

    /// A token with `claims` signed by the pool's ID key (or access key when `access`), as
    /// `POST /_emulator/sign` does: the header is `{"kid", "alg": "RS256"}` with `header`'s
    /// fields applied (`null` removes one). For testing token verifiers.
    pub fn sign_token(
        &self,
        pool_id: &str,
        access: bool,
        header: &Map<String, Value>,
        claims: &Map<String, Value>,
    ) -> Result<String, ApiError> {
        crate::hooks::sign_token(&self.shared, pool_id, access, header, claims)
    }
}
