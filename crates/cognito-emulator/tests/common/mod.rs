//! Raw-HTTP helpers shared by the integration tests (std `TcpStream`, no HTTP client crate).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use cognito_emulator::{ClientConfig, Emulator, EmulatorHandle, PoolConfig};
use cognito_proto::srp;
use serde_json::{Value, json};

/// A parsed HTTP response.
pub struct HttpResp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// Sends one HTTP/1.1 request with `Connection: close` and reads the whole response. The
/// `Host` header is the emulator's address unless `headers` name one.
pub fn raw(
    emu: &EmulatorHandle,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<HttpResp> {
    raw_at(emu.addr(), method, path, headers, body)
}

/// [`raw`] to an emulator at `addr` (e.g. the binary started by a test).
pub fn raw_at(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<HttpResp> {
    let mut s = TcpStream::connect(addr)?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())?;
    s.write_all(body)?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no header end"))?;
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Ok(HttpResp {
        status,
        headers,
        body: buf[split + 4..].to_vec(),
    })
}

/// POSTs a body to `/` with a full `X-Amz-Target`.
pub fn post(emu: &EmulatorHandle, target: &str, body: &[u8]) -> HttpResp {
    raw(
        emu,
        "POST",
        "/",
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", target),
        ],
        body,
    )
    .expect("http request")
}

/// Calls a user-pool operation; `Err((type, message))` for service errors.
pub fn op(emu: &EmulatorHandle, name: &str, body: Value) -> Result<Value, (String, String)> {
    op_on(emu, "AWSCognitoIdentityProviderService", name, body)
}

/// Calls an operation of the given service prefix.
pub fn op_on(
    emu: &EmulatorHandle,
    service: &str,
    name: &str,
    body: Value,
) -> Result<Value, (String, String)> {
    let r = post(
        emu,
        &format!("{service}.{name}"),
        body.to_string().as_bytes(),
    );
    let v = r.json();
    if r.status == 200 {
        conforms(&format!("{service}.{name}"), &v);
        Ok(v)
    } else {
        let kind = v["__type"].as_str().unwrap_or("?").to_string();
        assert!(
            crate::contract::declared_error(service, name, &kind),
            "{name} answered {kind}, an error its model does not declare for it: {v}"
        );
        Err((kind, v["message"].as_str().unwrap_or("").to_string()))
    }
}

/// Panics when a response body deviates from the operation's output shape in the vendored
/// model (other than the deviations `known_output_deviations.txt` lists).
pub fn conforms(target: &str, body: &Value) {
    if let Err(devs) = cognito_emulator::model::check_response(target, body) {
        let unknown: Vec<String> = devs
            .into_iter()
            .filter(|d| !crate::contract::known_deviation(d))
            .collect();
        assert!(
            unknown.is_empty(),
            "the response of {target} does not conform to the model:\n  {}\nbody: {body}",
            unknown.join("\n  ")
        );
    }
}

/// A successful call.
pub fn ok(emu: &EmulatorHandle, name: &str, body: Value) -> Value {
    match op(emu, name, body) {
        Ok(v) => v,
        Err((t, m)) => panic!("{name} failed: {t}: {m}"),
    }
}

/// A failing call: its error type and message.
pub fn err(emu: &EmulatorHandle, name: &str, body: Value) -> (String, String) {
    match op(emu, name, body) {
        Ok(v) => panic!("{name} unexpectedly succeeded: {v}"),
        Err(e) => e,
    }
}

/// An emulator with one pool, one client and (optionally) a confirmed user.
pub struct Setup {
    pub emu: EmulatorHandle,
    pub pool_id: String,
    pub client_id: String,
    pub secret: Option<String>,
}

pub const PASSWORD: &str = "Passw0rd!";

pub fn setup_with(pool: PoolConfig, client: ClientConfig) -> Setup {
    let emu = Emulator::start_blocking().expect("start emulator");
    let p = emu.create_pool(pool).expect("pool");
    let c = emu.create_client(&p.pool_id, client).expect("client");
    Setup {
        emu,
        pool_id: p.pool_id,
        client_id: c.client_id,
        secret: c.client_secret,
    }
}

/// Pool members that send the pool's e-mail through Amazon SES rather than Cognito's default
/// sender, which e-mail MFA needs.
pub fn ses_email() -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert(
        "EmailConfiguration".into(),
        json!({"EmailSendingAccount": "DEVELOPER",
               "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com"}),
    );
    m
}

pub fn setup() -> Setup {
    setup_with(PoolConfig::default(), ClientConfig::default())
}

impl Setup {
    pub fn user(&self, username: &str, attrs: &[(&str, &str)]) {
        self.emu
            .create_user(&self.pool_id, username, PASSWORD, attrs)
            .expect("user");
    }

    pub fn hash(&self, username: &str) -> Option<String> {
        self.secret
            .as_ref()
            .map(|s| srp::secret_hash(username, &self.client_id, s))
    }

    /// USER_PASSWORD_AUTH; returns the raw response.
    pub fn password_auth(&self, username: &str, password: &str) -> Result<Value, (String, String)> {
        let mut params = json!({"USERNAME": username, "PASSWORD": password});
        if let Some(h) = self.hash(username) {
            params["SECRET_HASH"] = json!(h);
        }
        op(
            &self.emu,
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": self.client_id,
                   "AuthParameters": params}),
        )
    }

    /// Signs in with USER_PASSWORD_AUTH and returns the AuthenticationResult.
    pub fn tokens(&self, username: &str) -> Value {
        let r = self.password_auth(username, PASSWORD).expect("sign-in");
        r["AuthenticationResult"].clone()
    }

    /// USER_SRP_AUTH first step: (ephemeral, challenge response).
    pub fn srp_start(&self, username: &str, extra: Value) -> (srp::Ephemeral, Value) {
        let eph = srp::Ephemeral::generate(&mut rand::rng());
        let mut params = json!({"USERNAME": username, "SRP_A": eph.public_hex()});
        if let Some(h) = self.hash(username) {
            params["SECRET_HASH"] = json!(h);
        }
        if let (Some(p), Value::Object(e)) = (params.as_object_mut(), extra) {
            p.extend(e);
        }
        let r = ok(
            &self.emu,
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": self.client_id,
                   "AuthParameters": params}),
        );
        (eph, r)
    }

    /// Builds PASSWORD_VERIFIER responses for a challenge with a given TIMESTAMP string.
    pub fn srp_claim(
        &self,
        eph: &srp::Ephemeral,
        ch: &Value,
        password: &str,
        timestamp: &str,
    ) -> Value {
        let p = &ch["ChallengeParameters"];
        let server = srp::ServerChallenge::parse(
            p["SALT"].as_str().unwrap(),
            p["SRP_B"].as_str().unwrap(),
            p["SECRET_BLOCK"].as_str().unwrap(),
        )
        .expect("server challenge");
        let uid = p["USER_ID_FOR_SRP"].as_str().unwrap();
        let claim = srp::password_claim_at(eph, &self.pool_id, uid, password, &server, timestamp)
            .expect("claim");
        let mut resp = json!({
            "USERNAME": uid,
            "PASSWORD_CLAIM_SECRET_BLOCK": claim.secret_block,
            "PASSWORD_CLAIM_SIGNATURE": claim.signature,
            "TIMESTAMP": claim.timestamp,
        });
        if let Some(h) = self.hash(uid) {
            resp["SECRET_HASH"] = json!(h);
        }
        resp
    }

    pub fn respond(
        &self,
        name: &str,
        session: &Value,
        responses: Value,
    ) -> Result<Value, (String, String)> {
        let mut body = json!({"ClientId": self.client_id, "ChallengeName": name,
                              "ChallengeResponses": responses});
        if !session.is_null() {
            body["Session"] = session.clone();
        }
        op(&self.emu, "RespondToAuthChallenge", body)
    }

    /// Full SRP sign-in at the emulator's clock; returns the response after PASSWORD_VERIFIER.
    pub fn srp_sign_in(
        &self,
        username: &str,
        password: &str,
        extra: Value,
    ) -> Result<Value, (String, String)> {
        let (eph, ch) = self.srp_start(username, extra.clone());
        assert_eq!(ch["ChallengeName"], "PASSWORD_VERIFIER");
        let ts = srp::format_timestamp(self.emu.now());
        let mut resp = self.srp_claim(&eph, &ch, password, &ts);
        if let (Some(r), Value::Object(e)) = (resp.as_object_mut(), extra) {
            r.extend(e);
        }
        self.respond("PASSWORD_VERIFIER", &ch["Session"], resp)
    }
}

/// Decodes a JWT payload without verification.
pub fn claims(token: &str) -> Value {
    use base64::Engine;
    let p = token.split('.').nth(1).expect("jwt payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(p)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("json")
}

/// Whether `token`'s RS256 signature verifies with the key its `kid` names in the pool's
/// published JWKS (`false` when the JWKS has no such key).
pub fn verify_with_jwks(s: &Setup, token: &str) -> bool {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use rsa::sha2::Sha256;
    use rsa::{BoxedUint, PublicKey};

    let path = format!("/{}/.well-known/jwks.json", s.pool_id);
    let jwks = raw(&s.emu, "GET", &path, &[], b"").expect("jwks").json();
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    let Some(key) = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
    else {
        return false;
    };
    let n = URL_SAFE_NO_PAD.decode(key["n"].as_str().unwrap()).unwrap();
    let e = URL_SAFE_NO_PAD.decode(key["e"].as_str().unwrap()).unwrap();
    let pk = PublicKey::new(
        BoxedUint::from_be_slice_vartime(&n),
        BoxedUint::from_be_slice_vartime(&e),
    )
    .unwrap();
    let (input, sig) = token.rsplit_once('.').unwrap();
    let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
    pk.pkcs1v15_verify::<Sha256>(input.as_bytes(), &sig).is_ok()
}
