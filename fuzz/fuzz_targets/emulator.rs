//! The emulator's request handling (`cognito_emulator::Service::handle`, the path its HTTP
//! server runs) fed arbitrary sequences of requests.
//!
//! Setup, once per process: a seeded emulator on a fixed clock with injected signing keys, a
//! pool (optional MFA, device tracking, the built-in custom-auth trigger, PASSWORD / EMAIL_OTP
//! / SMS_OTP first factors), a public client with every flow, a client with a secret and
//! PreventUserExistenceErrors, and users: `alice` (password known to the fuzzer as
//! `$ALICE_PW`, verified email), `bob` (password unknown), `carol` (temporary password
//! unknown, FORCE_CHANGE_PASSWORD) and `dave` (password unknown, verified email and phone, so
//! codes can be sent to him). Every input starts from a fork of that state.
//!
//! Input: blocks separated by a line `----`. A block is a first line, header lines
//! (`name: value`) up to a blank line, then the body. The first line is
//! * an operation name (`InitiateAuth`): `POST /` with `X-Amz-Target:
//!   AWSCognitoIdentityProviderService.<name>` (a given `x-amz-target` header replaces it);
//! * `identity:<Op>`: the identity-pool service;
//! * a number: the operation of that index (modulo) in the list of all the emulator knows;
//! * `<METHOD> <path>`: a raw request (`GET /_emulator/messages`, `POST /_emulator/faults`,
//!   `GET /$POOL/.well-known/jwks.json`, ...).
//!
//! Placeholders in headers and bodies: `$POOL`, `$CLIENT`, `$SCLIENT` (the secret client),
//! `$HASH(<user>)` (SECRET_HASH of `<user>` for `$SCLIENT`), `$ALICE_PW`, `$SRP_A` (a valid
//! SRP A), `$CLAIM` (alice's PASSWORD_CLAIM_SIGNATURE for the latest PASSWORD_VERIFIER
//! challenge), `$TS` (the TIMESTAMP of the emulator's clock), `$BLOCK` (its SECRET_BLOCK), `$SESSION`, `$ACCESS`,
//! `$IDTOKEN`, `$REFRESH`, `$DEVICE` (the latest seen), `$CODE` (the latest delivered code),
//! `$TOTP` (the current TOTP code for the latest AssociateSoftwareToken secret),
//! `$DEV_SALT` / `$DEV_VERIFIER` (a device verifier the harness registers for the latest new
//! device), `$DEV_CLAIM` / `$DEV_BLOCK` (its answer to the latest DEVICE_PASSWORD_VERIFIER).
//!
//! Invariants:
//! * every request gets a response (a dropped connection only after a `reset` fault was
//!   injected), with a valid status and a JSON body (unless a `truncate` fault was injected;
//!   `OPTIONS` has none);
//! * operation errors carry string `__type` and `message` and `x-amzn-ErrorType: <type>:`;
//!   other errors carry `message`;
//! * no 5xx, except `InternalErrorException` "Injected internal error" after an injected
//!   `http500` fault: bad client input is a 4xx;
//! * tokens for bob, carol or dave (by `sub`) come only after the input was given one of their
//!   secrets: a code delivered to them appeared in a request, or an admin set their password
//!   (AdminSetUserPassword succeeded for them). The fuzzer never knows their passwords, and no
//!   other flow of the emulator issues tokens without a password, SRP claim, code or refresh
//!   token (custom auth here is the built-in code scenario; no WebAuthn credential exists
//!   without tokens first). ID and access tokens name the same `sub`;
//! * the user count of every pool changes only by a successful SignUp / AdminCreateUser
//!   (+1 in one pool; not for `MessageAction: RESEND`), AdminDeleteUser / DeleteUser (−1),
//!   CreateUserPool (a new, empty pool), DeleteUserPool (one pool gone) or the reset hook
//!   (all gone);
//! * a `Session` that a challenge answer consumed (200 to RespondToAuthChallenge) is never
//!   accepted again;
//! * a token family (`origin_jti`) revoked by RevokeToken of its refresh token, by
//!   GlobalSignOut / AdminUserGlobalSignOut of its user or by deleting its user never gets a
//!   200 again, neither for its access tokens nor for its refresh token;
//! * no token carries a claim from user input that Cognito reserves: the access token holds
//!   only Cognito's own claims; the ID token's `cognito:*` claims are `cognito:username` (the
//!   access token's `username`) and the group claims as arrays / an ARN string (attribute
//!   values are strings, so none of them can come from an attribute); `iss`, `aud`,
//!   `token_use`, `event_id`, `origin_jti` and `auth_time` agree with the access token;
//! * no two users of a pool hold the same alias: the same verified e-mail or phone number
//!   where it is in `AliasAttributes`, the same value at all where it is in
//!   `UsernameAttributes` (the setup pool has e-mail and phone number as aliases), and no
//!   username equals another user's alias (sign-in would reach the username's user);
//! * no device sign-in without the device's password: a 200 to DEVICE_PASSWORD_VERIFIER
//!   only for a device confirmed with a verifier the harness made (`$DEV_VERIFIER`, whose
//!   password it knows) and with the claim the harness computed from that password
//!   (`$DEV_CLAIM`); a device the input confirmed with a verifier of its own (0 mod N, 1,
//!   N−1, random bytes) never signs in;
//! * no TOTP code is accepted twice: a 200 to VerifySoftwareToken or to a
//!   SOFTWARE_TOKEN_MFA answer consumes the (secret, time step) its code matched, and no
//!   later 200 may match only consumed ones.
#![no_main]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_emulator::{
    ClientConfig, Emulator, IDENTITY_OPERATIONS, MfaConfiguration, Outcome, PoolConfig, Service,
    SigningKeys, USER_POOL_OPERATIONS,
};
use cognito_proto::srp;
use libfuzzer_sys::fuzz_target;
use num_bigint::BigUint;
use serde_json::{Value, json};

const ALICE_PW: &str = "Alice-Passw0rd!";
/// Most blocks run per input (SRP steps cost milliseconds each).
const MAX_BLOCKS: usize = 24;

struct Setup {
    service: Service,
    pool: String,
    client: String,
    sclient: String,
    sclient_secret: String,
    /// `sub` → username of the users whose secrets the fuzzer does not know.
    protected: BTreeMap<String, String>,
    eph: srp::Ephemeral,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let keys = SigningKeys::from_seed(7).expect("keys");
        let service = Emulator::builder()
            .rng_seed(42)
            .fixed_clock(1_767_225_600)
            .signing_keys(keys)
            .build_service()
            .expect("service");
        let pool = service
            .create_pool(PoolConfig {
                mfa: MfaConfiguration::Optional,
                device_tracking: Some((true, false)),
                custom_auth_trigger: true,
                allowed_first_auth_factors: vec![
                    "PASSWORD".into(),
                    "EMAIL_OTP".into(),
                    "SMS_OTP".into(),
                ],
                alias_attributes: vec!["email".into(), "phone_number".into()],
                ..PoolConfig::default()
            })
            .expect("pool");
        let client = service
            .create_client(&pool.pool_id, ClientConfig::default())
            .expect("client");
        let sclient = service
            .create_client(
                &pool.pool_id,
                ClientConfig {
                    generate_secret: true,
                    prevent_user_existence_errors: true,
                    ..ClientConfig::default()
                },
            )
            .expect("secret client");
        service
            .create_user(
                &pool.pool_id,
                "alice",
                ALICE_PW,
                &[("email", "alice@example.com")],
            )
            .expect("alice");
        let mut protected = BTreeMap::new();
        let bob = service
            .create_user(&pool.pool_id, "bob", "Bob-unknown-0-Pw!x", &[])
            .expect("bob");
        protected.insert(bob, "bob".to_string());
        let dave = service
            .create_user(
                &pool.pool_id,
                "dave",
                "Dave-unknown-0-Pw!y",
                &[("email", "dave@example.com"), ("phone_number", "+15550100")],
            )
            .expect("dave");
        protected.insert(dave, "dave".to_string());
        let carol = service
            .call(
                "AdminCreateUser",
                json!({"UserPoolId": pool.pool_id, "Username": "carol",
                       "MessageAction": "SUPPRESS"}),
            )
            .expect("carol");
        let carol_sub = carol["User"]["Attributes"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["Name"] == "sub"))
            .and_then(|x| x["Value"].as_str())
            .expect("carol's sub")
            .to_string();
        protected.insert(carol_sub, "carol".to_string());
        let eph = srp::Ephemeral::from_private(BigUint::from_bytes_be(&[0x5a; 32])).expect("a");
        Setup {
            service,
            pool: pool.pool_id,
            client: client.client_id,
            sclient: sclient.client_id,
            sclient_secret: sclient.client_secret.expect("secret"),
            protected,
            eph,
        }
    })
}

/// What the harness has seen in this input.
#[derive(Default)]
struct Track {
    session: Option<String>,
    access: Option<String>,
    id_token: Option<String>,
    refresh: Option<String>,
    device: Option<String>,
    /// `DeviceGroupKey` of the latest NewDeviceMetadata.
    device_group: Option<String>,
    /// The device password the harness registered with `$DEV_VERIFIER`.
    device_password: Option<String>,
    /// SALT, SRP_B, SECRET_BLOCK of the latest DEVICE_PASSWORD_VERIFIER challenge.
    device_verifier: Option<[String; 3]>,
    /// `SecretCode` of the latest AssociateSoftwareToken.
    totp_secret: Option<String>,
    /// SALT, SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP of the latest PASSWORD_VERIFIER challenge.
    verifier: Option<[String; 4]>,
    /// Usernames whose secret the input was given.
    granted: BTreeSet<String>,
    fault_500: bool,
    fault_truncate: bool,
    fault_reset: bool,
    /// Sessions a challenge answer consumed (a 200 to RespondToAuthChallenge).
    consumed: BTreeSet<String>,
    /// Token family (`origin_jti`) of each refresh token seen.
    family_of_refresh: BTreeMap<String, String>,
    /// Families seen per (issuer, username).
    families_of_user: BTreeMap<(String, String), BTreeSet<String>>,
    /// Families revoked (RevokeToken, global sign-out, deleted user).
    dead: BTreeSet<String>,
    /// `PasswordVerifier`s the harness registered (`$DEV_VERIFIER`): it knows their password.
    known_verifiers: BTreeSet<String>,
    /// Device key → the verifier a 200 ConfirmDevice stored for it.
    confirmed_devices: BTreeMap<String, String>,
    /// Device claims the harness computed (`$DEV_CLAIM`).
    device_claims: BTreeSet<String>,
    /// Every `SecretCode` AssociateSoftwareToken returned.
    totp_secrets: BTreeSet<String>,
    /// (secret, time step) of every TOTP code the emulator accepted.
    totp_used: BTreeSet<(String, u64)>,
}

impl Track {
    fn kill_user(&mut self, iss: &str, username: &str) {
        let key = (iss.to_string(), username.to_string());
        if let Some(f) = self.families_of_user.get(&key) {
            self.dead.extend(f.iter().cloned());
        }
    }
}

/// `(iss, username, origin_jti)` of an access token.
fn access_identity(token: &str) -> Option<(String, String, String)> {
    let c = claims(token)?;
    Some((
        c.get("iss")?.as_str()?.to_string(),
        c.get("username")?.as_str()?.to_string(),
        c.get("origin_jti")?.as_str()?.to_string(),
    ))
}

/// The refresh token a request presents, if it is a refresh.
fn presented_refresh(op: &str, req: &Value) -> Option<String> {
    let r = match op {
        "GetTokensFromRefreshToken" => req["RefreshToken"].as_str(),
        "InitiateAuth" | "AdminInitiateAuth" => req["AuthParameters"]["REFRESH_TOKEN"].as_str(),
        _ => None,
    }?;
    Some(r.to_string())
}

fn claim(s: &Setup, now: u64, t: &Track) -> Option<srp::Claim> {
    let [salt, b, block, user] = t.verifier.as_ref()?;
    let ch = srp::ServerChallenge::parse(salt, b, block).ok()?;
    srp::password_claim(&s.eph, &s.pool, user, ALICE_PW, &ch, now).ok()
}

fn device_claim(s: &Setup, now: u64, t: &Track) -> Option<String> {
    let [salt, b, block] = t.device_verifier.as_ref()?;
    let ch = srp::ServerChallenge::parse(salt, b, block).ok()?;
    let c = srp::device_claim(
        &s.eph,
        t.device_group.as_deref()?,
        t.device.as_deref()?,
        t.device_password.as_deref()?,
        &ch,
        now,
    )
    .ok()?;
    Some(c.signature)
}

fn substitute(s: &Setup, svc: &Service, t: &mut Track, text: &str) -> String {
    if !text.contains('$') {
        return text.to_string();
    }
    let mut out = text.to_string();
    if out.contains("$ALICE_PW") {
        t.granted.insert("alice".into());
        out = out.replace("$ALICE_PW", ALICE_PW);
    }
    if out.contains("$CLAIM") || out.contains("$TS") {
        let c = claim(s, svc.now(), t);
        if c.is_some() {
            t.granted.insert("alice".into());
        }
        let sig = c.map(|c| c.signature).unwrap_or_default();
        out = out
            .replace("$CLAIM", &sig)
            .replace("$TS", &srp::format_timestamp(svc.now()));
    }
    while let Some(i) = out.find("$HASH(") {
        let rest = &out[i + 6..];
        let Some(end) = rest.find(')') else { break };
        let user = &rest[..end];
        let h = srp::secret_hash(user, &s.sclient, &s.sclient_secret);
        out = format!("{}{}{}", &out[..i], h, &rest[end + 1..]);
    }
    if out.contains("$DEV_SALT") || out.contains("$DEV_VERIFIER") {
        let (salt, verifier) = match (t.device_group.clone(), t.device.clone()) {
            (Some(g), Some(k)) => {
                let reg = srp::register_device_with(&[7; 40], &[9; 16], &g, &k);
                t.device_password = Some(reg.device_password.expose_secret().clone());
                t.known_verifiers.insert(reg.verifier_b64.clone());
                (reg.salt_b64, reg.verifier_b64)
            }
            _ => (String::new(), String::new()),
        };
        out = out
            .replace("$DEV_SALT", &salt)
            .replace("$DEV_VERIFIER", &verifier);
    }
    if out.contains("$DEV_CLAIM") || out.contains("$DEV_BLOCK") {
        let sig = device_claim(s, svc.now(), t).unwrap_or_default();
        if !sig.is_empty() {
            t.device_claims.insert(sig.clone());
        }
        let block = t
            .device_verifier
            .as_ref()
            .map(|v| v[2].clone())
            .unwrap_or_default();
        out = out
            .replace("$DEV_CLAIM", &sig)
            .replace("$DEV_BLOCK", &block);
    }
    if out.contains("$TOTP") {
        let totp = t
            .totp_secret
            .as_deref()
            .and_then(|k| cognito_emulator::totp::code(k, svc.now()))
            .unwrap_or_default();
        out = out.replace("$TOTP", &totp);
    }
    let code = svc
        .messages(None)
        .last()
        .map(|m| m.code.clone())
        .unwrap_or_default();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let block = t
        .verifier
        .as_ref()
        .map(|v| v[2].clone())
        .unwrap_or_default();
    out.replace("$SCLIENT", &s.sclient)
        .replace("$CLIENT", &s.client)
        .replace("$POOL", &s.pool)
        .replace("$SRP_A", &s.eph.public_hex())
        .replace("$SESSION", &opt(&t.session))
        .replace("$ACCESS", &opt(&t.access))
        .replace("$IDTOKEN", &opt(&t.id_token))
        .replace("$REFRESH", &opt(&t.refresh))
        .replace("$DEVICE", &opt(&t.device))
        .replace("$BLOCK", &block)
        .replace("$CODE", &code)
}

struct Block<'a> {
    first: &'a str,
    headers: Vec<(&'a str, &'a str)>,
    body: &'a str,
}

fn parse_block(b: &str) -> Block<'_> {
    let (head, body) = match b.find("\n\n") {
        Some(i) => (&b[..i], &b[i + 2..]),
        None => (b, ""),
    };
    let mut lines = head.lines();
    let first = lines.next().unwrap_or("").trim();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim(), v.trim()))
        .collect();
    Block {
        first,
        headers,
        body,
    }
}

/// The (secret, time step) pairs a TOTP code matches at `now` (one step either side), for
/// every secret seen.
fn totp_matches(t: &Track, code: &str, now: u64) -> Vec<(String, u64)> {
    let step = now / cognito_emulator::totp::STEP;
    let mut out = Vec::new();
    for secret in &t.totp_secrets {
        for st in [step.saturating_sub(1), step, step + 1] {
            let at = st * cognito_emulator::totp::STEP;
            if cognito_emulator::totp::code(secret, at).as_deref() == Some(code) {
                out.push((secret.clone(), st));
            }
        }
    }
    out
}

fn claims(token: &str) -> Option<serde_json::Map<String, Value>> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// Claims of Cognito's access tokens (none comes from a user attribute).
const ACCESS_CLAIMS: &[&str] = &[
    "sub",
    "iss",
    "client_id",
    "origin_jti",
    "event_id",
    "token_use",
    "scope",
    "auth_time",
    "exp",
    "iat",
    "jti",
    "username",
    "device_key",
    "version",
    "cognito:groups",
];

/// Checks that no claim Cognito reserves came from user input (see the header).
fn check_reserved_claims(
    op: &str,
    idc: &serde_json::Map<String, Value>,
    ac: &serde_json::Map<String, Value>,
) {
    for k in ac.keys() {
        assert!(
            ACCESS_CLAIMS.contains(&k.as_str()),
            "{op}: access token carries claim {k}"
        );
    }
    for (k, v) in idc {
        if let Some(rest) = k.strip_prefix("cognito:") {
            match rest {
                "username" => assert_eq!(
                    Some(v),
                    ac.get("username"),
                    "{op}: cognito:username is not the access token's username"
                ),
                "groups" | "roles" => {
                    assert!(v.is_array(), "{op}: {k} is not a list: {v}")
                }
                "preferred_role" => assert!(
                    v.as_str().is_some_and(|r| r.starts_with("arn:")),
                    "{op}: {k} is not a role ARN: {v}"
                ),
                _ => panic!("{op}: ID token carries {k} = {v}"),
            }
        }
    }
    for k in ["username", "client_id", "scope", "device_key"] {
        assert!(!idc.contains_key(k), "{op}: ID token carries {k}");
    }
    assert_eq!(idc.get("token_use"), Some(&json!("id")), "{op}: token_use");
    assert_eq!(ac.get("token_use"), Some(&json!("access")), "{op}: token_use");
    assert_eq!(idc.get("aud"), ac.get("client_id"), "{op}: aud");
    for k in ["iss", "event_id", "origin_jti", "auth_time"] {
        assert_eq!(idc.get(k), ac.get(k), "{op}: ID and access token disagree on {k}");
    }
}

/// Checks that no two users of any pool hold the same alias (see the header).
fn check_aliases(svc: &Service, op: &str) {
    for pool in svc.user_counts().keys() {
        let Ok(desc) = svc.call("DescribeUserPool", json!({"UserPoolId": pool})) else {
            continue;
        };
        let list = |k: &str| -> Vec<String> {
            desc["UserPool"][k]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (aliases, usernames) = (list("AliasAttributes"), list("UsernameAttributes"));
        if aliases.is_empty() && usernames.is_empty() {
            continue;
        }
        let Ok(users) = svc.call("ListUsers", json!({"UserPoolId": pool})) else {
            continue;
        };
        let mut held: BTreeMap<(String, String), String> = BTreeMap::new();
        for u in users["Users"].as_array().into_iter().flatten() {
            let name = u["Username"].as_str().unwrap_or_default();
            let attrs: BTreeMap<&str, &str> = u["Attributes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| Some((a["Name"].as_str()?, a["Value"].as_str()?)))
                .collect();
            for attr in ["email", "phone_number"] {
                let Some(value) = attrs.get(attr) else {
                    continue;
                };
                let verified = attrs.get(format!("{attr}_verified").as_str()) == Some(&"true");
                let is_alias = usernames.iter().any(|a| a == attr)
                    || (verified && aliases.iter().any(|a| a == attr));
                if !is_alias {
                    continue;
                }
                if let Some(other) =
                    held.insert((attr.to_string(), value.to_lowercase()), name.to_string())
                {
                    panic!("{op}: {other} and {name} both hold the {attr} alias {value}");
                }
            }
        }
        // Sign-in tries usernames first: a username equal to another user's alias would
        // take that alias's sign-ins.
        for u in users["Users"].as_array().into_iter().flatten() {
            let name = u["Username"].as_str().unwrap_or_default();
            for ((attr, value), holder) in &held {
                if *value == name.to_lowercase() && holder != name {
                    panic!("{op}: username {name} shadows {holder}'s {attr} alias");
                }
            }
        }
    }
}

/// `FUZZ_TRACE=1` prints each exchange (for writing seeds).
fn trace() -> bool {
    static TRACE: OnceLock<bool> = OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("FUZZ_TRACE").is_some())
}

fn total(counts: &BTreeMap<String, usize>) -> usize {
    counts.values().sum()
}

/// Checks the user counts after `op` answered `status`.
fn check_counts(
    op: &str,
    status: u16,
    body: &Value,
    before: &BTreeMap<String, usize>,
    after: &BTreeMap<String, usize>,
) {
    let ok = status == 200;
    if ok && op == "hook:reset" {
        assert!(after.is_empty(), "reset left pools {after:?}");
        return;
    }
    let changed: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    let delta = total(after) as i64 - total(before) as i64;
    match op {
        // `MessageAction: RESEND` is AdminCreateUser's only (SignUp ignores the member).
        "SignUp" | "AdminCreateUser"
            if ok
                && (op == "SignUp"
                    || body.get("MessageAction").and_then(Value::as_str) != Some("RESEND")) =>
        {
            assert!(
                changed.len() == 1 && delta == 1,
                "{op} changed user counts {before:?} -> {after:?}"
            );
        }
        "AdminDeleteUser" | "DeleteUser" if ok => {
            assert!(
                changed.len() == 1 && delta == -1,
                "{op} changed user counts {before:?} -> {after:?}"
            );
        }
        "CreateUserPool" if ok => {
            assert!(
                changed.len() == 1
                    && after.get(changed[0]) == Some(&0)
                    && !before.contains_key(changed[0]),
                "{op} changed user counts {before:?} -> {after:?}"
            );
        }
        "DeleteUserPool" if ok => {
            assert!(
                changed.len() == 1 && !after.contains_key(changed[0]),
                "{op} changed user counts {before:?} -> {after:?}"
            );
        }
        _ => assert!(
            changed.is_empty(),
            "{op} (status {status}) changed user counts {before:?} -> {after:?}"
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    let s = setup();
    let svc = s.service.fork();
    let baseline_messages = svc.messages(None).len();
    let mut t = Track::default();
    let text = String::from_utf8_lossy(data);
    for raw in text.split("\n----\n").take(MAX_BLOCKS) {
        let block = parse_block(raw);
        // The request.
        let mut op = String::new();
        let (method, path, target) = if let Ok(n) = block.first.parse::<usize>() {
            // Numbered among every operation the emulator knows: user pools, then identity.
            let i = n % (USER_POOL_OPERATIONS.len() + IDENTITY_OPERATIONS.len());
            op = match USER_POOL_OPERATIONS.get(i) {
                Some(name) => (*name).to_string(),
                None => format!(
                    "identity:{}",
                    IDENTITY_OPERATIONS[i - USER_POOL_OPERATIONS.len()]
                ),
            };
            ("POST", "/".to_string(), None)
        } else if let Some((m, p)) = block.first.split_once(' ') {
            (m, substitute(s, &svc, &mut t, p), None)
        } else {
            op = block.first.to_string();
            ("POST", "/".to_string(), None::<String>)
        };
        let target = target.or_else(|| {
            if op.is_empty() {
                None
            } else if let Some(id) = op.strip_prefix("identity:") {
                Some(format!("AWSCognitoIdentityService.{id}"))
            } else {
                Some(format!("AWSCognitoIdentityProviderService.{op}"))
            }
        });
        let mut builder = http::Request::builder().method(method).uri(path.as_str());
        let mut has_target = false;
        for (name, value) in &block.headers {
            let value = substitute(s, &svc, &mut t, value);
            if name.eq_ignore_ascii_case("x-amz-target") {
                has_target = true;
                op = value
                    .split_once('.')
                    .map(|(_, o)| o.to_string())
                    .unwrap_or_default();
            }
            builder = builder.header(*name, value);
        }
        if let (false, Some(target)) = (has_target, &target) {
            builder = builder.header("x-amz-target", target.as_str());
        }
        builder = builder.header("content-type", "application/x-amz-json-1.1");
        let body = substitute(s, &svc, &mut t, block.body);
        let Ok(request) = builder.body(body.clone().into_bytes()) else {
            continue; // not a valid HTTP request (bad method, URI or header): no server sees it
        };
        // Codes delivered earlier that this request repeats grant their user.
        for m in svc.messages(None).iter().skip(baseline_messages) {
            if !m.code.is_empty() && body.contains(&m.code) {
                t.granted.insert(m.username.clone());
            }
        }
        let is_op = method == "POST" && request.uri().path() == "/";
        let hook = request
            .uri()
            .path()
            .strip_prefix("/_emulator/")
            .map(str::to_string);
        if method == "OPTIONS" {
            // A CORS preflight, on any path: answered without acting, so it changes nothing.
            op = "preflight".to_string();
        } else if !is_op {
            op = hook
                .as_ref()
                .map(|h| format!("hook:{h}"))
                .unwrap_or_default();
        }
        let request_json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);

        let admin_target = if matches!(op.as_str(), "AdminDeleteUser" | "AdminUserGlobalSignOut") {
            svc.call(
                "AdminGetUser",
                json!({"UserPoolId": request_json["UserPoolId"], "Username": request_json["Username"]}),
            )
            .ok()
            .and_then(|u| u["Username"].as_str().map(str::to_string))
            .zip(request_json["UserPoolId"].as_str().map(str::to_string))
        } else {
            None
        };

        let before = svc.user_counts();
        let outcome = svc.handle(&request);
        let after = svc.user_counts();

        let response = match outcome {
            Outcome::Reset => {
                assert!(t.fault_reset, "connection reset without an injected fault");
                check_counts(&op, 0, &request_json, &before, &after);
                continue;
            }
            Outcome::Response(r) => r,
        };
        let status = response.status().as_u16();
        if trace() {
            let body = String::from_utf8_lossy(response.body());
            eprintln!(
                "{op} -> {status} {}",
                body.chars().take(160).collect::<String>()
            );
        }
        check_counts(&op, status, &request_json, &before, &after);
        if status == 200 {
            check_aliases(&svc, &op);
        }

        // The OAuth endpoints and hosted pages of a pool's domain (reached under `/_hosted/`
        // or by the Host header) answer HTML pages, redirects and RFC 6749 errors: their own
        // statuses, and a 500 only after an injected fault.
        let hosted = request.uri().path().starts_with("/_hosted/")
            || block
                .headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("host"));
        if hosted {
            assert!(
                matches!(status, 200 | 302 | 400 | 401 | 403 | 404 | 405 | 429 | 500),
                "{op}: unexpected status {status} from the hosted endpoints"
            );
            assert!(
                status != 500 || t.fault_500,
                "{op}: a 500 from the hosted endpoints without an injected fault"
            );
            continue;
        }

        // Status and body shape.
        assert!(
            matches!(status, 200 | 400 | 404 | 500),
            "{op}: unexpected status {status}"
        );
        if method == "OPTIONS" {
            continue;
        }
        let parsed: Option<Value> = serde_json::from_slice(response.body()).ok();
        let Some(json) = parsed else {
            assert!(
                t.fault_truncate && is_op,
                "{op}: status {status} with a body that is not JSON: {:?}",
                String::from_utf8_lossy(response.body())
            );
            continue;
        };
        if status == 500 {
            assert!(
                t.fault_500
                    && json["__type"] == "InternalErrorException"
                    && json["message"] == "Injected internal error",
                "{op}: a 500 without an injected fault: {json}"
            );
        }
        if status != 200 {
            assert!(
                json["message"].is_string(),
                "{op}: error without message: {json}"
            );
            if is_op {
                let kind = json["__type"].as_str();
                assert!(
                    kind.is_some_and(|k| !k.is_empty()),
                    "{op}: error without __type: {json}"
                );
                let header = response
                    .headers()
                    .get("x-amzn-ErrorType")
                    .and_then(|v| v.to_str().ok());
                assert_eq!(
                    header.map(|h| h.trim_end_matches(':')),
                    kind,
                    "{op}: x-amzn-ErrorType"
                );
                assert!(
                    response.headers().contains_key("x-amzn-RequestId"),
                    "{op}: no request id"
                );
            }
            continue;
        }
        assert!(
            json.is_object() || (op == "hook:messages" && json.is_array()),
            "{op}: 200 with a body that is not an object: {json}"
        );

        // Revoked token families stay dead: no 200 for their access tokens or refresh tokens.
        if is_op {
            if let Some((_, _, family)) = request_json["AccessToken"]
                .as_str()
                .and_then(access_identity)
            {
                assert!(
                    !t.dead.contains(&family),
                    "{op}: a revoked access token was accepted"
                );
            }
            if let Some(family) = presented_refresh(&op, &request_json)
                .and_then(|r| t.family_of_refresh.get(&r).cloned())
            {
                assert!(
                    !t.dead.contains(&family),
                    "{op}: a revoked refresh token was accepted"
                );
            }
        }
        match op.as_str() {
            "RevokeToken" => {
                if let Some(f) = request_json["Token"]
                    .as_str()
                    .and_then(|r| t.family_of_refresh.get(r).cloned())
                {
                    t.dead.insert(f);
                }
            }
            "GlobalSignOut" | "DeleteUser" => {
                if let Some((iss, user, _)) = request_json["AccessToken"]
                    .as_str()
                    .and_then(access_identity)
                {
                    t.kill_user(&iss, &user);
                }
            }
            "AdminUserGlobalSignOut" | "AdminDeleteUser" => {
                if let Some((user, pool)) = &admin_target {
                    let iss = format!("https://cognito-idp.us-east-1.amazonaws.com/{pool}");
                    t.kill_user(&iss, user);
                }
            }
            _ => {}
        }

        // Sessions are single-use: a consumed one never gets another 200.
        if op.ends_with("RespondToAuthChallenge")
            && let Some(sess) = request_json["Session"].as_str()
        {
            assert!(
                t.consumed.insert(sess.to_string()),
                "{op}: a consumed session was accepted again"
            );
        }

        // No device sign-in without the device's password.
        if op.ends_with("RespondToAuthChallenge")
            && request_json["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
        {
            let answers = &request_json["ChallengeResponses"];
            let key = answers["DEVICE_KEY"].as_str().unwrap_or_default();
            let verifier = t.confirmed_devices.get(key);
            assert!(
                verifier.is_some_and(|v| t.known_verifiers.contains(v)),
                "{op}: device {key} signed in, confirmed with a verifier whose password nobody knows ({verifier:?})"
            );
            let sig = answers["PASSWORD_CLAIM_SIGNATURE"].as_str().unwrap_or_default();
            assert!(
                t.device_claims.contains(sig),
                "{op}: device {key} signed in with a claim the harness did not compute"
            );
        }
        if op == "ConfirmDevice"
            && let (Some(key), Some(v)) = (
                request_json["DeviceKey"].as_str(),
                request_json["DeviceSecretVerifierConfig"]["PasswordVerifier"].as_str(),
            )
        {
            t.confirmed_devices.insert(key.to_string(), v.to_string());
        }

        // No TOTP code accepted twice (per secret and time step).
        let totp_answer = match op.as_str() {
            "VerifySoftwareToken" => request_json["UserCode"].as_str(),
            o if o.ends_with("RespondToAuthChallenge")
                && request_json["ChallengeName"] == "SOFTWARE_TOKEN_MFA" =>
            {
                request_json["ChallengeResponses"]["SOFTWARE_TOKEN_MFA_CODE"].as_str()
            }
            _ => None,
        };
        if let Some(code) = totp_answer {
            let matches = totp_matches(&t, code, svc.now());
            assert!(
                matches.is_empty() || matches.iter().any(|m| !t.totp_used.contains(m)),
                "{op}: TOTP code {code} accepted again"
            );
            t.totp_used.extend(matches);
        }

        // Track what the fuzzer may use next.
        if op == "hook:faults" {
            match request_json.get("kind").and_then(Value::as_str) {
                Some("http500") => t.fault_500 = true,
                Some("truncate") => t.fault_truncate = true,
                Some("reset") => t.fault_reset = true,
                _ => {}
            }
        }
        if op == "AdminSetUserPassword" {
            let who = svc.call(
                "AdminGetUser",
                json!({"UserPoolId": request_json["UserPoolId"], "Username": request_json["Username"]}),
            );
            if let Ok(u) = who
                && let Some(name) = u["Username"].as_str()
            {
                t.granted.insert(name.to_string());
            }
        }
        if let Some(k) = json["SecretCode"].as_str() {
            t.totp_secret = Some(k.to_string());
            t.totp_secrets.insert(k.to_string());
        }
        if let Some(sess) = json["Session"].as_str() {
            t.session = Some(sess.to_string());
        }
        if json["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER" {
            let p = &json["ChallengeParameters"];
            let get = |k: &str| p[k].as_str().unwrap_or_default().to_string();
            t.device_verifier = Some([get("SALT"), get("SRP_B"), get("SECRET_BLOCK")]);
        }
        if json["ChallengeName"] == "PASSWORD_VERIFIER" {
            let p = &json["ChallengeParameters"];
            let get = |k: &str| p[k].as_str().unwrap_or_default().to_string();
            t.verifier = Some([
                get("SALT"),
                get("SRP_B"),
                get("SECRET_BLOCK"),
                get("USER_ID_FOR_SRP"),
            ]);
        }
        let result = &json["AuthenticationResult"];
        if let Some(access) = result["AccessToken"].as_str() {
            let ac = claims(access).expect("access token payload");
            let sub = ac["sub"].as_str().expect("access token sub").to_string();
            let username = ac["username"].as_str().unwrap_or_default().to_string();
            if let Some(id) = result["IdToken"].as_str() {
                let idc = claims(id).expect("id token payload");
                assert_eq!(idc["sub"], ac["sub"], "{op}: id and access tokens disagree");
                check_reserved_claims(&op, &idc, &ac);
                t.id_token = Some(id.to_string());
            }
            if let Some(victim) = s.protected.get(&sub) {
                assert!(
                    t.granted.contains(victim) || t.granted.contains(&username),
                    "{op}: tokens for {victim} ({sub}) without any of their secrets; granted {:?}",
                    t.granted
                );
            }
            t.access = Some(access.to_string());
            if let Some((iss, user, family)) = access_identity(access) {
                t.families_of_user
                    .entry((iss, user))
                    .or_default()
                    .insert(family.clone());
                if let Some(r) = result["RefreshToken"].as_str() {
                    t.family_of_refresh.insert(r.to_string(), family);
                }
            }
            if let Some(r) = result["RefreshToken"].as_str() {
                t.refresh = Some(r.to_string());
            }
            if let Some(d) = result["NewDeviceMetadata"]["DeviceKey"].as_str() {
                t.device = Some(d.to_string());
            }
            if let Some(g) = result["NewDeviceMetadata"]["DeviceGroupKey"].as_str() {
                t.device_group = Some(g.to_string());
            }
        }
    }
});
