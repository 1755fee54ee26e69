//! Each driver's default transport against a hostile server: endless bodies, huge headers,
//! slow bytes, escape sequences, malformed JSON and wrong content types. Every attack ends in
//! a typed error, after a bounded time, with a bounded amount read, and without a panic.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::driver;
use driver::{Error, Limits, RetryPolicy, Timeouts, TransportErrorKind, UserPool};

/// What the server sends after reading a request.
#[derive(Clone, Copy)]
enum Attack {
    /// A 200 with a chunked body that never ends.
    EndlessChunkedBody,
    /// A 200 that announces a 10 GB body and keeps sending it.
    HugeContentLength,
    /// A 200 whose body is `len` bytes of a JSON string.
    BodyOf(usize),
    /// One header line of 1 MiB.
    HugeHeaderLine,
    /// 10,000 small headers.
    ManyHeaders,
    /// Header bytes that never reach the blank line that ends the head.
    EndlessHead,
    /// A valid response, one byte every 200 ms.
    SlowBytes,
    /// Any fixed response.
    Fixed(&'static str),
}

/// The most a hostile server sends in one exchange, so that a failing test cannot fill the
/// machine's memory.
const SERVER_CAP: u64 = 256 << 20;

/// A server that answers every connection with `attack`; counts the bytes it managed to send
/// (the client stops them by closing the connection).
struct Hostile {
    url: String,
    sent: Arc<AtomicU64>,
}

impl Hostile {
    fn start(attack: Attack) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let sent = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&sent);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let counter = Arc::clone(&counter);
                std::thread::spawn(move || {
                    let _ = serve(stream, attack, &counter);
                });
            }
        });
        Hostile { url, sent }
    }

    fn sent(&self) -> u64 {
        self.sent.load(Ordering::SeqCst)
    }
}

fn read_request(stream: &TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            content_length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; content_length.min(1 << 20)];
    reader.read_exact(&mut body)
}

fn serve(mut stream: TcpStream, attack: Attack, sent: &AtomicU64) -> std::io::Result<()> {
    read_request(&stream)?;
    let mut send = |bytes: &[u8]| -> std::io::Result<()> {
        if sent.load(Ordering::SeqCst) > SERVER_CAP {
            return Err(std::io::Error::other("server cap reached"));
        }
        stream.write_all(bytes)?;
        sent.fetch_add(bytes.len() as u64, Ordering::SeqCst);
        Ok(())
    };
    const JSON: &str = "Content-Type: application/x-amz-json-1.1\r\n";
    match attack {
        Attack::EndlessChunkedBody => {
            send(
                format!("HTTP/1.1 200 OK\r\n{JSON}Transfer-Encoding: chunked\r\n\r\n").as_bytes(),
            )?;
            let chunk = format!("10000\r\n{}\r\n", "a".repeat(0x10000));
            loop {
                send(chunk.as_bytes())?;
            }
        }
        Attack::HugeContentLength => {
            send(
                format!("HTTP/1.1 200 OK\r\n{JSON}Content-Length: 10000000000\r\n\r\n").as_bytes(),
            )?;
            let block = vec![b' '; 0x10000];
            loop {
                send(&block)?;
            }
        }
        Attack::BodyOf(len) => {
            let body = format!("{{\"Username\":\"{}\"}}", "a".repeat(len - 15));
            send(
                format!(
                    "HTTP/1.1 200 OK\r\n{JSON}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            )
        }
        Attack::HugeHeaderLine => {
            send(format!("HTTP/1.1 200 OK\r\n{JSON}X-Big: ").as_bytes())?;
            send("b".repeat(1 << 20).as_bytes())?;
            send(b"\r\nContent-Length: 2\r\n\r\n{}")
        }
        Attack::ManyHeaders => {
            send(format!("HTTP/1.1 200 OK\r\n{JSON}").as_bytes())?;
            for i in 0..10_000 {
                send(format!("X-H{i}: v\r\n").as_bytes())?;
            }
            send(b"Content-Length: 2\r\n\r\n{}")
        }
        Attack::EndlessHead => {
            send(format!("HTTP/1.1 200 OK\r\n{JSON}").as_bytes())?;
            let line = format!("X-More: {}\r\n", "c".repeat(1000));
            loop {
                send(line.as_bytes())?;
            }
        }
        Attack::SlowBytes => {
            let response = format!(
                "HTTP/1.1 200 OK\r\n{JSON}Content-Length: 2\r\nConnection: close\r\n\r\n{{}}"
            );
            for byte in response.as_bytes() {
                send(std::slice::from_ref(byte))?;
                std::thread::sleep(Duration::from_millis(200));
            }
            Ok(())
        }
        Attack::Fixed(response) => send(response.as_bytes()),
    }
}

/// A pool on the hostile server with the driver's default transport and `limits`; no retries,
/// so each attack is met once.
fn pool(server: &Hostile, limits: Limits) -> UserPool {
    UserPool::builder("us-east-1_Hostile", "client")
        .endpoint_url(&server.url)
        .unwrap()
        .retry_policy(RetryPolicy::never())
        .transport(crate::transport_with_limits(
            Timeouts {
                connect: Duration::from_secs(5),
                response: Duration::from_secs(5),
            },
            limits,
        ))
        .build()
        .unwrap()
}

driver_fn! {
    /// One call (`GetUser`, an idempotent read) against `attack`: its error, and how long it took.
    async fn attacked(attack: Attack, limits: Limits) -> (Error, Hostile, Duration) {
        let server = Hostile::start(attack);
        let pool = pool(&server, limits);
        let started = Instant::now();
        let result = aw!(pool.call(&driver::ops::GetUser {
            access_token: "token".into(),
        }));
        let took = started.elapsed();
        let e = result.expect_err("the attack ends in an error");
        (e, server, took)
    }
}

fn transport_kind(e: &Error) -> Option<TransportErrorKind> {
    match e {
        Error::Transport(t) => Some(t.kind()),
        _ => None,
    }
}

driver_test! {
    async fn endless_chunked_body_stops_at_the_limit() {
        let (e, server, took) = aw!(attacked(Attack::EndlessChunkedBody, Limits::default()));
        assert_eq!(transport_kind(&e), Some(TransportErrorKind::BodyTooLarge), "{e:?}");
        let Error::Transport(t) = &e else { unreachable!() };
        assert_eq!(t.exceeded_limit(), Some(Limits::DEFAULT_MAX_RESPONSE_BODY));
        assert!(!e.is_retryable());
        assert!(e.to_string().contains("too large"), "{e}");
        // What the server got into the socket before the client hung up: the limit plus the
        // kernel's socket buffers, far from the server's cap.
        assert!(server.sent() < 64 << 20, "the client read {} bytes", server.sent());
        assert!(took < Duration::from_secs(5), "{took:?}");
    }
}

driver_test! {
    async fn endless_body_with_a_huge_content_length_stops_at_the_limit() {
        let (e, server, _) = aw!(attacked(Attack::HugeContentLength, Limits::default()));
        assert_eq!(transport_kind(&e), Some(TransportErrorKind::BodyTooLarge), "{e:?}");
        assert!(server.sent() < 64 << 20, "the client read {} bytes", server.sent());
    }
}

driver_test! {
    async fn body_limit_is_configurable() {
        let small = Limits {
            max_response_body: 64 << 10,
            ..Limits::default()
        };
        let (e, _, _) = aw!(attacked(Attack::BodyOf(100 << 10), small));
        assert_eq!(transport_kind(&e), Some(TransportErrorKind::BodyTooLarge), "{e:?}");
        let Error::Transport(t) = &e else { unreachable!() };
        assert_eq!(t.exceeded_limit(), Some(64 << 10));
        // The same body under the default limit is read, and the core decodes it.
        let server = Hostile::start(Attack::BodyOf(100 << 10));
        let user = aw!(pool(&server, Limits::default()).call(&driver::ops::GetUser {
            access_token: "token".into(),
        }))
        .expect("a 100 KiB answer is under the default limit");
        assert_eq!(user.username.len(), (100 << 10) - 15);
    }
}

driver_test! {
    async fn huge_header_line_is_refused() {
        let (e, _, took) = aw!(attacked(Attack::HugeHeaderLine, Limits::default()));
        assert_eq!(transport_kind(&e), Some(TransportErrorKind::HeadersTooLarge), "{e:?}");
        assert!(!e.is_retryable());
        assert!(took < Duration::from_secs(5), "{took:?}");
    }
}

driver_test! {
    async fn too_many_headers_are_refused() {
        let (e, _, _) = aw!(attacked(Attack::ManyHeaders, Limits::default()));
        assert_eq!(transport_kind(&e), Some(TransportErrorKind::HeadersTooLarge), "{e:?}");
    }
}

driver_test! {
    async fn endless_head_stops_at_the_limit() {
        let (e, server, took) = aw!(attacked(Attack::EndlessHead, Limits::default()));
        assert_eq!(transport_kind(&e), Some(TransportErrorKind::HeadersTooLarge), "{e:?}");
        assert!(server.sent() < 64 << 20, "the client read {} bytes", server.sent());
        assert!(took < Duration::from_secs(5), "{took:?}");
    }
}

driver_test! {
    async fn header_limit_is_configurable() {
        let small = Limits {
            max_response_headers: 4 << 10,
            ..Limits::default()
        };
        // 10 KiB of headers: under the default limit, over 4 KiB.
        let pad = format!("application/x-amz-json-1.1\r\nX-Pad: {}", "p".repeat(10 << 10));
        let head = response("400 Bad Request", &pad, "{}");
        let (e, _, _) = aw!(attacked(Attack::Fixed(head), small));
        assert_eq!(transport_kind(&e), Some(TransportErrorKind::HeadersTooLarge), "{e:?}");
        let (e, _, _) = aw!(attacked(Attack::Fixed(head), Limits::default()));
        assert_eq!(e.status(), Some(400), "{e:?}");
    }
}

driver_test! {
    async fn slow_bytes_end_in_a_timeout() {
        let (e, _, took) = aw!(attacked(Attack::SlowBytes, Limits::default()));
        assert_eq!(transport_kind(&e), Some(TransportErrorKind::Timeout), "{e:?}");
        assert!(took < Duration::from_secs(10), "{took:?}");
    }
}

driver_test! {
    async fn escape_sequences_in_an_error_message_stay_data() {
        let body = r#"{"__type":"NotAuthorizedException","message":"\u001b]0;pwned\u0007\u001b[2J\u009b31mIncorrect"}"#;
        let answer = response("400 Bad Request", "application/x-amz-json-1.1", body);
        let (e, _, _) = aw!(attacked(Attack::Fixed(answer), Limits::default()));
        // The driver hands the message over as data, typed; printing it safely is the
        // application's job (the CLI escapes it).
        assert_eq!(e.service_kind(), Some(&driver::ServiceErrorKind::NotAuthorized));
        assert_eq!(
            e.as_service().unwrap().message.as_deref(),
            Some("\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31mIncorrect")
        );
        // Debug output escapes it.
        assert!(!format!("{e:?}").contains('\u{1b}'));
    }
}

/// A complete response with `status`, `content_type` and `body` (its length computed).
fn response(status: &str, content_type: &str, body: &str) -> &'static str {
    Box::leak(
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_boxed_str(),
    )
}

driver_test! {
    async fn malformed_json_and_wrong_content_types_are_protocol_errors() {
        const JSON: &str = "application/x-amz-json-1.1";
        let cases = [
            response("200 OK", JSON, "{\"Username\": \"ali"),
            response("200 OK", JSON, "[1, 2, 3]"),
            response("200 OK", JSON, "{\"Username\": 7}"),
            response("200 OK", JSON, "\u{0}\u{1}\u{ff}"),
            response("200 OK", "text/html", "<html><body>Welcome</body></html>"),
            response("200 OK", "application/octet-stream", "\u{0}\u{1}\u{2}\u{3}"),
            response("400 Bad Request", "text/plain", "oops!"),
            response("500 Internal Server Error", JSON, "{\"__type\": 42}"),
        ];
        for response in cases {
            let (e, _, _) = aw!(attacked(Attack::Fixed(response), Limits::default()));
            assert!(matches!(e, Error::Cognito(_)), "{response:?} gave {e:?}");
        }
    }
}

driver_test! {
    async fn garbage_instead_of_http_is_a_transport_error() {
        let (e, _, _) = aw!(attacked(
            Attack::Fixed("SSH-2.0-OpenSSH_9.6\r\n\u{1b}[2J not http at all\r\n\r\n"),
            Limits::default()
        ));
        assert!(matches!(e, Error::Transport(_)), "{e:?}");
    }
}
