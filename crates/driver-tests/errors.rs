//! Typed errors a user acts on, matched on their variants and fields: Cognito's answer with its
//! code and status (against the emulator, with injected throttling and server faults), an
//! answer of the wrong kind for a sign-in step, and a server that sends a challenge the flow
//! cannot answer or leaves out a challenge parameter (a scripted HTTP server). Shared by both
//! drivers (see the README).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use crate::driver;
use crate::emulator::PASSWORD;
use crate::support::Setup;
use cognito_emulator::{Fault, FaultKind};
use driver::cognito_proto::error::{CoreError, ParameterProblem};
use driver::cognito_proto::ops::ChallengeName;
use driver::{Answer, Error, NextStep, RetryPolicy, ServiceErrorKind, Start, Timeouts, UserPool};

driver_test! {
    async fn wrong_password_is_not_authorized_with_its_code() {
        let s = Setup::new();
        s.user("wanda");
        let e = aw!(s.pool().sign_in("wanda", "Wrong-Password-9")).expect_err("wrong password");
        let Error::Cognito(CoreError::Service(service)) = &e else {
            panic!("expected a service error, got {e:?}");
        };
        assert_eq!(service.kind, ServiceErrorKind::NotAuthorized);
        assert_eq!(service.status, 400);
        assert_eq!(e.service_code(), Some("NotAuthorizedException"));
        assert_eq!(e.status(), Some(400));
        assert!(e.request_id().is_some(), "{e:?}");
        assert!(!e.is_retryable(), "a wrong password is no transient failure");
        // The same with plain USER_PASSWORD_AUTH.
        let e = aw!(s.pool().sign_in_with(Start::password("wanda", "Wrong-Password-9")))
            .expect_err("wrong password");
        assert_eq!(e.service_kind(), Some(&ServiceErrorKind::NotAuthorized));
    }
}

driver_test! {
    async fn throttling_and_server_faults_are_retryable_with_their_codes() {
        let s = Setup::new();
        s.user("theo");
        // No retries, so the first failure is what the caller sees.
        let pool = s.builder().retry_policy(RetryPolicy::never()).build().unwrap();
        let user = crate::emulator::signed_in(aw!(pool.sign_in("theo", PASSWORD)).unwrap());

        s.emu.inject_fault(Fault::new("GetUser", FaultKind::Throttle));
        let e = aw!(user.get_user()).expect_err("throttled");
        assert_eq!(e.service_kind(), Some(&ServiceErrorKind::TooManyRequests));
        assert_eq!(e.service_code(), Some("TooManyRequestsException"));
        assert_eq!(e.status(), Some(400));
        assert!(e.is_retryable(), "throttling is worth a later retry: {e:?}");

        s.emu.inject_fault(Fault::new("GetUser", FaultKind::Http500));
        let e = aw!(user.get_user()).expect_err("server fault");
        assert_eq!(e.service_code(), Some("InternalErrorException"));
        assert_eq!(e.status(), Some(500));
        assert!(e.is_retryable(), "{e:?}");

        // A truncated body is an invalid response carrying its status.
        s.emu.inject_fault(Fault::new("GetUser", FaultKind::Truncate));
        let e = aw!(user.get_user()).expect_err("truncated");
        assert!(
            matches!(
                &e,
                Error::Cognito(CoreError::InvalidResponse { operation: "GetUser", status: 200, .. })
            ),
            "{e:?}"
        );
        assert_eq!(e.service_code(), None);

        // With a retry policy the driver retries throttling itself and succeeds.
        s.emu.inject_fault(Fault::new("GetUser", FaultKind::Throttle));
        let retrying = s.pool();
        let retrying = crate::emulator::signed_in(aw!(retrying.sign_in("theo", PASSWORD)).unwrap());
        aw!(retrying.get_user()).expect("retried after throttling");
    }
}

driver_test! {
    async fn an_answer_of_the_wrong_kind_names_step_and_answer_and_keeps_the_step() {
        let s = Setup::new();
        s.emu
            .call(
                "AdminCreateUser",
                serde_json::json!({"UserPoolId": s.pool_id, "Username": "mona",
                    "TemporaryPassword": "Temp-Password-1", "MessageAction": "SUPPRESS",
                    "UserAttributes": [{"Name": "email", "Value": "mona@example.com"}]}),
            )
            .unwrap();
        let pool = s.pool();
        let mut sign_in = aw!(pool.sign_in("mona", "Temp-Password-1"))
            .unwrap()
            .pending()
            .expect("a step");
        assert!(matches!(sign_in.next_step(), NextStep::NewPasswordRequired { .. }));
        let e = aw!(sign_in.answer(Answer::code("123456"))).expect_err("a code is no password");
        assert!(
            matches!(
                e,
                Error::Cognito(CoreError::AnswerMismatch {
                    step: "NewPasswordRequired",
                    answer: "Code",
                })
            ),
            "{e:?}"
        );
        // The step is still there and takes the right answer.
        assert!(matches!(sign_in.next_step(), NextStep::NewPasswordRequired { .. }));
        let outcome = aw!(sign_in.answer(Answer::NewPassword {
            password: "Final-Password-2".into(),
            attributes: Default::default(),
        }))
        .unwrap();
        assert!(outcome.signed_in().is_some());
    }
}

/// A server that answers every request with `body` (HTTP 200, awsJson), as a Cognito that
/// sends something the flow cannot use would.
fn scripted(body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut request = vec![0; length];
            let _ = reader.read_exact(&mut request);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

fn scripted_pool(body: &'static str) -> UserPool {
    UserPool::builder("us-east-1_Scripted", "client")
        .endpoint_url(&scripted(body))
        .unwrap()
        .retry_policy(RetryPolicy::never())
        .transport(crate::default_transport(Timeouts {
            connect: Duration::from_secs(5),
            response: Duration::from_secs(5),
        }))
        .build()
        .unwrap()
}

driver_test! {
    async fn an_unexpected_challenge_is_named() {
        // A device challenge to a sign-in that sent no device key.
        let pool = scripted_pool(
            r#"{"ChallengeName":"DEVICE_SRP_AUTH","Session":"AYABeexample0session0000","ChallengeParameters":{"USERNAME":"ursula"}}"#,
        );
        let e = aw!(pool.sign_in_with(Start::password("ursula", PASSWORD)))
            .expect_err("cannot answer");
        assert!(
            matches!(
                &e,
                Error::Cognito(CoreError::UnexpectedChallenge {
                    operation: "InitiateAuth",
                    challenge: ChallengeName::DeviceSrpAuth,
                    ..
                })
            ),
            "{e:?}"
        );
        assert_eq!(e.challenge(), Some(&ChallengeName::DeviceSrpAuth));
        assert!(!e.is_retryable());
    }
}

driver_test! {
    async fn a_missing_challenge_parameter_names_challenge_and_parameter() {
        // PASSWORD_VERIFIER without the server's SRP value.
        let pool = scripted_pool(
            r#"{"ChallengeName":"PASSWORD_VERIFIER","ChallengeParameters":{"USER_ID_FOR_SRP":"pat","SALT":"abcd","SECRET_BLOCK":"AAAA"}}"#,
        );
        let e = aw!(pool.sign_in("pat", PASSWORD)).expect_err("cannot answer");
        match &e {
            Error::Cognito(CoreError::ChallengeParameter {
                challenge,
                parameter,
                problem,
                ..
            }) => {
                assert_eq!(*challenge, ChallengeName::PasswordVerifier);
                assert_eq!(parameter, "SRP_B");
                assert_eq!(*problem, ParameterProblem::Missing);
            }
            other => panic!("expected a challenge parameter error, got {other:?}"),
        }
        assert_eq!(e.challenge(), Some(&ChallengeName::PasswordVerifier));
    }
}
