//! The custom-auth flow (`CUSTOM_AUTH`): DefineAuthChallenge decides each round,
//! CreateAuthChallenge poses it and VerifyAuthChallengeResponse judges the answer (the Lambda
//! triggers or Rust closures of `crate::triggers`), or the built-in scenario when none is
//! plugged: an optional SRP round, then up to three code rounds.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{after_first_factor, challenge, delivery_params};
use crate::api::{ApiError, ApiResult, incorrect_credentials};
use crate::state::{Client, FlowCtx, State, Step};
use crate::triggers::{self, Trigger};

/// Wrong answers after which the built-in custom-auth scenario fails.
const CUSTOM_MAX_WRONG: usize = 3;

/// What a DefineAuthChallenge decision leads to.
pub(super) enum Next {
    Tokens,
    Fail,
    /// Another `CUSTOM_CHALLENGE` round.
    Custom,
    /// The password round of custom auth with SRP (after `SRP_A`).
    PasswordVerifier,
    /// A challenge name custom auth cannot pose.
    Unsupported(String),
}

impl Next {
    fn challenge(name: &str) -> Next {
        match name {
            "CUSTOM_CHALLENGE" => Next::Custom,
            "PASSWORD_VERIFIER" => Next::PasswordVerifier,
            other => Next::Unsupported(other.to_string()),
        }
    }
}

pub(super) fn define(
    st: &mut State,
    client: &Client,
    username: &str,
    ctx: &FlowCtx,
) -> ApiResult<Next> {
    if triggers::custom_auth_plugged(st, &client.pool_id) {
        let request = json!({
            "userAttributes": triggers::user_attributes(st.pool(&client.pool_id)?.user(username)?),
            "session": history(ctx),
            "clientMetadata": triggers::client_metadata(st),
            "userNotFound": false,
        });
        let response =
            json!({"challengeName": null, "issueTokens": false, "failAuthentication": false});
        let event = triggers::event(
            st,
            &client.pool_id,
            1,
            "DefineAuthChallenge_Authentication",
            username,
            request,
            response,
        );
        let resp = triggers::call(st, &client.pool_id, Trigger::DefineAuthChallenge, event)?
            .unwrap_or_default();
        let fail = triggers::flag(&resp, "failAuthentication")?;
        let issue_tokens = triggers::flag(&resp, "issueTokens")?;
        let name = triggers::string(&resp, "challengeName")?;
        return Ok(if fail {
            Next::Fail
        } else if issue_tokens {
            Next::Tokens
        } else {
            match name {
                Some(n) => Next::challenge(&n),
                None => {
                    return Err(ApiError::new(
                        "InvalidLambdaResponseException",
                        "DefineAuthChallenge returned no decision.",
                    ));
                }
            }
        });
    }
    // Built-in scenario: optional SRP first, then up to three code rounds.
    let last = ctx.custom_history.last();
    Ok(match last {
        Some(r) if r.challenge_name == "SRP_A" => Next::PasswordVerifier,
        Some(r) if r.challenge_name == "CUSTOM_CHALLENGE" && r.result => Next::Tokens,
        _ => {
            let wrong = ctx
                .custom_history
                .iter()
                .filter(|r| r.challenge_name == "CUSTOM_CHALLENGE" && !r.result)
                .count();
            if wrong >= CUSTOM_MAX_WRONG {
                Next::Fail
            } else {
                Next::Custom
            }
        }
    })
}

/// The `session` of the custom-auth trio's events: the rounds so far.
fn history(ctx: &FlowCtx) -> Value {
    Value::Array(
        ctx.custom_history
            .iter()
            .map(|r| {
                json!({"challengeName": r.challenge_name, "challengeResult": r.result,
                       "challengeMetadata": r.metadata})
            })
            .collect(),
    )
}

pub(super) fn custom_next(
    st: &mut State,
    client: &Client,
    username: &str,
    ctx: FlowCtx,
) -> ApiResult<Value> {
    let next = define(st, client, username, &ctx)?;
    custom_apply(st, client, username, ctx, next)
}

pub(super) fn custom_apply(
    st: &mut State,
    client: &Client,
    username: &str,
    mut ctx: FlowCtx,
    next: Next,
) -> ApiResult<Value> {
    match next {
        Next::Fail => Err(incorrect_credentials()),
        Next::Tokens => {
            ctx.mfa_done = true;
            ctx.new_password_done = true;
            after_first_factor(st, client, username, ctx)
        }
        Next::Custom => {
            if triggers::custom_auth_plugged(st, &client.pool_id) {
                let request = json!({
                    "userAttributes": triggers::user_attributes(st.pool(&client.pool_id)?.user(username)?),
                    "challengeName": "CUSTOM_CHALLENGE",
                    "session": history(&ctx),
                    "clientMetadata": triggers::client_metadata(st),
                    "userNotFound": false,
                });
                let response = json!({"publicChallengeParameters": {},
                    "privateChallengeParameters": {}, "challengeMetadata": null});
                let event = triggers::event(
                    st,
                    &client.pool_id,
                    1,
                    "CreateAuthChallenge_Authentication",
                    username,
                    request,
                    response,
                );
                let resp =
                    triggers::call(st, &client.pool_id, Trigger::CreateAuthChallenge, event)?
                        .unwrap_or_default();
                let public = triggers::string_map(&resp, "publicChallengeParameters")?;
                let mut private =
                    triggers::string_map(&resp, "privateChallengeParameters")?.unwrap_or_default();
                if let Some(m) = triggers::string(&resp, "challengeMetadata")? {
                    private.insert("\u{0}metadata".into(), m);
                }
                let mut params = serde_json::Map::new();
                for (k, v) in public.unwrap_or_default() {
                    params.insert(k, json!(v));
                }
                let step = Step::Custom {
                    private,
                    code: None,
                };
                return Ok(challenge(st, client, username, step, ctx, params));
            }
            let user = st.pool(&client.pool_id)?.user(username)?;
            let (dest, medium) = match (user.attr("email"), user.attr("phone_number")) {
                (Some(e), _) => (e.to_string(), "EMAIL"),
                (None, Some(p)) => (p.to_string(), "SMS"),
                (None, None) => (format!("{username}@placeholder.invalid"), "EMAIL"),
            };
            let code = crate::util::six_digits();
            triggers::deliver(
                st,
                &client.pool_id,
                username,
                &dest,
                medium,
                "CUSTOM",
                &code,
            );
            let round = ctx
                .custom_history
                .iter()
                .filter(|r| r.challenge_name == "CUSTOM_CHALLENGE")
                .count()
                + 1;
            let mut params = delivery_params(medium, &dest);
            params.insert("ROUND".into(), json!(round.to_string()));
            let step = Step::Custom {
                private: BTreeMap::new(),
                code: Some(code),
            };
            Ok(challenge(st, client, username, step, ctx, params))
        }
        Next::PasswordVerifier => Err(ApiError::new(
            "InvalidLambdaResponseException",
            "Unsupported challenge PASSWORD_VERIFIER from DefineAuthChallenge",
        )),
        Next::Unsupported(other) => Err(ApiError::new(
            "InvalidLambdaResponseException",
            format!("Unsupported challenge {other} from DefineAuthChallenge"),
        )),
    }
}
