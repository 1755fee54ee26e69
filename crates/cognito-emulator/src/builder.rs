//! Starting an emulator: the builder, the HTTP listener and the handle that stops it.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::Value;

use crate::state::State;
use crate::{
    ConfigError, ServerLimits, Service, Shared, SigningKeys, config, persist, seed, server, state,
    tokens, util,
};

/// Entry point: `Emulator::start().await`, `Emulator::start_blocking()` or
/// `Emulator::builder()`.
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// A builder for host, port, region and seed.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// Starts on 127.0.0.1 with a free port, on the current tokio runtime.
    ///
    /// The server runs as tasks of that runtime: talk to it with an async client, or use a
    /// multi-thread runtime when a blocking client runs on a runtime thread (a blocking call on
    /// a current-thread runtime would starve the server). [`Emulator::start_blocking`] has no
    /// such constraint.
    pub async fn start() -> io::Result<EmulatorHandle> {
        EmulatorBuilder::default().start().await
    }

    /// Starts on 127.0.0.1 with a free port, on a runtime thread of its own.
    pub fn start_blocking() -> io::Result<EmulatorHandle> {
        EmulatorBuilder::default().start_blocking()
    }
}

/// Configures an emulator before it starts.
#[derive(Clone, Debug)]
pub struct EmulatorBuilder {
    host: String,
    port: u16,
    region: String,
    seed: Option<Value>,
    rng_seed: Option<u64>,
    fixed_clock: Option<u64>,
    signing_keys: Option<SigningKeys>,
    limits: ServerLimits,
    trusted_origins: Vec<String>,
    lambda: state::LambdaSettings,
    data_dir: Option<std::path::PathBuf>,
    config: Option<(std::path::PathBuf, config::Config)>,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            host: "127.0.0.1".to_string(),
            port: 0,
            region: "us-east-1".to_string(),
            seed: None,
            rng_seed: None,
            fixed_clock: None,
            signing_keys: None,
            limits: ServerLimits::default(),
            trusted_origins: Vec::new(),
            lambda: state::LambdaSettings::default(),
            data_dir: None,
            config: None,
        }
    }
}

impl EmulatorBuilder {
    /// The address to bind (default `127.0.0.1`).
    pub fn host(mut self, host: &str) -> Self {
        self.host = host.to_string();
        self
    }

    /// The port (default 0: a free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The region used in new pool ids (default `us-east-1`).
    pub fn region(mut self, region: &str) -> Self {
        self.region = region.to_string();
        self
    }

    /// A seed document (see the README) applied at start.
    pub fn seed(mut self, seed: Value) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Reads a seed document from a JSON file.
    pub fn seed_file(self, path: impl AsRef<std::path::Path>) -> io::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        Ok(self.seed(v))
    }

    /// Draws every random value (pool and client ids, secrets, subs, codes, salts, SRP
    /// ephemerals, sessions, token ids, request ids) from a generator seeded with `seed`, and,
    /// unless [`EmulatorBuilder::signing_keys`] gives keys, signs every pool's tokens with the
    /// key pair of [`SigningKeys::from_seed`]`(seed)` (generated on first use). With a
    /// [`EmulatorBuilder::fixed_clock`], the same requests then get the same answers.
    pub fn rng_seed(mut self, seed: u64) -> Self {
        self.rng_seed = Some(seed);
        self
    }

    /// Starts the emulator clock at `unix_secs` instead of the wall clock; it then moves only
    /// through [`Service::advance_clock`] or the clock hook.
    pub fn fixed_clock(mut self, unix_secs: u64) -> Self {
        self.fixed_clock = Some(unix_secs.min(state::MAX_CLOCK_OFFSET));
        self
    }

    /// Signs every pool's tokens with `keys` instead of generating keys per pool.
    pub fn signing_keys(mut self, keys: SigningKeys) -> Self {
        self.signing_keys = Some(keys);
        self
    }

    /// Bounds on connections, timeouts and request sizes (see [`ServerLimits`] for the
    /// defaults). Values out of range are brought into it (at least one connection, nonzero
    /// timeouts, at least 8 KiB of headers).
    pub fn limits(mut self, limits: ServerLimits) -> Self {
        self.limits = limits.sanitized();
        self
    }

    /// Lets the web pages of `origin` (`scheme://host[:port]`, as a browser sends it in the
    /// `Origin` header, e.g. `http://app.internal:3000`) call every operation and the
    /// `/_emulator/` hooks, as pages of this machine (`localhost`, `*.localhost`,
    /// `127.0.0.1`, `[::1]`) and programs (which send no `Origin`) always may. Pages of other
    /// origins may call only the operations AWS serves unsigned (sign-up, sign-in, a user's
    /// own profile): on AWS the rest need credentials, which the emulator does not check, so
    /// without this rule any site open in the browser could drive the emulator. A browser
    /// that opens the emulator itself under this origin's host name (rather than `localhost`
    /// or an IP address) is trusted too; other domain names are refused to browsers, as a
    /// defence against DNS rebinding.
    pub fn trusted_origin(mut self, origin: &str) -> Self {
        self.trusted_origins
            .push(origin.trim_end_matches('/').to_ascii_lowercase());
        self
    }

    /// Sends the events of the triggers named in pools' `LambdaConfig` to a server speaking
    /// the AWS Lambda Invoke API (`sam local start-lambda`, LocalStack, ...), e.g.
    /// `http://127.0.0.1:3001`: `POST {url}/2015-03-31/functions/{FunctionName}/invocations`,
    /// the function name taken from the ARN. Without it, a configured trigger (other than the
    /// custom-auth trio, which falls back to the built-in scenario) fails the operation with
    /// `UnexpectedLambdaException`, unless a Rust handler is registered with
    /// [`Service::set_trigger`].
    pub fn lambda_endpoint(mut self, url: &str) -> Self {
        self.lambda.endpoint = Some(url.trim_end_matches('/').to_string());
        self
    }

    /// How long a trigger may take (default 5 s, AWS's fixed limit; raise it to step through a
    /// handler in a debugger). A slower answer fails the operation with
    /// `UnexpectedLambdaException`.
    pub fn lambda_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.lambda.timeout = timeout;
        self
    }

    /// Keeps the state in `dir` (created if missing) so that it survives a restart: pools,
    /// clients, users (passwords' salts and verifiers, attributes, devices, MFA settings,
    /// pending codes), groups, domains, resource servers, identity providers, identity pools
    /// and identities, refresh tokens and revocations, signing keys and the clock offset.
    /// Sign-in sessions in progress, the `SignUp`/`ConfirmSignUp` sessions of auto sign-in,
    /// OAuth authorization codes and the hosted pages' sessions are kept until they expire.
    /// Every change is on disk before its request is answered. SRP handshakes waiting for
    /// their verifier answer (a restart costs the client a retry), delivered messages, faults,
    /// request counts and Rust trigger handlers are not kept.
    ///
    /// A seed document is applied only when the directory holds no store yet. Starting fails
    /// with a clear error, leaving the file as it is, when the store was written by a newer
    /// emulator, cannot be read, or is in use by another emulator.
    pub fn data_dir(mut self, dir: impl AsRef<std::path::Path>) -> Self {
        self.data_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Reads a configuration file (TOML when its name ends in `.toml`, otherwise JSON) whose
    /// pools, app clients, groups, users and Lambda triggers are created at start (after a
    /// seed document, if any; with [`EmulatorBuilder::data_dir`], only when the directory holds
    /// no store yet), and whose `lambda_endpoint` and `lambda_timeout_seconds` apply as
    /// [`EmulatorBuilder::lambda_endpoint`] and [`EmulatorBuilder::lambda_timeout`] do. The
    /// format is documented in the README.
    ///
    /// A file that cannot be read, an unknown key, a wrong type or a value AWS would refuse is
    /// a [`ConfigError`] naming the file, the path to the field and what was expected; values
    /// that only the emulator's validation can judge fail when the emulator starts, with the
    /// same kind of error.
    pub fn config_file(mut self, path: impl AsRef<std::path::Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let config = config::read(path)?;
        if let Some(url) = &config.lambda_endpoint {
            self = self.lambda_endpoint(url);
        }
        if let Some(secs) = config.lambda_timeout_seconds {
            self = self.lambda_timeout(std::time::Duration::from_secs_f64(secs));
        }
        self.config = Some((path.to_path_buf(), config));
        Ok(self)
    }

    /// The emulator without a server: requests go to [`Service::handle`].
    pub fn build_service(self) -> io::Result<Service> {
        Ok(Service {
            shared: self.shared()?,
        })
    }

    fn shared(&self) -> io::Result<Arc<Shared>> {
        let mut state = State::new(self.region.clone());
        state.set_fixed_clock(self.fixed_clock);
        state.set_lambda(self.lambda.clone());
        state.set_rng(self.rng_seed.map(util::SeededRng::new));
        state.set_fixed_keys(match (&self.signing_keys, self.rng_seed) {
            (Some(k), _) => Some(k.0.clone()),
            (None, Some(seed)) => Some(tokens::lazy_keys(Some(seed))),
            (None, None) => None,
        });
        let mut fresh = true;
        let store = match &self.data_dir {
            Some(dir) => {
                let (store, loaded) = persist::Store::open(dir, &mut state)?;
                fresh = loaded.fresh;
                Some(store)
            }
            None => None,
        };
        let mut shared = Shared::new(state);
        shared.limits = self.limits.clone();
        shared.trusted_origins = self.trusted_origins.clone();
        shared.store = store;
        let shared = Arc::new(shared);
        if let Some(seed) = self.seed.as_ref().filter(|_| fresh) {
            let mut st = shared.lock();
            seed::apply(&mut st, seed)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
        }
        if let Some((file, config)) = self.config.as_ref().filter(|_| fresh) {
            let mut st = shared.lock();
            config::apply(&mut st, config).map_err(|(path, message)| {
                let e = ConfigError {
                    file: file.clone(),
                    path,
                    message,
                };
                io::Error::new(io::ErrorKind::InvalidData, e.to_string())
            })?;
        }
        shared
            .check_store()
            .map_err(|e| io::Error::other(e.to_string()))?;
        Ok(shared)
    }

    /// Starts on the current tokio runtime.
    pub async fn start(self) -> io::Result<EmulatorHandle> {
        let shared = self.shared()?;
        let listener = listen(&self.host, self.port)?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(serve(listener, shared.clone(), rx));
        Ok(EmulatorHandle {
            service: Service { shared },
            addr,
            host: self.host,
            stop: Some(tx),
            thread: None,
        })
    }

    /// Starts on a runtime thread of its own (for blocking tests and the binary).
    pub fn start_blocking(self) -> io::Result<EmulatorHandle> {
        let shared = self.shared()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let listener = {
            let _in_runtime = runtime.enter();
            listen(&self.host, self.port)?
        };
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::watch::channel(false);
        let srv_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("cognito-emulator".into())
            .spawn(move || {
                runtime.block_on(serve(listener, srv_shared, rx));
                runtime.shutdown_background();
            })?;
        Ok(EmulatorHandle {
            service: Service { shared },
            addr,
            host: self.host,
            stop: Some(tx),
            thread: Some(thread),
        })
    }
}

/// Length of the queue of connections the kernel completed and the server has not accepted
/// yet (capped by `net.core.somaxconn`). The standard library and tokio ask for 128, which a
/// burst of clients connecting at once overflows: the kernel then drops their handshakes and
/// they see resets and timeouts.
const LISTEN_BACKLOG: u32 = 4096;

/// Binds `host:port` (the first address it resolves to that binds), with [`LISTEN_BACKLOG`].
/// Needs a tokio runtime context.
fn listen(host: &str, port: u16) -> io::Result<tokio::net::TcpListener> {
    use std::net::ToSocketAddrs;
    let mut last = io::Error::new(io::ErrorKind::InvalidInput, "no address to bind");
    for addr in (host, port).to_socket_addrs()? {
        let socket = if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        // As `TcpListener::bind` does on Unix: a restarted emulator can take its port back at
        // once (on Windows the option would let another socket share the port).
        #[cfg(unix)]
        socket.set_reuseaddr(true)?;
        match socket.bind(addr) {
            Ok(()) => return socket.listen(LISTEN_BACKLOG),
            Err(e) => last = e,
        }
    }
    Err(last)
}

async fn serve(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    // One permit per connection, taken before `accept`: at the cap the server stops
    // accepting and new connections wait in the listen queue until one closes.
    let slots = Arc::new(tokio::sync::Semaphore::new(shared.limits.max_connections));
    loop {
        // `biased` and `wait_for`: once the handle has said stop, no branch may win over
        // it, so nothing is accepted or answered after `stop_now` returns.
        let permit = tokio::select! {
            biased;
            _ = stop.wait_for(|&s| s) => break,
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let accepted = tokio::select! {
            biased;
            _ = stop.wait_for(|&s| s) => break,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors and the like: back off instead of spinning.
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        tokio::spawn(server::serve_connection(
            stream,
            shared.clone(),
            permit,
            stop.clone(),
        ));
    }
}

/// A running emulator. Dropping it stops the server.
///
/// Everything of [`Service`] (creating pools and users, messages, clock, faults, in-process
/// calls) is available on the handle through `Deref`.
pub struct EmulatorHandle {
    service: Service,
    addr: SocketAddr,
    host: String,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("addr", &self.addr)
            .finish()
    }
}

impl EmulatorHandle {
    /// The endpoint, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub fn url(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("http://{host}:{}", self.addr.port())
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The socket-free request handling of this emulator (the same state as its server).
    pub fn service(&self) -> Service {
        self.service.clone()
    }

    /// Stops the server now (dropping the handle does the same).
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(true);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl std::ops::Deref for EmulatorHandle {
    type Target = Service;
    fn deref(&self) -> &Service {
        &self.service
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        self.stop_now();
    }
}
