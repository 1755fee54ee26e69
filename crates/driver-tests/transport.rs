//! Each driver's default transport against a raw TCP peer: user agent, redirects off, error statuses
//! returned as responses.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;

use crate::driver;
use driver::{Error, RetryPolicy, USER_AGENT, UserPool};

/// Serve one HTTP exchange with `response`; send the request head back through the channel.
fn serve_once(response: &'static str) -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut head = String::new();
        let mut content_length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                content_length = v.trim().parse().unwrap();
            }
            head.push_str(&line);
        }
        let mut body = vec![0; content_length];
        reader.read_exact(&mut body).unwrap();
        let mut stream = stream;
        stream.write_all(response.as_bytes()).unwrap();
        stream.flush().unwrap();
        tx.send(head).unwrap();
    });
    (url, rx)
}

fn pool(url: &str) -> UserPool {
    UserPool::builder("us-east-1_Abc", "client")
        .endpoint_url(url)
        .unwrap()
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap()
}

driver_test! {
    async fn sends_user_agent_and_does_not_follow_redirects() {
        let (url, head) = serve_once(
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        let e = aw!(pool(&url).forgot_password("alice")).unwrap_err();
        // The redirect is handed to the core as a response, which reports it.
        assert_eq!(e.status(), Some(307), "{e:?}");
        let head = head.recv().unwrap().to_ascii_lowercase();
        assert!(head.starts_with("post / http/1.1"), "{head}");
        assert!(
            head.contains(&format!("user-agent: {}", USER_AGENT.to_ascii_lowercase())),
            "{head}"
        );
        assert!(USER_AGENT.starts_with(concat!(env!("CARGO_PKG_NAME"), "/")));
        assert!(head.contains("x-amz-target: awscognitoidentityproviderservice.forgotpassword"));
        assert!(head.contains("content-type: application/x-amz-json-1.1"));
    }
}

driver_test! {
    async fn error_status_is_decoded_not_a_transport_error() {
        let body = r#"{"__type":"LimitExceededException","message":"Attempt limit exceeded"}"#;
        let response: &'static str = Box::leak(
            format!(
                "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: req-1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .into_boxed_str(),
        );
        let (url, _head) = serve_once(response);
        let e = aw!(pool(&url).forgot_password("alice")).unwrap_err();
        assert!(matches!(e, Error::Cognito(_)), "{e:?}");
        assert_eq!(
            e.service_kind(),
            Some(&driver::ServiceErrorKind::LimitExceeded)
        );
        assert_eq!(e.request_id(), Some("req-1"));
        assert_eq!(e.status(), Some(400));
        assert!(!e.is_retryable());
    }
}

driver_test! {
    async fn gateway_html_is_a_protocol_error_with_status() {
        let (url, _head) = serve_once(
            "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 13\r\nConnection: close\r\n\r\n<html></html>",
        );
        let e = aw!(pool(&url).forgot_password("alice")).unwrap_err();
        assert_eq!(e.status(), Some(502));
        assert!(e.is_retryable());
    }
}
