//! The socket-free entry point (`Service::handle`): the same answers as the HTTP server,
//! reproducible when seeded, forkable, and faults applied the same way.

use cognito_emulator::{
    ClientConfig, Emulator, Fault, FaultKind, Outcome, PoolConfig, Service, SigningKeys,
};
use serde_json::{Value, json};

fn op_request(op: &str, body: &Value) -> http::Request<Vec<u8>> {
    http::Request::builder()
        .method("POST")
        .uri("/")
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{op}"),
        )
        .header("content-type", "application/x-amz-json-1.1")
        .body(body.to_string().into_bytes())
        .expect("request")
}

fn send(svc: &Service, op: &str, body: &Value) -> (u16, Value) {
    let resp = svc
        .handle(&op_request(op, body))
        .response()
        .expect("a response");
    let status = resp.status().as_u16();
    let json = serde_json::from_slice(resp.body()).expect("JSON body");
    (status, json)
}

fn keys() -> SigningKeys {
    SigningKeys::from_seed(3).expect("keys")
}

fn seeded(keys: &SigningKeys) -> Service {
    Emulator::builder()
        .rng_seed(11)
        .fixed_clock(1_767_225_600)
        .signing_keys(keys.clone())
        .build_service()
        .expect("service")
}

/// A short session: pool, client, user, password sign-in, GetUser, a bad request.
fn script(svc: &Service) -> Vec<(u16, Value)> {
    let mut out = Vec::new();
    let (_, pool) = send(svc, "CreateUserPool", &PoolConfig::default().to_request());
    let pool_id = pool["UserPool"]["Id"]
        .as_str()
        .expect("pool id")
        .to_string();
    let mut req = ClientConfig::default().to_request();
    req["UserPoolId"] = json!(pool_id);
    let (_, client) = send(svc, "CreateUserPoolClient", &req);
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .expect("client id")
        .to_string();
    out.push(send(
        svc,
        "AdminCreateUser",
        &json!({"UserPoolId": pool_id, "Username": "alice", "MessageAction": "SUPPRESS"}),
    ));
    out.push(send(
        svc,
        "AdminSetUserPassword",
        &json!({"UserPoolId": pool_id, "Username": "alice", "Password": "Passw0rd!",
                "Permanent": true}),
    ));
    let signed_in = send(
        svc,
        "InitiateAuth",
        &json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}),
    );
    let access = signed_in.1["AuthenticationResult"]["AccessToken"]
        .as_str()
        .expect("tokens")
        .to_string();
    out.push(signed_in);
    out.push(send(svc, "GetUser", &json!({"AccessToken": access})));
    out.push(send(svc, "InitiateAuth", &json!({"AuthFlow": 1})));
    // The server's SRP ephemeral (`SRP_B`) and the secret block come from the seed too.
    out.push(send(
        svc,
        "InitiateAuth",
        &json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": client_id,
                "AuthParameters": {"USERNAME": "alice", "SRP_A": "5"}}),
    ));
    out
}

#[test]
fn seeded_services_on_a_fixed_clock_answer_identically() {
    let keys = keys();
    let a = script(&seeded(&keys));
    let b = script(&seeded(&keys));
    assert_eq!(a, b);
    // Not a constant: another seed gives other subs and tokens.
    let other = Emulator::builder()
        .rng_seed(12)
        .fixed_clock(1_767_225_600)
        .signing_keys(keys)
        .build_service()
        .expect("service");
    assert_ne!(script(&other)[0], a[0]);
    assert_eq!(a[2].0, 200);
    assert_eq!(a[2].1["AuthenticationResult"]["ExpiresIn"], 3600);
    assert_eq!(a[4].0, 400);
    assert_eq!(a[4].1["__type"], "SerializationException");
    assert_eq!(a[5].0, 200);
    assert_eq!(a[5].1["ChallengeName"], "PASSWORD_VERIFIER");
    assert!(a[5].1["ChallengeParameters"]["SRP_B"].is_string());
}

#[test]
fn seeded_services_give_the_same_request_ids() {
    let keys = keys();
    let ids = |svc: &Service| {
        (0..3)
            .map(|_| {
                let resp = svc
                    .handle(&op_request("ListUserPools", &json!({"MaxResults": 5})))
                    .response()
                    .expect("a response");
                assert_eq!(resp.status(), 200);
                resp.headers()["x-amzn-requestid"]
                    .to_str()
                    .expect("ascii")
                    .to_string()
            })
            .collect::<Vec<_>>()
    };
    let a = ids(&seeded(&keys));
    assert_eq!(a, ids(&seeded(&keys)));
    // Unseeded, every id is new.
    let unseeded = Emulator::builder().build_service().expect("service");
    let b = ids(&unseeded);
    assert_ne!(b[0], b[1]);
    assert_ne!(b[0], a[0]);
}

#[test]
fn fork_copies_the_state_and_continues_the_same_sequence() {
    let keys = keys();
    let base = seeded(&keys);
    let pool = base.create_pool(PoolConfig::default()).expect("pool");
    base.create_user(&pool.pool_id, "bob", "Passw0rd!", &[])
        .expect("bob");
    let f1 = base.fork();
    let f2 = base.fork();
    let created = |svc: &Service| {
        send(
            svc,
            "AdminCreateUser",
            &json!({"UserPoolId": pool.pool_id, "Username": "carol",
                    "MessageAction": "SUPPRESS"}),
        )
    };
    let (s1, c1) = created(&f1);
    assert_eq!(s1, 200);
    // The second fork draws the same sub: it continues from the same generator position.
    assert_eq!(created(&f2).1, c1);
    assert_eq!(f1.user_counts().get(&pool.pool_id), Some(&2));
    // The original is untouched.
    assert_eq!(base.user_counts().get(&pool.pool_id), Some(&1));
}

#[test]
fn service_and_http_server_give_the_same_answers() {
    let emu = Emulator::start_blocking().expect("emulator");
    let svc = emu.service();
    let bodies = [
        ("NoSuchOperation", json!({})),
        ("InitiateAuth", json!({"AuthFlow": "USER_SRP_AUTH"})),
        (
            "DescribeUserPool",
            json!({"UserPoolId": "us-east-1_missing00"}),
        ),
    ];
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build(),
    );
    for (op, body) in bodies {
        let (status, json) = send(&svc, op, &body);
        let mut resp = agent
            .post(emu.url())
            .header(
                "x-amz-target",
                format!("AWSCognitoIdentityProviderService.{op}"),
            )
            .header("content-type", "application/x-amz-json-1.1")
            .send(body.to_string())
            .expect("HTTP");
        let http_status = resp.status().as_u16();
        let http_json: Value =
            serde_json::from_slice(&resp.body_mut().read_to_vec().expect("body")).expect("JSON");
        assert_eq!((status, &json), (http_status, &http_json), "{op}");
        assert!(json["__type"].is_string() && json["message"].is_string());
    }
    // Both count the calls in the same table.
    assert_eq!(emu.request_count("InitiateAuth"), 2);
}

#[test]
fn faults_through_the_service() {
    let svc = Emulator::builder()
        .fixed_clock(1_767_225_600)
        .build_service()
        .expect("service");
    let list = json!({"MaxResults": 10});
    svc.inject_fault(Fault::new("ListUserPools", FaultKind::Reset));
    assert!(matches!(
        svc.handle(&op_request("ListUserPools", &list)),
        Outcome::Reset
    ));
    svc.inject_fault(Fault::new("ListUserPools", FaultKind::Truncate));
    let truncated = svc
        .handle(&op_request("ListUserPools", &list))
        .response()
        .expect("response");
    assert_eq!(truncated.body().as_slice(), &br#"{"UserPo"#[..]);
    // On a fixed clock a delay fault is not slept; the call still runs.
    svc.inject_fault(Fault::new("ListUserPools", FaultKind::Delay).delay_ms(3_600_000));
    assert_eq!(
        send(&svc, "ListUserPools", &list),
        (200, json!({"UserPools": []}))
    );
    svc.inject_fault(Fault::new("*", FaultKind::Http500));
    let (status, body) = send(&svc, "ListUserPools", &list);
    assert_eq!(status, 500);
    assert_eq!(body["__type"], "InternalErrorException");
    assert_eq!(svc.request_count("ListUserPools"), 4);
}

#[test]
fn hooks_and_well_known_through_the_service() {
    let keys = keys();
    let svc = seeded(&keys);
    let pool = svc.create_pool(PoolConfig::default()).expect("pool");
    let get = |path: &str| {
        let req = http::Request::builder()
            .method("GET")
            .uri(path)
            .body(Vec::new())
            .expect("request");
        let resp = svc.handle(&req).response().expect("response");
        let json: Value = serde_json::from_slice(resp.body()).expect("JSON");
        (resp.status().as_u16(), json)
    };
    let (status, jwks) = get(&format!("/{}/.well-known/jwks.json", pool.pool_id));
    assert_eq!(status, 200);
    let (id_kid, access_kid) = keys.kids();
    assert_eq!(jwks["keys"][0]["kid"], json!(id_kid));
    assert_eq!(jwks["keys"][1]["kid"], json!(access_kid));
    assert_eq!(get("/_emulator/messages"), (200, json!([])));
    assert_eq!(get("/_emulator/nothing").0, 404);
    let oversized = http::Request::builder()
        .method("POST")
        .uri("/")
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.ListUserPools",
        )
        .body(vec![b' '; (1 << 20) + 1])
        .expect("request");
    let resp = svc.handle(&oversized).response().expect("response");
    assert_eq!(resp.status().as_u16(), 400);
}
