//! Driving the sans-IO core (`cognito-proto`) by hand with any HTTP client — here `ureq`,
//! used as a plain HTTP client. The core builds `http::Request`s and reads
//! `http::Response`s; the program only moves bytes. This is how to embed the protocol in an
//! application that already has its own HTTP stack.
//!
//! ```sh
//! cargo run --example bring_your_own_http
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use std::time::{SystemTime, UNIX_EPOCH};

use cognito_examples::{BoxError, Demo, PASSWORD, ensure_eq, step};
use cognito_proto::config::ClientConfig;
use cognito_proto::envelope::{self, Endpoint};
use cognito_proto::ops;
use cognito_proto::signin::{Event, SignInFlow, Start};

/// Sends one request with ureq and hands back the response, whatever its status.
fn send(
    agent: &ureq::Agent,
    request: &http::Request<Vec<u8>>,
) -> Result<http::Response<Vec<u8>>, BoxError> {
    let mut outgoing = http::Request::builder()
        .method(request.method())
        .uri(request.uri());
    for (name, value) in request.headers() {
        outgoing = outgoing.header(name, value);
    }
    let response = agent.run(outgoing.body(request.body().as_slice())?)?;
    let (parts, mut body) = response.into_parts();
    Ok(http::Response::from_parts(parts, body.read_to_vec()?))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn main() -> Result<(), BoxError> {
    let demo = Demo::start_default()?;
    demo.create_user("rosa")?;
    // Cognito answers errors with HTTP 400: the core wants to see them, not the client.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();

    // --- the 20 lines a README reader copies --------------------------------------------
    let config = ClientConfig::new(demo.pool_id.as_str(), demo.client_id.as_str())?;
    let endpoint = Endpoint::from_url(&demo.url())?; // or Endpoint::for_user_pool(pool_id)
    let mut rng = rand::rng();
    let start = Start::srp("rosa", PASSWORD);
    let (mut flow, mut event) =
        SignInFlow::start(&config, &endpoint, start, None, now(), &mut rng)?;
    let signed_in = loop {
        event = match event {
            Event::Send(prepared) => {
                let response = send(&agent, &prepared.request)?;
                flow.handle_response(response, now(), &mut rng)?
            }
            Event::Step(next) => return Err(format!("needs the user: {next:?}").into()),
            Event::Done(signed_in) => break signed_in,
            // Only asked for when the start opts in (`Start::with_device_lookup`).
            other => return Err(format!("not handled here: {other:?}").into()),
        };
    };
    // -------------------------------------------------------------------------------------
    ensure_eq(signed_in.username.as_str(), "rosa", "signed-in username")?;
    ensure_eq(demo.count("InitiateAuth"), 1, "InitiateAuth calls")?;
    ensure_eq(
        demo.count("RespondToAuthChallenge"),
        1,
        "RespondToAuthChallenge calls",
    )?;
    step("signed in with SRP through ureq: InitiateAuth, then PASSWORD_VERIFIER");

    // Any other operation: encode a typed request, send it, decode the typed response.
    let prepared = envelope::encode(
        &endpoint,
        &ops::GetUser {
            access_token: signed_in.tokens.access_token.clone(),
        },
    );
    let response = send(&agent, &prepared.request)?;
    let profile = envelope::decode::<ops::GetUser>(&response)?;
    ensure_eq(
        profile.attribute("email"),
        Some("rosa@example.com"),
        "email",
    )?;
    step("GetUser through ureq: email = rosa@example.com");

    // Errors decode to typed service errors.
    let prepared = envelope::encode(
        &endpoint,
        &ops::GetUser {
            access_token: "not-a-token".into(),
        },
    );
    let response = send(&agent, &prepared.request)?;
    let error = envelope::decode::<ops::GetUser>(&response)
        .err()
        .ok_or("a bogus token was accepted")?;
    ensure_eq(
        error.as_service().map(|e| e.status),
        Some(400),
        "status of the error",
    )?;
    step(format!("a bogus access token gives a typed error: {error}"));
    println!("bring_your_own_http: every step passed");
    Ok(())
}
