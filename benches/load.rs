//! Helpers of the load measurements (`e2e-signins`, `loadgen`, the `e2e` bench): a lean
//! HTTP/1.1 client connection for driving a server over loopback, the AWS JSON 1.1 call
//! shape, and readers of `/proc` for CPU time and open file descriptors.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// One keep-alive HTTP/1.1 connection to a server (hyper's connection-level client: no pool,
/// no retries, next to nothing per request, so a load generator measures the server). It
/// reconnects when the server closed the connection.
pub struct HttpConn {
    addr: SocketAddr,
    host: String,
    sender: Option<SendRequest<Full<Bytes>>>,
    /// How many connections were opened (1 + reconnects).
    pub connects: u64,
}

/// The answer to one request: the status and the whole body.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: Bytes,
}

impl HttpConn {
    /// A connection to `addr` (opened on first use). `host` is sent as the `Host` header.
    pub fn new(addr: SocketAddr) -> Self {
        HttpConn {
            addr,
            host: addr.to_string(),
            sender: None,
            connects: 0,
        }
    }

    async fn ready(&mut self) -> Result<&mut SendRequest<Full<Bytes>>, String> {
        let usable = match self.sender.as_mut() {
            Some(s) => s.ready().await.is_ok(),
            None => false,
        };
        if !usable {
            let stream = tokio::net::TcpStream::connect(self.addr)
                .await
                .map_err(|e| format!("connect {}: {e}", self.addr))?;
            stream.set_nodelay(true).map_err(|e| e.to_string())?;
            let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| format!("handshake: {e}"))?;
            tokio::spawn(conn);
            self.connects += 1;
            self.sender = Some(sender);
        }
        self.sender
            .as_mut()
            .ok_or_else(|| "no connection".to_owned())
    }

    /// Sends one request; on a transport error the connection is dropped (the next request
    /// reconnects) and the error returned.
    pub async fn send(
        &mut self,
        method: http::Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<Reply, String> {
        let mut builder = http::Request::builder()
            .method(method)
            .uri(path)
            .header("host", self.host.as_str());
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let request = builder
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let result = async {
            let sender = self.ready().await?;
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| format!("request: {e}"))?;
            let status = response.status().as_u16();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| format!("body: {e}"))?
                .to_bytes();
            Ok(Reply { status, body })
        }
        .await;
        if result.is_err() {
            self.sender = None;
        }
        result
    }

    /// One Cognito user-pools operation (`POST /`, `X-Amz-Target:
    /// AWSCognitoIdentityProviderService.<op>`, AWS JSON 1.1).
    pub async fn call(&mut self, op: &str, body: &Value) -> Result<Reply, String> {
        let target = format!("AWSCognitoIdentityProviderService.{op}");
        self.send(
            http::Method::POST,
            "/",
            &[
                ("x-amz-target", target.as_str()),
                ("content-type", "application/x-amz-json-1.1"),
            ],
            body.to_string().into_bytes(),
        )
        .await
    }

    /// Like [`HttpConn::call`], but a non-200 answer is an error, and the body is parsed.
    pub async fn call_ok(&mut self, op: &str, body: &Value) -> Result<Value, String> {
        let reply = self.call(op, body).await?;
        if reply.status != 200 {
            return Err(format!(
                "{op}: HTTP {}: {}",
                reply.status,
                String::from_utf8_lossy(&reply.body)
            ));
        }
        if reply.body.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&reply.body).map_err(|e| format!("{op}: bad JSON: {e}"))
    }
}

/// The host and port of an `http://host:port` URL, resolved.
pub fn socket_addr(url: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs as _;
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("expected an http:// URL, got {url}"))?;
    let hostport = rest.split('/').next().unwrap_or(rest);
    hostport
        .to_socket_addrs()
        .map_err(|e| format!("{hostport}: {e}"))?
        .next()
        .ok_or_else(|| format!("{hostport}: no address"))
}

fn proc_dir(pid: Option<u32>) -> String {
    match pid {
        Some(p) => format!("/proc/{p}"),
        None => "/proc/self".to_owned(),
    }
}

/// User + system CPU time of a process (all its threads) so far, from `/proc/<pid>/stat`
/// (`None` = this process). Assumes the usual 100 clock ticks per second.
pub fn cpu_time(pid: Option<u32>) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("{}/stat", proc_dir(pid))).ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12th and 13th after ')'.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// How many file descriptors a process has open (`None` = this process).
pub fn open_fds(pid: Option<u32>) -> Option<usize> {
    std::fs::read_dir(format!("{}/fd", proc_dir(pid)))
        .ok()
        .map(Iterator::count)
}

/// The soft and hard limits on open files of this process, from `/proc/self/limits`.
pub fn nofile_limits() -> Option<(String, String)> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let mut parts = line["Max open files".len()..].split_whitespace();
    Some((parts.next()?.to_owned(), parts.next()?.to_owned()))
}

/// The kernel's count of connections dropped because a listening socket's accept queue was
/// full (`TcpExt: ListenOverflows` in `/proc/net/netstat`; system-wide).
pub fn listen_overflows() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/net/netstat").ok()?;
    let mut lines = text.lines().filter(|l| l.starts_with("TcpExt:"));
    let (names, values) = (lines.next()?, lines.next()?);
    let i = names
        .split_whitespace()
        .position(|n| n == "ListenOverflows")?;
    values.split_whitespace().nth(i)?.parse().ok()
}

/// The `q`-quantile (0..=1) of sorted values, nearest rank; 0 when empty.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * (sorted.len() - 1) as f64).round() as usize;
    sorted
        .get(rank.min(sorted.len() - 1))
        .copied()
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_picks_nearest_rank() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 1.0), 5.0);
        assert_eq!(quantile(&[], 0.5), 0.0);
    }

    #[test]
    fn proc_readers_see_this_process() {
        // Burn a little CPU so the counter is past zero on any clock.
        let mut x = 0u64;
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_millis(30) {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(x);
        assert!(cpu_time(None).is_some());
        let fds = open_fds(None).expect("/proc/self/fd");
        assert!(fds >= 3, "stdin, stdout and stderr at least, got {fds}");
        let (soft, hard) = nofile_limits().expect("/proc/self/limits");
        assert!(
            listen_overflows().is_some(),
            "/proc/net/netstat has ListenOverflows"
        );
        assert!(!soft.is_empty() && !hard.is_empty());
    }

    #[test]
    fn socket_addr_parses_loopback_urls() {
        let a = socket_addr("http://127.0.0.1:9229").expect("addr");
        assert_eq!(a.port(), 9229);
        assert!(socket_addr("https://127.0.0.1:1").is_err());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn http_conn_calls_the_emulator_and_reconnects() {
        let emu = cognito_emulator::Emulator::start().await.expect("emulator");
        let mut conn = HttpConn::new(socket_addr(&emu.url()).expect("addr"));
        let pool = conn
            .call_ok("CreateUserPool", &serde_json::json!({"PoolName": "p"}))
            .await
            .expect("CreateUserPool");
        assert!(
            pool["UserPool"]["Id"]
                .as_str()
                .is_some_and(|id| id.contains('_'))
        );
        let unknown = conn
            .call("NoSuchOperation", &serde_json::json!({}))
            .await
            .expect("reply");
        assert_eq!(unknown.status, 400);
        assert_eq!(
            conn.connects, 1,
            "keep-alive: one connection for both calls"
        );
        drop(emu);
        let after = conn
            .call("ListUserPools", &serde_json::json!({"MaxResults": 1}))
            .await;
        assert!(after.is_err(), "the server is gone: {after:?}");
    }
}
