//! The main job: a whole user journey with the async driver, one line per step.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! With no configuration it starts the emulator in this process, creates a pool (MFA
//! optional, device tracking on) and an app client, and then: signs up a user, confirms the
//! sign-up with the delivered code, signs in with SRP, sets up an authenticator app (TOTP),
//! signs in again answering the TOTP challenge, remembers the device, signs in once more
//! through device SRP without MFA, reads and updates attributes, refreshes the tokens after
//! the emulator's clock moved past their expiry, and signs out. Any wrong result stops it with
//! a non-zero exit status.
//!
//! With `COGNITO_USER_POOL_ID` and `COGNITO_CLIENT_ID` set (and optionally
//! `COGNITO_CLIENT_SECRET` and `COGNITO_ENDPOINT`), the same journey runs against that pool,
//! asking on the terminal for the username, the password and every code.
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use cognito_async::ops::{MfaSettings, VerifySoftwareTokenStatus};
use cognito_async::{
    Answer, Error, FirstFactor, MfaPreference, MfaType, NextStep, ServiceErrorKind, SharedStore,
    SignInOutcome, User, UserPool,
};
use cognito_examples::{
    BoxError, ClientConfig, Demo, MessageKind, MfaConfiguration, PASSWORD, PoolConfig, ensure,
    ensure_eq, rfc3339, step,
};
use cognito_store::MemoryStore;

/// Where codes and passwords come from: the emulator's hooks, or the person at the terminal.
enum Backend {
    Emulator(Demo),
    Terminal,
}

impl Backend {
    fn code(&self, username: &str, kind: MessageKind, what: &str) -> Result<String, BoxError> {
        match self {
            Backend::Emulator(demo) => demo.code(username, kind),
            Backend::Terminal => prompt(&format!("{what}: ")),
        }
    }

    fn totp(&self, secret: &str) -> Result<String, BoxError> {
        match self {
            Backend::Emulator(demo) => {
                // A TOTP code is single-use: wait for the next 30-second window.
                demo.advance(30);
                demo.totp(secret)
            }
            Backend::Terminal => prompt("code shown by your authenticator app: "),
        }
    }

    fn count(&self, operation: &str) -> Option<u64> {
        match self {
            Backend::Emulator(demo) => Some(demo.count(operation)),
            Backend::Terminal => None,
        }
    }
}

/// The pool to talk to when it is not the embedded emulator.
struct Target {
    pool_id: String,
    client_id: String,
    client_secret: Option<String>,
    endpoint: Option<String>,
}

impl Backend {
    /// A handle builder for this backend, sharing `store`.
    fn builder(
        &self,
        target: Option<&Target>,
        store: &SharedStore,
    ) -> Result<cognito_async::UserPoolBuilder, BoxError> {
        let builder = match (self, target) {
            (Backend::Emulator(demo), _) => demo.asynchronous()?,
            (Backend::Terminal, Some(t)) => {
                let mut b = UserPool::builder(&t.pool_id, &t.client_id);
                if let Some(secret) = &t.client_secret {
                    b = b.client_secret(secret.as_str());
                }
                if let Some(url) = &t.endpoint {
                    b = b.endpoint_url(url)?;
                }
                b
            }
            (Backend::Terminal, None) => return Err("no pool configured".into()),
        };
        Ok(builder.shared_store(Arc::clone(store)))
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let pool_id = std::env::var("COGNITO_USER_POOL_ID").ok();
    let client_id = std::env::var("COGNITO_CLIENT_ID").ok();
    let (backend, target, username, email, password) = match (pool_id, client_id) {
        (Some(pool_id), Some(client_id)) => {
            step(format!("using pool {pool_id}, app client {client_id}"));
            let target = Target {
                pool_id,
                client_id,
                client_secret: std::env::var("COGNITO_CLIENT_SECRET").ok(),
                endpoint: std::env::var("COGNITO_ENDPOINT").ok(),
            };
            let username = prompt("username: ")?;
            let email = prompt("email address (for sign-up): ")?;
            let password = secret_prompt("password: ")?;
            (Backend::Terminal, Some(target), username, email, password)
        }
        (None, None) => {
            let demo = Demo::start(
                PoolConfig {
                    mfa: MfaConfiguration::Optional,
                    // ChallengeRequiredOnNewDevice, not only on user prompt.
                    device_tracking: Some((true, false)),
                    ..PoolConfig::default()
                },
                ClientConfig::default(),
            )?;
            step(format!(
                "emulator at {}: pool {} (MFA optional, device tracking on), client {}",
                demo.url(),
                demo.pool_id,
                demo.client_id
            ));
            let email = "alice@example.com".to_owned();
            let password = PASSWORD.to_owned();
            (
                Backend::Emulator(demo),
                None,
                "alice".to_owned(),
                email,
                password,
            )
        }
        _ => {
            return Err("set both COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID, or neither".into());
        }
    };
    let store: SharedStore = Arc::new(MemoryStore::new());
    // Two handles on one store: `fresh` does not remember devices (a browser the user does not
    // trust yet), `trusted` confirms and remembers the device the pool offers.
    let fresh = backend
        .builder(target.as_ref(), &store)?
        .remember_devices(false)
        .build()?;
    let trusted = backend.builder(target.as_ref(), &store)?.build()?;
    // A handle whose refresh margin exceeds the token lifetime refreshes at once (used to
    // show a refresh against real Cognito, whose clock cannot be moved).
    let eager = backend
        .builder(target.as_ref(), &store)?
        .refresh_margin(Duration::from_secs(24 * 3600))
        .build()?;
    let handles = Handles {
        fresh,
        trusted,
        eager,
    };
    run(&backend, &handles, &username, &email, &password).await?;
    println!("quickstart: every step passed");
    Ok(())
}

struct Handles {
    fresh: UserPool,
    trusted: UserPool,
    eager: UserPool,
}

async fn run(
    backend: &Backend,
    handles: &Handles,
    username: &str,
    email: &str,
    password: &str,
) -> Result<(), BoxError> {
    let Handles { fresh, trusted, .. } = handles;

    // ----- sign up and confirm --------------------------------------------------------------
    match fresh.sign_up(username, password, &[("email", email)]).await {
        Ok(result) => {
            let to = result
                .code_delivery_details
                .as_ref()
                .and_then(|d| d.destination.clone())
                .unwrap_or_default();
            step(format!(
                "signed up {username}; confirmation code sent to {to}"
            ));
            if !result.user_confirmed {
                let code = backend.code(username, MessageKind::SignUp, "confirmation code")?;
                fresh.confirm_sign_up(username, &code).await?;
                step("confirmed the sign-up with the delivered code");
            }
        }
        Err(e)
            if matches!(backend, Backend::Terminal)
                && e.service_kind() == Some(&ServiceErrorKind::UsernameExists) =>
        {
            step(format!("{username} already exists; signing in"));
        }
        Err(e) => return Err(e.into()),
    }

    // ----- sign in with SRP -----------------------------------------------------------------
    let user = finish_sign_in(backend, fresh.sign_in(username, password).await?, password).await?;
    let tokens = user.session().await?;
    step(format!(
        "signed in with SRP as {} (access token valid until {})",
        user.username(),
        rfc3339(tokens.expiration())
    ));

    // ----- authenticator app (TOTP) ---------------------------------------------------------
    let set_up_totp = match backend {
        Backend::Emulator(_) => true,
        Backend::Terminal => confirm("set up an authenticator app (TOTP) for this user?")?,
    };
    if set_up_totp {
        let secret = user.associate_software_token().await?;
        if matches!(backend, Backend::Terminal) {
            println!(
                "add this secret to your authenticator app: {}",
                secret.expose_secret()
            );
        }
        let code = backend.totp(secret.expose_secret())?;
        let status = user
            .verify_software_token(&code, Some("quickstart"))
            .await?;
        ensure_eq(
            status,
            Some(VerifySoftwareTokenStatus::Success),
            "VerifySoftwareToken status",
        )?;
        user.set_mfa_preference(MfaPreference {
            software_token: Some(MfaSettings {
                enabled: Some(true),
                preferred_mfa: Some(true),
            }),
            ..MfaPreference::default()
        })
        .await?;
        step("set up TOTP and made it the preferred second factor");
        user.sign_out().await?;
        step("signed out");

        // The next sign-in asks for the TOTP code; this handle remembers the device.
        let outcome = trusted.sign_in(username, password).await?;
        let user = match outcome {
            SignInOutcome::Pending(mut sign_in) => {
                ensure_eq(
                    sign_in.next_step(),
                    &NextStep::ConfirmWithTotpCode,
                    "step after the password",
                )?;
                let secret = secret.expose_secret();
                let code = backend.totp(secret)?;
                let outcome = sign_in.answer(Answer::code(code)).await?;
                finish_sign_in(backend, outcome, password).await?
            }
            SignInOutcome::SignedIn(_) => {
                return Err("check failed: the sign-in skipped the TOTP challenge".into());
            }
        };
        step("signed in again, answering the TOTP challenge");
        device_steps(backend, handles, user, username, password, email).await
    } else {
        user.sign_out().await?;
        let user = finish_sign_in(
            backend,
            trusted.sign_in(username, password).await?,
            password,
        )
        .await?;
        step("signed in again on a handle that remembers devices");
        device_steps(backend, handles, user, username, password, email).await
    }
}

async fn device_steps(
    backend: &Backend,
    handles: &Handles,
    user: User,
    username: &str,
    password: &str,
    email: &str,
) -> Result<(), BoxError> {
    let trusted = &handles.trusted;
    // ----- remember the device and sign in through device SRP -------------------------------
    let user = match user.remembered_device().await? {
        Some(device) => {
            user.remember_device().await?;
            let listed = user.list_devices(None, None).await?;
            ensure(
                listed
                    .devices
                    .iter()
                    .any(|d| d.device_key == device.device_key),
                "the remembered device is listed",
            )?;
            step(format!("remembered this device ({})", device.device_key));
            user.sign_out().await?;
            let before = backend.count("RespondToAuthChallenge");
            let outcome = trusted.sign_in(username, password).await?;
            let user = match outcome {
                SignInOutcome::SignedIn(user) => user,
                SignInOutcome::Pending(s) => {
                    return Err(format!(
                        "check failed: a remembered device was still asked for {:?}",
                        s.next_step()
                    )
                    .into());
                }
            };
            if let (Some(before), Some(after)) = (before, backend.count("RespondToAuthChallenge")) {
                // PASSWORD_VERIFIER, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER.
                ensure(after - before >= 3, "device SRP ran")?;
            }
            step("signed in once more through device SRP, without MFA");
            user
        }
        None => {
            step("the pool does not track devices: device steps skipped");
            user
        }
    };

    // ----- attributes -----------------------------------------------------------------------
    let profile = user.get_user().await?;
    ensure_eq(profile.attribute("email"), Some(email), "email attribute")?;
    step(format!(
        "read attributes: email = {}, {} attributes in all",
        email,
        profile.user_attributes.len()
    ));
    user.update_attributes(&[("name", "Alice Liddell")]).await?;
    let profile = user.get_user().await?;
    ensure_eq(
        profile.attribute("name"),
        Some("Alice Liddell"),
        "name attribute",
    )?;
    step("updated the attribute name = Alice Liddell");

    // ----- refresh ----------------------------------------------------------------------------
    let before = user.session().await?;
    match backend {
        Backend::Emulator(demo) => {
            let refreshes = demo.count("GetTokensFromRefreshToken")
                + demo.count("InitiateAuth:REFRESH_TOKEN_AUTH");
            demo.advance(3600 + 60);
            let after = user.session().await?;
            let refreshed = demo.count("GetTokensFromRefreshToken")
                + demo.count("InitiateAuth:REFRESH_TOKEN_AUTH");
            ensure_eq(refreshed, refreshes + 1, "refresh requests")?;
            ensure(
                after.access_token().token().expose_secret()
                    != before.access_token().token().expose_secret(),
                "a new access token",
            )?;
            ensure(after.expiration() > before.expiration(), "a later expiry")?;
            step(format!(
                "clock moved past expiry; tokens refreshed (valid until {})",
                rfc3339(after.expiration())
            ));
        }
        Backend::Terminal => {
            // A handle whose refresh margin exceeds the token lifetime refreshes at once.
            let eager = handles.eager.user(user.username());
            let after = eager.session().await?;
            ensure(
                after.access_token().token().expose_secret()
                    != before.access_token().token().expose_secret(),
                "a new access token",
            )?;
            step(format!(
                "tokens refreshed (valid until {})",
                rfc3339(after.expiration())
            ));
        }
    }

    // ----- sign out ---------------------------------------------------------------------------
    user.sign_out().await?;
    ensure(!user.is_signed_in().await?, "tokens cleared")?;
    ensure(
        matches!(user.session().await, Err(Error::NotSignedIn)),
        "no session after sign-out",
    )?;
    if user.remembered_device().await?.is_some() {
        step("signed out (refresh token revoked, tokens cleared, device kept)");
    } else {
        step("signed out (refresh token revoked, tokens cleared)");
    }
    Ok(())
}

/// Completes a sign-in: in the emulator run no step is expected here; on a terminal every
/// step is asked for.
async fn finish_sign_in(
    backend: &Backend,
    mut outcome: SignInOutcome,
    password: &str,
) -> Result<User, BoxError> {
    loop {
        match outcome {
            SignInOutcome::SignedIn(user) => return Ok(user),
            SignInOutcome::Pending(mut sign_in) => {
                if let Backend::Emulator(_) = backend {
                    return Err(
                        format!("check failed: unexpected step {:?}", sign_in.next_step()).into(),
                    );
                }
                let answer = ask(sign_in.next_step(), password)?;
                outcome = sign_in.answer(answer).await?;
            }
        }
    }
}

/// Asks the person at the terminal to complete `step`.
fn ask(step: &NextStep, password: &str) -> Result<Answer, BoxError> {
    Ok(match step {
        NextStep::ConfirmWithSmsCode { destination } => Answer::code(prompt(&format!(
            "code sent by SMS to {}: ",
            destination.as_deref().unwrap_or("your phone")
        ))?),
        NextStep::ConfirmWithEmailCode { destination } => Answer::code(prompt(&format!(
            "code sent by email to {}: ",
            destination.as_deref().unwrap_or("your address")
        ))?),
        NextStep::ConfirmWithTotpCode => {
            Answer::code(prompt("code shown by your authenticator app: ")?)
        }
        NextStep::SelectMfaType { allowed } | NextStep::SelectMfaSetupType { allowed } => {
            let names: Vec<&str> = allowed.iter().map(MfaType::as_str).collect();
            let chosen = prompt(&format!("second factor ({}): ", names.join(", ")))?;
            let factor = allowed
                .iter()
                .find(|m| m.as_str() == chosen)
                .ok_or("not one of the offered factors")?;
            Answer::MfaType(factor.clone())
        }
        NextStep::SetUpTotp { shared_secret } => {
            println!(
                "add this secret to your authenticator app: {}",
                shared_secret.expose_secret()
            );
            Answer::code(prompt("code shown by your authenticator app: ")?)
        }
        NextStep::SetUpEmail => Answer::Email(prompt("email address for MFA codes: ")?),
        NextStep::NewPasswordRequired { .. } => Answer::NewPassword {
            password: secret_prompt("choose a new password: ")?.into(),
            attributes: Default::default(),
        },
        NextStep::CustomChallenge { parameters } => {
            println!("custom challenge: {parameters:?}");
            Answer::Custom {
                answer: prompt("answer: ")?.into(),
                extra: Default::default(),
            }
        }
        NextStep::SelectFirstFactor { .. } => {
            Answer::FirstFactor(FirstFactor::PasswordSrp(password.into()))
        }
        NextStep::EnterPassword => Answer::Password(password.into()),
        other => return Err(format!("this quickstart cannot complete {other:?}").into()),
    })
}

fn prompt(question: &str) -> Result<String, BoxError> {
    print!("{question}");
    std::io::stdout().flush()?;
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line)? == 0 {
        return Err("no more input on stdin".into());
    }
    Ok(line.trim().to_owned())
}

/// Reads a secret without echo on a terminal; from the next stdin line otherwise (scripts).
fn secret_prompt(question: &str) -> Result<String, BoxError> {
    if std::io::stdin().is_terminal() {
        Ok(rpassword::prompt_password(question)?)
    } else {
        prompt(question)
    }
}

fn confirm(question: &str) -> Result<bool, BoxError> {
    let answer = prompt(&format!("{question} [y/N] "))?;
    Ok(matches!(answer.as_str(), "y" | "Y" | "yes"))
}
