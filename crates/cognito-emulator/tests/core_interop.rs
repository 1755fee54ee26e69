//! The core's typed operations (`cognito_proto::ops` + `envelope`) against the emulator:
//! every response shape decodes into the core's types, errors into typed service errors.

use crate::common;

use std::collections::BTreeMap;

use cognito_emulator::{EmulatorHandle, PoolConfig};
use cognito_proto::envelope::{Endpoint, Operation, decode, encode};
use cognito_proto::error::{CoreError as Error, ServiceErrorKind};
use cognito_proto::ops::{self, AuthFlow, ChallengeName};
use cognito_proto::secret::SecretString;
use cognito_proto::srp;
use common::*;

fn send<O: Operation>(emu: &EmulatorHandle, op: &O) -> Result<O::Output, Error> {
    let endpoint = Endpoint::from_url(&emu.url()).expect("endpoint");
    let prepared = encode(&endpoint, op);
    let req = prepared.request;
    let target = req.headers()["x-amz-target"].to_str().unwrap().to_string();
    let r = raw(
        emu,
        "POST",
        req.uri().path(),
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", &target),
        ],
        req.body(),
    )
    .expect("http");
    let mut b = http::Response::builder().status(r.status);
    for (k, v) in &r.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    decode::<O>(&b.body(r.body).unwrap())
}

fn initiate(client_id: &str, flow: AuthFlow, params: &[(&str, String)]) -> ops::InitiateAuth {
    ops::InitiateAuth {
        auth_flow: flow,
        client_id: client_id.to_string(),
        auth_parameters: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        client_metadata: BTreeMap::new(),
        analytics_metadata: None,
        user_context_data: None,
        session: None,
    }
}

#[test]
fn srp_sign_in_devices_refresh_and_identity_through_core_types() {
    let s = setup_with(
        PoolConfig {
            device_tracking: Some((true, false)),
            ..PoolConfig::default()
        },
        Default::default(),
    );
    s.user("core", &[("email", "core@example.com")]);
    let eph = srp::Ephemeral::generate(&mut rand::rng());
    let r = send(
        &s.emu,
        &initiate(
            &s.client_id,
            AuthFlow::UserSrpAuth,
            &[("USERNAME", "core".into()), ("SRP_A", eph.public_hex())],
        ),
    )
    .unwrap();
    assert_eq!(r.challenge_name, Some(ChallengeName::PasswordVerifier));
    let p = &r.challenge_parameters;
    let server = srp::ServerChallenge::parse(&p["SALT"], &p["SRP_B"], &p["SECRET_BLOCK"]).unwrap();
    let claim = srp::password_claim(
        &eph,
        &s.pool_id,
        &p["USER_ID_FOR_SRP"],
        PASSWORD,
        &server,
        s.emu.now(),
    )
    .unwrap();
    let resp = ops::RespondToAuthChallenge {
        client_id: s.client_id.clone(),
        challenge_name: ChallengeName::PasswordVerifier,
        session: r.session.clone(),
        challenge_responses: [
            ("USERNAME".to_string(), p["USER_ID_FOR_SRP"].clone()),
            (
                "PASSWORD_CLAIM_SECRET_BLOCK".to_string(),
                claim.secret_block.clone(),
            ),
            (
                "PASSWORD_CLAIM_SIGNATURE".to_string(),
                claim.signature.clone(),
            ),
            ("TIMESTAMP".to_string(), claim.timestamp.clone()),
        ]
        .into(),
        analytics_metadata: None,
        user_context_data: None,
        client_metadata: BTreeMap::new(),
    };
    let done = send(&s.emu, &resp).unwrap();
    let auth = done.authentication_result.expect("tokens");
    let meta = auth.new_device_metadata.clone().expect("new device");
    let access = auth.access_token.clone();

    // Replaying the same step is a typed NotAuthorized error.
    match send(&s.emu, &resp) {
        Err(Error::Service(e)) => {
            assert_eq!(e.kind, ServiceErrorKind::NotAuthorized);
            assert!(e.request_id.is_some());
        }
        other => panic!("expected NotAuthorized, got {other:?}"),
    }

    let reg = srp::register_device(&mut rand::rng(), &meta.device_group_key, &meta.device_key);
    let c = send(
        &s.emu,
        &ops::ConfirmDevice {
            access_token: access.clone(),
            device_key: meta.device_key.clone(),
            device_secret_verifier_config: Some(ops::DeviceSecretVerifierConfig {
                password_verifier: Some(reg.verifier_b64.clone()),
                salt: Some(reg.salt_b64.clone()),
            }),
            device_name: Some("core".into()),
        },
    )
    .unwrap();
    assert_eq!(c.user_confirmation_necessary, Some(false));
    let list = send(
        &s.emu,
        &ops::ListDevices {
            access_token: access.clone(),
            limit: Some(10),
            pagination_token: None,
        },
    )
    .unwrap();
    assert_eq!(list.devices.len(), 1);
    assert_eq!(list.devices[0].device_key, meta.device_key);

    let me = send(
        &s.emu,
        &ops::GetUser {
            access_token: access.clone(),
        },
    )
    .unwrap();
    assert_eq!(me.username, "core");
    assert_eq!(me.attribute("email"), Some("core@example.com"));

    let refreshed = send(
        &s.emu,
        &ops::GetTokensFromRefreshToken {
            refresh_token: auth.refresh_token.clone().unwrap(),
            client_id: s.client_id.clone(),
            client_secret: None,
            device_key: Some(meta.device_key.clone()),
            client_metadata: BTreeMap::new(),
        },
    )
    .unwrap();
    assert!(refreshed.authentication_result.is_some());

    let provider = format!("cognito-idp.us-east-1.amazonaws.com/{}", s.pool_id);
    let logins: BTreeMap<String, SecretString> = [(provider, auth.id_token.clone())].into();
    let id = send(
        &s.emu,
        &ops::GetId {
            identity_pool_id: s
                .emu
                .create_identity_pool(&s.pool_id, &s.client_id, false)
                .unwrap(),
            account_id: None,
            logins: logins.clone(),
        },
    )
    .unwrap();
    let creds = send(
        &s.emu,
        &ops::GetCredentialsForIdentity {
            identity_id: id.identity_id.clone(),
            logins,
            custom_role_arn: None,
        },
    )
    .unwrap();
    assert_eq!(creds.identity_id, id.identity_id);
    assert!(creds.credentials.access_key_id.starts_with("ASIA"));

    send(
        &s.emu,
        &ops::GlobalSignOut {
            access_token: access.clone(),
        },
    )
    .unwrap();
    match send(
        &s.emu,
        &ops::GetUser {
            access_token: access,
        },
    ) {
        Err(Error::Service(e)) => {
            assert_eq!(e.kind, ServiceErrorKind::NotAuthorized);
            assert_eq!(e.message.as_deref(), Some("Access Token has been revoked"));
        }
        other => panic!("expected revoked, got {other:?}"),
    }
}
