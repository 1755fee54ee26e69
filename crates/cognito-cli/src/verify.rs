//! `cognito verify-token`: verifies a Cognito JWT against its pool's JWKS and prints its claims
//! as JSON, or the check that failed.

use std::io::Read;
use std::time::Duration;

use clap::{Args, ValueEnum};
use cognito_blocking::{TokenUse, Verifier, VerifyError};

/// The arguments of `verify-token`.
#[derive(Debug, Args)]
pub(crate) struct VerifyToken {
    /// Which token this must be.
    #[arg(long, value_enum)]
    token_use: TokenUseArg,
    /// Fetch the keys from this URI instead of the pool's (or the emulator's) JWKS.
    #[arg(long, value_name = "URI")]
    jwks_uri: Option<String>,
    /// Require membership of one of these groups (repeatable or comma-separated).
    #[arg(long = "group", value_name = "GROUP", value_delimiter = ',')]
    groups: Vec<String>,
    /// Require one of these scopes (repeatable or comma-separated).
    #[arg(long = "scope", value_name = "SCOPE", value_delimiter = ',')]
    scopes: Vec<String>,
    /// Accept tokens of any app client of the pool (instead of `--client-id`).
    #[arg(long)]
    no_client_check: bool,
    /// Tolerate this much clock skew on `exp` and `nbf`.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    grace: u64,
    /// The token, or `-` to read it from standard input.
    token: String,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum TokenUseArg {
    Id,
    Access,
}

/// Why `verify-token` did not print claims.
pub(crate) enum VerifyFailure {
    /// Bad arguments.
    Usage(String),
    /// The keys could not be fetched.
    Network(String),
    /// The token failed a check (printed as JSON on stdout too).
    Rejected(String),
}

/// Runs `verify-token` with the global pool settings.
pub(crate) fn run(
    args: VerifyToken,
    pool_id: Option<&str>,
    client_ids: &[String],
    endpoint: Option<&str>,
) -> Result<(), VerifyFailure> {
    let pool_id = pool_id.ok_or_else(|| {
        VerifyFailure::Usage("no user pool: pass --pool-id or set COGNITO_USER_POOL_ID".into())
    })?;
    let token_use = match args.token_use {
        TokenUseArg::Id => TokenUse::Id,
        TokenUseArg::Access => TokenUse::Access,
    };
    let mut builder = Verifier::builder(pool_id)
        .token_use(token_use)
        .groups(args.groups)
        .scopes(args.scopes)
        .grace(Duration::from_secs(args.grace));
    builder = match (args.no_client_check, client_ids.is_empty()) {
        (true, true) => builder.no_client_check(),
        (false, false) => builder.client_ids(client_ids.iter().cloned()),
        (true, false) => {
            return Err(VerifyFailure::Usage(
                "--no-client-check and --client-id exclude each other".into(),
            ));
        }
        (false, true) => {
            return Err(VerifyFailure::Usage(
                "no app client: pass --client-id (or --no-client-check)".into(),
            ));
        }
    };
    if let Some(url) = endpoint {
        builder = builder.endpoint(url);
    }
    if let Some(uri) = args.jwks_uri {
        builder = builder.jwks_uri(uri);
    }
    let verifier = builder
        .build()
        .map_err(|e| VerifyFailure::Usage(e.to_string()))?;
    let token = if args.token == "-" {
        let mut input = String::new();
        std::io::stdin()
            .take(cognito_blocking::cognito_jwt::MAX_TOKEN_BYTES as u64 + 1)
            .read_to_string(&mut input)
            .map_err(|e| VerifyFailure::Usage(format!("cannot read the token: {e}")))?;
        input.trim().to_owned()
    } else {
        args.token
    };
    match verifier.verify(&token) {
        Ok(claims) => {
            let json = serde_json::to_string_pretty(&claims)
                .map_err(|e| VerifyFailure::Usage(e.to_string()))?;
            println!("{json}");
            Ok(())
        }
        Err(e @ VerifyError::JwksUnavailable { .. }) => Err(VerifyFailure::Network(e.to_string())),
        Err(e) => {
            let report =
                serde_json::json!({"valid": false, "check": e.check(), "message": e.to_string()});
            println!("{report}");
            Err(VerifyFailure::Rejected(format!("token rejected: {e}")))
        }
    }
}
