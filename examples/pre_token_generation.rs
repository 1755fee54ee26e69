//! A pre token generation trigger (event version V2_0) run through the AWS Lambda Invoke API:
//! the handler adds a claim to the ID token and a scope to the access token.
//!
//! The emulator sends trigger events to `--lambda-endpoint` (here
//! `EmulatorBuilder::lambda_endpoint`), the way it would reach `sam local start-lambda` running
//! a Node or Python handler. To keep the example self-contained, the "Lambda runner" is a few
//! lines of Rust below that answers `POST /2015-03-31/functions/{name}/invocations`.
//!
//! ```sh
//! cargo run --example pre_token_generation
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

use cognito_examples::{BoxError, ClientConfig, Emulator, PASSWORD, PoolConfig, ensure, step};
use serde_json::{Value, json};

/// The trigger itself: what a `handler(event)` in Node or Python would do.
fn pre_token_handler(mut event: Value) -> Value {
    event["response"]["claimsAndScopeOverrideDetails"] = json!({
        "idTokenGeneration": {"claimsToAddOrOverride": {"tenant": "acme"}},
        "accessTokenGeneration": {"scopesToAdd": ["orders/read"]},
    });
    event
}

/// A minimal Lambda Invoke API server: every invocation runs `pre_token_handler`.
fn start_lambda_runner() -> Result<String, BoxError> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 && line.trim_end() != "" {
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let event = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let answer = pre_token_handler(event).to_string();
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = reader.into_inner().write_all(reply.as_bytes());
        }
    });
    Ok(url)
}

fn main() -> Result<(), BoxError> {
    let lambda_url = start_lambda_runner()?;
    let emu = Emulator::builder()
        .lambda_endpoint(&lambda_url)
        .start_blocking()?;
    let arn = "arn:aws:lambda:us-east-1:123456789012:function:pre-token";
    let mut pool = PoolConfig::default();
    pool.extra.insert(
        "LambdaConfig".into(),
        json!({"PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": arn}}),
    );
    let pool = emu.create_pool(pool)?;
    let client = emu.create_client(&pool.pool_id, ClientConfig::default())?;
    emu.create_user(
        &pool.pool_id,
        "ada",
        PASSWORD,
        &[("email", "ada@example.com")],
    )?;
    step(format!(
        "emulator at {} invokes Lambda functions at {lambda_url}",
        emu.url()
    ));

    let sdk = cognito_blocking::UserPool::builder(&pool.pool_id, &client.client_id)
        .endpoint_url(&emu.url())?
        .build()?;
    let user = sdk
        .sign_in("ada", PASSWORD)?
        .signed_in()
        .ok_or("sign-in asked for another step")?;
    let tokens = user.session()?;

    let tenant = tokens.id_token().claims().get_str("tenant");
    println!("ID token claim tenant = {tenant:?}");
    ensure(tenant == Some("acme"), "the ID token carries tenant=acme")?;

    let scopes: Vec<&str> = tokens.access_token().claims().scopes().collect();
    println!("access token scopes = {scopes:?}");
    ensure(
        scopes.contains(&"orders/read"),
        "the access token carries the orders/read scope",
    )?;
    ensure(
        scopes.contains(&"aws.cognito.signin.user.admin"),
        "the access token keeps its admin scope",
    )?;
    ensure(
        tokens.access_token().claims().get("tenant").is_none(),
        "the ID token claim is not added to the access token",
    )?;
    step("the pre token generation trigger added the claim and the scope");
    Ok(())
}
