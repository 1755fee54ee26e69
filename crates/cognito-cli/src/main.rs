//! `cognito`: a command-line client for Amazon Cognito user pools, for shell scripts and CI.
//!
//! ```text
//! cognito sign-up alice --email alice@example.com
//! cognito confirm alice 123456
//! cognito sign-in alice
//! curl -H "Authorization: Bearer $(cognito token --access)" https://api.example.com/
//! cognito whoami | attributes | devices | sign-out [--global] | emulator
//! cognito --pool-id eu-west-1_AbC --client-id 4l2k0ex verify-token --token-use access "$TOKEN"
//! cognito --domain https://example.auth.eu-west-1.amazoncognito.com login --hosted
//! cognito --domain https://example.auth.eu-west-1.amazoncognito.com token --client-credentials --scope orders/read
//! ```
//!
//! Pool settings come from flags or `COGNITO_*` variables; the session lives in a file under
//! the user's config directory, created with mode 0600. Exit codes are listed in
//! [`Failure::code`].
//!
//! Everything printed that came from the network (error messages, usernames, attribute
//! values, device names, code destinations) has its control characters escaped and its length
//! capped (see `sanitize`), so a hostile endpoint cannot drive the terminal.
#![forbid(unsafe_code)]

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{ArgAction, ArgGroup, Parser, Subcommand};
use cognito_blocking::{
    Answer, Error, MfaType, NextStep, SecretString, ServiceErrorKind, SignInOutcome, User, UserPool,
};
use cognito_store::FileStore;

mod hosted;
mod sanitize;
mod verify;
use sanitize::{MAX_FIELD, MAX_MESSAGE, clean};

/// Command-line client for Amazon Cognito user pools.
#[derive(Debug, Parser)]
#[command(name = "cognito", version, about, long_about = None)]
struct Cli {
    /// The user pool id, `<region>_<id>`.
    #[arg(long, env = "COGNITO_USER_POOL_ID", global = true)]
    pool_id: Option<String>,
    /// The app client id (`verify-token` accepts several: repeat it or separate with commas).
    #[arg(long, env = "COGNITO_CLIENT_ID", global = true, action = ArgAction::Append, value_delimiter = ',')]
    client_id: Vec<String>,
    /// The app client secret, for clients that have one.
    #[arg(
        long,
        env = "COGNITO_CLIENT_SECRET",
        global = true,
        hide_env_values = true
    )]
    client_secret: Option<String>,
    /// Send requests to this URL instead of the pool's AWS endpoint (e.g. the emulator).
    #[arg(long, env = "COGNITO_ENDPOINT", global = true)]
    endpoint: Option<String>,
    /// The user pool's domain, for `login --hosted` and `token --client-credentials`
    /// (`https://<prefix>.auth.<region>.amazoncognito.com`, a custom domain, or the emulator's
    /// `http://<prefix>.localhost:<port>`).
    #[arg(long, env = "COGNITO_DOMAIN", global = true)]
    domain: Option<String>,
    /// Where the session is kept [default: $XDG_CONFIG_HOME/cognito/session.json, or
    /// ~/.config/cognito/session.json].
    #[arg(long, env = "COGNITO_SESSION_FILE", global = true)]
    session_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Register a user; the password is asked for (or read from stdin / COGNITO_PASSWORD).
    SignUp {
        /// The username.
        username: String,
        /// The `email` attribute.
        #[arg(long)]
        email: Option<String>,
        /// The `phone_number` attribute (E.164, e.g. +15555550100).
        #[arg(long)]
        phone: Option<String>,
        /// Any other attribute, `name=value` (repeatable).
        #[arg(long = "attribute", value_name = "NAME=VALUE")]
        attributes: Vec<String>,
    },
    /// Confirm a sign-up with the code the user received.
    Confirm {
        /// The username.
        username: String,
        /// The code (asked for, or read from stdin, when absent).
        code: Option<String>,
        /// Send a new code instead of confirming.
        #[arg(long, conflicts_with = "code")]
        resend: bool,
    },
    /// Sign in with SRP and store the session.
    SignIn {
        /// The username.
        username: String,
        /// The MFA or one-time code, for a code step (otherwise asked for / read from stdin).
        #[arg(long)]
        code: Option<String>,
        /// The second factor to use when the pool asks which: `totp`, `sms` or `email`.
        #[arg(long, value_name = "TYPE")]
        mfa_type: Option<String>,
        /// The answer to a custom challenge.
        #[arg(long)]
        answer: Option<String>,
    },
    /// Sign in through the pool's hosted pages (authorization code with PKCE): print the URL
    /// to open in a browser, wait for its redirect on a loopback listener, and store the
    /// session.
    Login {
        /// Use the hosted pages of the pool's domain (--domain); the only mode so far.
        #[arg(long, required = true)]
        hosted: bool,
        /// The loopback port of the redirect URI `http://127.0.0.1:<PORT><PATH>`, which must
        /// be one of the app client's callback URLs (0 picks a free port).
        #[arg(long, default_value_t = 8400)]
        port: u16,
        /// The path of the redirect URI.
        #[arg(long, default_value = "/callback")]
        path: String,
        /// A scope to ask for (repeatable; none: all the app client's scopes). The session
        /// needs `openid`.
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
        /// Give up after this many seconds without a redirect.
        #[arg(long, value_name = "SECONDS", default_value_t = 300)]
        timeout: u64,
    },
    /// Print a valid token of the signed-in user, refreshing the stored session if needed,
    /// or (`--client-credentials`) a new access token of the app client itself.
    #[command(group(ArgGroup::new("kind").required(true).args(["id", "access", "client_credentials"])))]
    Token {
        /// The ID token.
        #[arg(long)]
        id: bool,
        /// The access token.
        #[arg(long)]
        access: bool,
        /// Refresh unless the token stays valid for at least this many seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 60)]
        min_validity: u64,
        /// An access token for the app client (client credentials grant at the domain's
        /// token endpoint; needs --domain and the client secret).
        #[arg(long)]
        client_credentials: bool,
        /// A resource-server scope for --client-credentials (repeatable; none: all the
        /// client's scopes).
        #[arg(long = "scope", value_name = "SCOPE", requires = "client_credentials")]
        scopes: Vec<String>,
    },
    /// Print the signed-in user's username.
    Whoami,
    /// Print the signed-in user's attributes as `name=value` lines, after changing them.
    Attributes {
        /// Set an attribute, `name=value` (repeatable).
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
        /// Delete an attribute (repeatable).
        #[arg(long = "delete", value_name = "NAME")]
        delete: Vec<String>,
    },
    /// List the signed-in user's devices: key, name, remembered status; `*` marks this one.
    Devices,
    /// Sign out: revoke the refresh token and clear the stored session.
    SignOut {
        /// Sign out everywhere (`GlobalSignOut`): every refresh token of the user is revoked.
        #[arg(long)]
        global: bool,
    },
    /// Verify a token (signature, issuer, expiry, token use, client, groups, scopes) against
    /// the pool's keys; print its claims as JSON, or the failed check (exit code 7).
    VerifyToken(verify::VerifyToken),
    /// Run the local Cognito emulator until interrupted.
    Emulator {
        /// Address to bind.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Port (0 picks a free one).
        #[arg(long, default_value_t = 9229)]
        port: u16,
        /// Region of the pools it creates.
        #[arg(long, default_value = "us-east-1")]
        region: String,
        /// A seed file of pools, clients and users (see the emulator's README).
        #[arg(long, value_name = "FILE")]
        seed: Option<PathBuf>,
        /// Create a pool and an app client, and print them as `COGNITO_*=...` lines.
        #[arg(long)]
        setup: bool,
    },
}

/// Why the command failed; each kind has its own exit code.
#[derive(Debug)]
enum Failure {
    /// Bad usage, or an answer that could not be read.
    Usage(String),
    /// No session is stored, or it is dead.
    NotSignedIn(String),
    /// Wrong password, code or username.
    Credentials(String),
    /// No response from the server.
    Network(String),
    /// The user must do something first (confirm the sign-up, reset the password).
    ActionRequired(String),
    /// The token given to `verify-token` failed a check.
    Rejected(String),
    /// Anything else.
    Other(String),
}

impl Failure {
    /// The exit code: 2 usage, 3 not signed in, 4 wrong credentials, 5 network, 6 action
    /// required, 7 token rejected, 1 anything else.
    fn code(&self) -> u8 {
        match self {
            Failure::Other(_) => 1,
            Failure::Usage(_) => 2,
            Failure::NotSignedIn(_) => 3,
            Failure::Credentials(_) => 4,
            Failure::Network(_) => 5,
            Failure::ActionRequired(_) => 6,
            Failure::Rejected(_) => 7,
        }
    }

    fn message(&self) -> &str {
        match self {
            Failure::Usage(m)
            | Failure::NotSignedIn(m)
            | Failure::Credentials(m)
            | Failure::Network(m)
            | Failure::ActionRequired(m)
            | Failure::Rejected(m)
            | Failure::Other(m) => m,
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let message = e.to_string();
        match &e {
            Error::NotSignedIn => {
                return Failure::NotSignedIn("not signed in: run `cognito sign-in`".to_owned());
            }
            Error::Transport(_) => return Failure::Network(message),
            Error::Refresh(inner) if matches!(**inner, Error::Transport(_)) => {
                return Failure::Network(message);
            }
            _ => {}
        }
        if let Error::OAuth(oauth) = &e {
            use cognito_blocking::cognito_proto::oauth::ErrorCode;
            return match oauth.code() {
                Some(ErrorCode::InvalidClient | ErrorCode::InvalidGrant) => {
                    Failure::Credentials(message)
                }
                Some(ErrorCode::AccessDenied) => Failure::Rejected(message),
                _ => Failure::Other(message),
            };
        }
        let refresh = matches!(e, Error::Refresh(_));
        match e.service_kind() {
            // A refresh refused by Cognito means the stored session is dead.
            Some(ServiceErrorKind::NotAuthorized) if refresh => {
                Failure::NotSignedIn(format!("{message}; run `cognito sign-in`"))
            }
            Some(
                ServiceErrorKind::NotAuthorized
                | ServiceErrorKind::UserNotFound
                | ServiceErrorKind::CodeMismatch
                | ServiceErrorKind::ExpiredCode
                | ServiceErrorKind::TooManyFailedAttempts,
            ) => Failure::Credentials(message),
            Some(ServiceErrorKind::UserNotConfirmed) => Failure::ActionRequired(format!(
                "{message}; run `cognito confirm <username> <code>`"
            )),
            Some(ServiceErrorKind::PasswordResetRequired) => Failure::ActionRequired(message),
            _ => Failure::Other(message),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // The message may quote the server (its error message, a username).
            eprintln!("cognito: {}", clean(failure.message(), MAX_MESSAGE));
            ExitCode::from(failure.code())
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    if let Command::Emulator {
        host,
        port,
        region,
        seed,
        setup,
    } = &cli.command
    {
        return emulator(host, *port, region, seed.as_deref(), *setup);
    }
    if let Command::VerifyToken(args) = cli.command {
        let (pool, endpoint) = (cli.pool_id.as_deref(), cli.endpoint.as_deref());
        return verify::run(args, pool, &cli.client_id, endpoint).map_err(|f| match f {
            verify::VerifyFailure::Usage(m) => Failure::Usage(m),
            verify::VerifyFailure::Network(m) => Failure::Network(m),
            verify::VerifyFailure::Rejected(m) => Failure::Rejected(m),
        });
    }
    if cli.client_id.len() > 1 {
        return Err(Failure::Usage(
            "only verify-token accepts several --client-id".to_owned(),
        ));
    }
    let settings = Settings {
        pool_id: cli.pool_id,
        client_id: cli.client_id.into_iter().next(),
        client_secret: cli.client_secret,
        endpoint: cli.endpoint,
        domain: cli.domain,
        session_file: cli.session_file,
    };
    let mut input = Input::new();
    let pool = pool(&settings, None)?;
    match cli.command {
        Command::SignUp {
            username,
            email,
            phone,
            attributes,
        } => {
            let mut attrs: Vec<(String, String)> = Vec::new();
            if let Some(email) = email {
                attrs.push(("email".to_owned(), email));
            }
            if let Some(phone) = phone {
                attrs.push(("phone_number".to_owned(), phone));
            }
            for pair in &attributes {
                attrs.push(name_value(pair)?);
            }
            let password = input.password("password: ")?;
            let pairs: Vec<(&str, &str)> = attrs
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let result = pool.sign_up(&username, password.expose_secret(), &pairs)?;
            if result.user_confirmed {
                eprintln!("signed up {username}; the user is confirmed");
            } else {
                let to = result
                    .code_delivery_details
                    .and_then(|d| d.destination)
                    .map_or_else(|| "the user".to_owned(), |to| clean(&to, MAX_FIELD));
                eprintln!("signed up {username}; confirmation code sent to {to}");
            }
            Ok(())
        }
        Command::Confirm {
            username,
            code,
            resend,
        } => {
            if resend {
                let to = pool
                    .resend_confirmation_code(&username)?
                    .and_then(|d| d.destination)
                    .map_or_else(|| "the user".to_owned(), |to| clean(&to, MAX_FIELD));
                eprintln!("confirmation code sent to {to}");
                return Ok(());
            }
            let code = match code {
                Some(code) => SecretString::new(code),
                None => input.secret("confirmation code: ")?,
            };
            pool.confirm_sign_up(&username, code.expose_secret())?;
            eprintln!("confirmed {username}");
            Ok(())
        }
        Command::SignIn {
            username,
            code,
            mfa_type,
            answer,
        } => {
            let password = input.password("password: ")?;
            let flags = StepFlags {
                code,
                mfa_type,
                answer,
            };
            let user = sign_in(
                &pool,
                &username,
                password.expose_secret(),
                flags,
                &mut input,
            )?;
            eprintln!("signed in as {}", clean(user.username(), MAX_FIELD));
            Ok(())
        }
        Command::Login {
            hosted: _,
            port,
            path,
            scopes,
            timeout,
        } => {
            if settings.domain.is_none() {
                return Err(Failure::Usage(
                    "no domain: pass --domain or set COGNITO_DOMAIN".to_owned(),
                ));
            }
            let options = hosted::Login {
                port,
                path,
                scopes,
                timeout: Duration::from_secs(timeout),
            };
            let user = hosted::login(&pool, &options)?;
            eprintln!("signed in as {}", clean(user.username(), MAX_FIELD));
            Ok(())
        }
        Command::Token {
            client_credentials: true,
            scopes,
            ..
        } => {
            if settings.domain.is_none() {
                return Err(Failure::Usage(
                    "no domain: pass --domain or set COGNITO_DOMAIN".to_owned(),
                ));
            }
            if settings.client_secret.is_none() {
                return Err(Failure::Usage(
                    "client credentials need the app client's secret: pass --client-secret or set COGNITO_CLIENT_SECRET".to_owned(),
                ));
            }
            let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
            let tokens = pool.client_credentials_token(&scopes)?;
            print_line(checked_token(
                tokens.access_token().token().expose_secret(),
            )?)
        }
        Command::Token {
            id,
            access: _,
            min_validity,
            ..
        } => {
            // A handle whose refresh margin is the wanted validity.
            let pool = self::pool(&settings, Some(Duration::from_secs(min_validity)))?;
            let user = current_user(&pool)?;
            let tokens = user.session()?;
            let token = if id {
                tokens.id_token().token()
            } else {
                tokens.access_token().token()
            };
            print_line(checked_token(token.expose_secret())?)
        }
        Command::Whoami => {
            let user = current_user(&pool)?;
            let profile = user.get_user()?;
            print_line(&clean(&profile.username, MAX_FIELD))
        }
        Command::Attributes { set, delete } => {
            let pairs = set
                .iter()
                .map(|p| name_value(p))
                .collect::<Result<Vec<_>, _>>()?;
            let user = current_user(&pool)?;
            if !pairs.is_empty() {
                let pairs: Vec<(&str, &str)> = pairs
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                user.update_attributes(&pairs)?;
            }
            if !delete.is_empty() {
                let names: Vec<&str> = delete.iter().map(String::as_str).collect();
                user.delete_attributes(&names)?;
            }
            let profile = user.get_user()?;
            let mut out = String::new();
            for attribute in &profile.user_attributes {
                out.push_str(&clean(&attribute.name, MAX_FIELD));
                out.push('=');
                out.push_str(&clean(attribute.value.as_deref().unwrap_or(""), MAX_FIELD));
                out.push('\n');
            }
            print_raw(&out)
        }
        Command::Devices => {
            let user = current_user(&pool)?;
            let this = user.remembered_device()?.map(|d| d.device_key);
            let mut out = String::new();
            let mut page_token = None;
            loop {
                let page = user.list_devices(Some(60), page_token)?;
                for device in &page.devices {
                    let mark = if this.as_deref() == Some(device.device_key.as_str()) {
                        "*"
                    } else {
                        " "
                    };
                    out.push_str(&format!(
                        "{mark} {}\t{}\t{}\n",
                        clean(&device.device_key, MAX_FIELD),
                        clean(device.attribute("device_name").unwrap_or("-"), MAX_FIELD),
                        clean(
                            device
                                .attribute("dev:device_remembered_status")
                                .unwrap_or("-"),
                            MAX_FIELD
                        ),
                    ));
                }
                match page.pagination_token {
                    Some(next) if !page.devices.is_empty() => page_token = Some(next),
                    _ => break,
                }
            }
            print_raw(&out)
        }
        Command::SignOut { global } => {
            let user = current_user(&pool)?;
            if global {
                user.global_sign_out()?;
                eprintln!(
                    "signed out {} everywhere",
                    clean(user.username(), MAX_FIELD)
                );
            } else {
                user.sign_out()?;
                eprintln!("signed out {}", clean(user.username(), MAX_FIELD));
            }
            Ok(())
        }
        Command::Emulator { .. } | Command::VerifyToken(_) => {
            Err(Failure::Other("unreachable".to_owned()))
        }
    }
}

/// The pool settings from flags and `COGNITO_*` variables.
struct Settings {
    pool_id: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    endpoint: Option<String>,
    domain: Option<String>,
    session_file: Option<PathBuf>,
}

fn pool(settings: &Settings, margin: Option<Duration>) -> Result<UserPool, Failure> {
    let pool_id = settings.pool_id.as_deref().ok_or_else(|| {
        Failure::Usage("no user pool: pass --pool-id or set COGNITO_USER_POOL_ID".to_owned())
    })?;
    let client_id = settings.client_id.as_deref().ok_or_else(|| {
        Failure::Usage("no app client: pass --client-id or set COGNITO_CLIENT_ID".to_owned())
    })?;
    let path = match &settings.session_file {
        Some(path) => path.clone(),
        None => default_session_file()?,
    };
    let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => dir,
        None => Path::new("."),
    };
    create_private_dir(dir)?;
    check_session_dir(dir)?;
    let mut builder = UserPool::builder(pool_id, client_id).store(FileStore::new(path));
    if let Some(secret) = &settings.client_secret {
        builder = builder.client_secret(secret.as_str());
    }
    if let Some(url) = &settings.endpoint {
        builder = builder
            .endpoint_url(url)
            .map_err(|e| Failure::Usage(format!("bad endpoint {url}: {e}")))?;
    }
    if let Some(margin) = margin {
        builder = builder.refresh_margin(margin);
    }
    if let Some(domain) = &settings.domain {
        builder = builder
            .domain(domain)
            .map_err(|e| Failure::Usage(format!("bad domain {domain}: {e}")))?;
    }
    builder
        .build()
        .map_err(|e| Failure::Usage(format!("bad pool settings: {e}")))
}

/// `$XDG_CONFIG_HOME/cognito/session.json`, else `$HOME/.config/cognito/session.json`.
fn default_session_file() -> Result<PathBuf, Failure> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let config = match (non_empty("XDG_CONFIG_HOME"), non_empty("HOME")) {
        (Some(xdg), _) => PathBuf::from(xdg),
        (None, Some(home)) => PathBuf::from(home).join(".config"),
        (None, None) => {
            return Err(Failure::Usage(
                "no config directory: pass --session-file or set XDG_CONFIG_HOME or HOME"
                    .to_owned(),
            ));
        }
    };
    Ok(config.join("cognito").join("session.json"))
}

/// Creates `dir` (and parents) if missing; a new directory gets mode 0700 on Unix.
fn create_private_dir(dir: &Path) -> Result<(), Failure> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| Failure::Other(format!("cannot create {}: {e}", dir.display())))
}

/// Refuses a session directory that another user could change, as ssh refuses its files
/// (`StrictModes`): another user able to create, rename or replace files there could plant a
/// session of their own or swap ours. The directory must be owned by the caller or root and
/// writable by nobody else; each directory above it must be owned by the caller or root and,
/// if others may write to it, have the sticky bit (as `/tmp` has), so that nobody else can
/// rename the directories below.
#[cfg(unix)]
fn check_session_dir(dir: &Path) -> Result<(), Failure> {
    use std::os::unix::fs::MetadataExt;
    let me = rustix::process::geteuid().as_raw();
    let real = std::fs::canonicalize(dir)
        .map_err(|e| Failure::Other(format!("cannot resolve {}: {e}", dir.display())))?;
    let unsafe_dir = |what: &Path, why: String| {
        let shown = if what == real {
            format!("the session directory {}", what.display())
        } else {
            format!(
                "{}, above the session directory {}",
                what.display(),
                real.display()
            )
        };
        Failure::Other(format!(
            "refusing to keep the session in {}: {shown} {why}",
            real.display()
        ))
    };
    for (depth, ancestor) in real.ancestors().enumerate() {
        let meta = std::fs::metadata(ancestor)
            .map_err(|e| Failure::Other(format!("cannot inspect {}: {e}", ancestor.display())))?;
        let (owner, mode) = (meta.uid(), meta.mode());
        if owner != me && owner != 0 {
            return Err(unsafe_dir(
                ancestor,
                format!("is owned by uid {owner}, not by you (uid {me}) or root"),
            ));
        }
        let others_write = mode & 0o022;
        let sticky = mode & 0o1000 != 0;
        if others_write != 0 && (depth == 0 || !sticky) {
            let who = match others_write {
                0o002 => "every user",
                0o020 => "its group",
                _ => "its group and every user",
            };
            return Err(unsafe_dir(
                ancestor,
                format!(
                    "is writable by {who} (mode {:04o}); run `chmod go-w {}`",
                    mode & 0o7777,
                    ancestor.display()
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_session_dir(_dir: &Path) -> Result<(), Failure> {
    Ok(())
}

fn current_user(pool: &UserPool) -> Result<User, Failure> {
    pool.current_user()?
        .ok_or_else(|| Failure::NotSignedIn("not signed in: run `cognito sign-in`".to_owned()))
}

fn name_value(pair: &str) -> Result<(String, String), Failure> {
    match pair.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(Failure::Usage(format!("expected NAME=VALUE, got {pair:?}"))),
    }
}

/// A token as the server sent it, refused unless it has only the characters of a JWT
/// (base64url and dots): it is printed raw, for scripts.
fn checked_token(token: &str) -> Result<&str, Failure> {
    let jwt = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=');
    if token.chars().all(jwt) {
        Ok(token)
    } else {
        Err(Failure::Other(
            "the server sent a token that is not a JWT; it was not printed".to_owned(),
        ))
    }
}

fn print_line(line: &str) -> Result<(), Failure> {
    print_raw(&format!("{line}\n"))
}

fn print_raw(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Other(format!("cannot write to stdout: {e}")))
}

/// Answers given on the command line, used before asking.
struct StepFlags {
    code: Option<String>,
    mfa_type: Option<String>,
    answer: Option<String>,
}

fn sign_in(
    pool: &UserPool,
    username: &str,
    password: &str,
    mut flags: StepFlags,
    input: &mut Input,
) -> Result<User, Failure> {
    let mut outcome = pool.sign_in(username, password)?;
    loop {
        let mut sign_in = match outcome {
            SignInOutcome::SignedIn(user) => return Ok(user),
            SignInOutcome::Pending(sign_in) => sign_in,
        };
        let answer = match sign_in.next_step() {
            NextStep::ConfirmWithSmsCode { destination } => {
                let prompt = format!(
                    "code sent by SMS to {}: ",
                    clean(destination.as_deref().unwrap_or("your phone"), MAX_FIELD)
                );
                Answer::code(code_answer(&mut flags, input, &prompt)?)
            }
            NextStep::ConfirmWithEmailCode { destination } => {
                let prompt = format!(
                    "code sent by email to {}: ",
                    clean(destination.as_deref().unwrap_or("your address"), MAX_FIELD)
                );
                Answer::code(code_answer(&mut flags, input, &prompt)?)
            }
            NextStep::ConfirmWithTotpCode => Answer::code(code_answer(
                &mut flags,
                input,
                "code from your authenticator app: ",
            )?),
            NextStep::SelectMfaType { allowed } | NextStep::SelectMfaSetupType { allowed } => {
                let names: Vec<String> = allowed
                    .iter()
                    .map(|m| clean(mfa_name(m), MAX_FIELD))
                    .collect();
                let chosen = match flags.mfa_type.take() {
                    Some(chosen) => chosen,
                    None => input.line(&format!("second factor ({}): ", names.join(", ")))?,
                };
                let factor = allowed
                    .iter()
                    .find(|m| mfa_name(m) == chosen || m.as_str() == chosen)
                    .ok_or_else(|| {
                        Failure::Usage(format!(
                            "second factor {chosen:?} is not offered (offered: {})",
                            names.join(", ")
                        ))
                    })?;
                Answer::MfaType(factor.clone())
            }
            NextStep::SetUpTotp { shared_secret } => {
                eprintln!(
                    "add this secret to your authenticator app: {}",
                    clean(shared_secret.expose_secret(), MAX_FIELD)
                );
                eprintln!(
                    "{}",
                    clean(&shared_secret.otpauth_uri("Cognito", username), MAX_FIELD)
                );
                Answer::code(code_answer(
                    &mut flags,
                    input,
                    "code from your authenticator app: ",
                )?)
            }
            NextStep::SetUpEmail => Answer::Email(input.line("email address for MFA codes: ")?),
            NextStep::NewPasswordRequired { .. } => Answer::NewPassword {
                password: input.secret("new password: ")?,
                attributes: Default::default(),
            },
            NextStep::CustomChallenge { .. } => {
                let answer = match flags.answer.take() {
                    Some(answer) => SecretString::new(answer),
                    None => input.secret("challenge answer: ")?,
                };
                Answer::Custom {
                    answer,
                    extra: Default::default(),
                }
            }
            NextStep::EnterPassword => Answer::Password(password.into()),
            NextStep::ConfirmSignUp { username } => {
                return Err(Failure::ActionRequired(format!(
                    "{username} has not confirmed the sign-up: run `cognito confirm {username} <code>`"
                )));
            }
            NextStep::ResetPassword { username } => {
                return Err(Failure::ActionRequired(format!(
                    "{username} must reset the password first"
                )));
            }
            other => {
                return Err(Failure::Other(format!(
                    "this command cannot complete the step {other:?}"
                )));
            }
        };
        outcome = sign_in.answer(answer)?;
    }
}

fn mfa_name(mfa: &MfaType) -> &str {
    match mfa {
        MfaType::Totp => "totp",
        MfaType::Sms => "sms",
        MfaType::Email => "email",
        other => other.as_str(),
    }
}

fn code_answer(
    flags: &mut StepFlags,
    input: &mut Input,
    prompt: &str,
) -> Result<SecretString, Failure> {
    match flags.code.take() {
        Some(code) => Ok(SecretString::new(code)),
        None => input.secret(prompt),
    }
}

/// Where answers come from: the terminal (without echo for secrets), else stdin lines.
struct Input {
    tty: bool,
}

impl Input {
    fn new() -> Self {
        Input {
            tty: std::io::stdin().is_terminal(),
        }
    }

    /// The password: `COGNITO_PASSWORD`, else asked on the terminal, else the next stdin line.
    fn password(&mut self, prompt: &str) -> Result<SecretString, Failure> {
        match std::env::var("COGNITO_PASSWORD") {
            Ok(password) if !password.is_empty() => Ok(SecretString::new(password)),
            _ => self.secret(prompt),
        }
    }

    /// A secret answer, read without echo on a terminal.
    fn secret(&mut self, prompt: &str) -> Result<SecretString, Failure> {
        if self.tty {
            rpassword::prompt_password(prompt)
                .map(SecretString::new)
                .map_err(|e| Failure::Usage(format!("cannot read from the terminal: {e}")))
        } else {
            self.next_line(prompt).map(SecretString::new)
        }
    }

    /// A visible answer.
    fn line(&mut self, prompt: &str) -> Result<String, Failure> {
        if self.tty {
            eprint!("{prompt}");
            let _ = std::io::stderr().flush();
        }
        self.next_line(prompt)
    }

    fn next_line(&mut self, prompt: &str) -> Result<String, Failure> {
        let mut line = String::new();
        let read = std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::Usage(format!("cannot read stdin: {e}")))?;
        if read == 0 {
            let what = prompt.trim_end().trim_end_matches(':');
            return Err(Failure::Usage(format!(
                "{what} needed: give it on stdin or with a flag"
            )));
        }
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

#[cfg(feature = "emulator")]
fn emulator(
    host: &str,
    port: u16,
    region: &str,
    seed: Option<&Path>,
    setup: bool,
) -> Result<(), Failure> {
    let mut builder = cognito_emulator::Emulator::builder()
        .host(host)
        .port(port)
        .region(region);
    if let Some(seed) = seed {
        builder = builder
            .seed_file(seed)
            .map_err(|e| Failure::Usage(format!("cannot read seed {}: {e}", seed.display())))?;
    }
    let emu = builder
        .start_blocking()
        .map_err(|e| Failure::Other(format!("cannot start the emulator: {e}")))?;
    let mut out = format!("listening on {}\n", emu.url());
    if setup {
        let pool = emu
            .create_pool(cognito_emulator::PoolConfig::default())
            .map_err(|e| Failure::Other(format!("cannot create a pool: {e}")))?;
        let client = emu
            .create_client(&pool.pool_id, cognito_emulator::ClientConfig::default())
            .map_err(|e| Failure::Other(format!("cannot create a client: {e}")))?;
        out.push_str(&format!(
            "COGNITO_USER_POOL_ID={}\nCOGNITO_CLIENT_ID={}\nCOGNITO_ENDPOINT={}\n",
            pool.pool_id,
            client.client_id,
            emu.url()
        ));
    }
    print_raw(&out)?;
    // Serve until the process is stopped.
    loop {
        std::thread::park();
    }
}

/// Without the `emulator` feature the subcommand exists but says how to get it.
#[cfg(not(feature = "emulator"))]
fn emulator(
    _host: &str,
    _port: u16,
    _region: &str,
    _seed: Option<&Path>,
    _setup: bool,
) -> Result<(), Failure> {
    Err(Failure::Usage(
        "this build of cognito has no embedded emulator: build it with the `emulator` feature \
         (on by default), or run the `cognito-emulator` binary"
            .to_owned(),
    ))
}
