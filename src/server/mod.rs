//! The HTTP edge: accepts connections with hyper, turns each request into an [`api::Request`],
//! and writes the [`api::Response`] back.
//!
//! This is the only module that knows hyper's server API. [`run`] is built from values (a bound
//! listener and a shutdown future) so tests start a server on `127.0.0.1:0` and stop it at will.

use crate::api::{self, Method};
use crate::app::App;
use crate::error::ScimError;
use crate::store::durable;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

pub mod push;

/// Serves the API on `listener` until `shutdown` completes, then lets open requests finish
/// (for at most five seconds).
pub async fn run(listener: TcpListener, app: Arc<App>, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
    run_with(listener, app, None, shutdown).await
}

/// Like [`run`], over TLS when an acceptor is given.
pub async fn run_with(
    listener: TcpListener,
    app: Arc<App>,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    // Pushes the events of tenants with an event stream, while the server runs.
    let pusher = tokio::spawn(push::dispatch(app.clone()));
    // A cap on concurrent connections: past it, accepting waits for one to close.
    let slots = Arc::new(tokio::sync::Semaphore::new(app.config.max_connections));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            _ = &mut shutdown => break,
        };
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Running out of file descriptors must not stop the server.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let app = app.clone();
                let header_timeout = app.config.header_timeout;
                let scheme = if tls.is_some() { "https" } else { "http" };
                let mut builder = http1::Builder::new();
                builder.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(header_timeout);
                match &tls {
                    None => {
                        let service = service_fn(move |req| handle(app.clone(), scheme, req));
                        let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
                        tokio::spawn(async move {
                            if let Err(e) = conn.await {
                                tracing::debug!(%peer, error = %e, "connection closed with an error");
                            }
                            drop(permit);
                        });
                    }
                    Some(acceptor) => {
                        let acceptor = acceptor.clone();
                        let watcher = graceful.watcher();
                        tokio::spawn(async move {
                            // The TLS handshake gets the same deadline as reading request headers.
                            let Ok(Ok(tls_stream)) = tokio::time::timeout(header_timeout, acceptor.accept(stream)).await else {
                                tracing::debug!(%peer, "TLS handshake failed or timed out");
                                return;
                            };
                            let service = service_fn(move |req| handle(app.clone(), scheme, req));
                            let conn = watcher.watch(builder.serve_connection(TokioIo::new(tls_stream), service));
                            if let Err(e) = conn.await {
                                tracing::debug!(%peer, error = %e, "connection closed with an error");
                            }
                            drop(permit);
                        });
                    }
                }
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    pusher.abort();
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
    Ok(())
}

/// A TLS acceptor from PEM files (TLS 1.3 and 1.2 only, rustls with ring).
pub fn tls_acceptor(cert_pem: &std::path::Path, key_pem: &std::path::Path) -> Result<TlsAcceptor, String> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_pem)
        .map_err(|e| format!("cannot read {}: {e}", cert_pem.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("bad certificate in {}: {e}", cert_pem.display()))?;
    let key = PrivateKeyDer::from_pem_file(key_pem)
        .map_err(|e| format!("cannot read the key in {}: {e}", key_pem.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("certificate and key do not fit: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve_until_signal(listener: TcpListener, app: Arc<App>, tls: Option<TlsAcceptor>) -> std::io::Result<()> {
    run_with(listener, app, tls, interrupted()?).await
}

/// Ctrl-C or SIGTERM (`timeout`, `kill`, a cancelled CI job), listened for from the moment this
/// is called: the future it returns also sees a signal that came before it was first polled.
pub fn interrupted() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (mut int, mut term) = (signal(SignalKind::interrupt())?, signal(SignalKind::terminate())?);
        Ok(async move {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

async fn handle(
    app: Arc<App>,
    scheme: &'static str,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let host = req.headers().get(HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost").to_owned();
    // Echo the client's request id (when it is sane) or make one.
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(next_request_id);
    let response = match read_request(&app, req).await {
        // Reads answer from memory or a read connection of the pool, never behind a writer's
        // fsync: they run here. Writes wait for the writer connection, so they run on the
        // blocking pool; their fsync is awaited here, with the pool thread already free.
        Ok(r) if r.method == Method::Get => app.handle(r, &format!("{scheme}://{host}")),
        Ok(r) => {
            let (app, origin) = (app.clone(), format!("{scheme}://{host}"));
            match tokio::task::spawn_blocking(move || durable::deferring(|| app.handle(r, &origin))).await {
                Ok((response, pending)) => match durable(pending).await {
                    Ok(()) => response,
                    Err(e) => api::Response::error(&e),
                },
                Err(_) => api::Response::error(&ScimError::internal("the request handler failed")),
            }
        }
        Err(e) => api::Response::error(&e),
    };
    let tenant = path.strip_prefix("/t/").and_then(|r| r.split('/').next()).unwrap_or(crate::app::DEFAULT_TENANT);
    // The path only: query strings may carry personal data, and no token or body is ever logged.
    tracing::info!(
        request_id = %request_id, tenant = %tenant, method = %method, path = %path,
        status = response.status, micros = started.elapsed().as_micros() as u64, "request"
    );
    Ok(to_hyper(response.with_header("x-request-id", request_id)))
}

/// Returns once the commits of a write request are on disk (an error when their fsync failed):
/// only then may its response acknowledge them.
async fn durable(pending: durable::Pending) -> Result<(), ScimError> {
    for (mut attempted, n) in pending.waits() {
        // The sender lives as long as `pending`: the wait ends with the fsync.
        let _ = attempted.wait_for(|a| *a >= n).await;
    }
    pending.outcome().unwrap_or(Ok(()))
}

/// A request id for a request that brought none: a per-process random prefix and a counter
/// (unique without asking the OS for randomness on every request).
fn next_request_id() -> String {
    static PREFIX: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let prefix = *PREFIX.get_or_init(|| uuid::Uuid::new_v4().as_u128() as u32);
    format!("{prefix:08x}{:016x}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

/// How much of an oversized body is read and thrown away so that the client, still sending,
/// gets to read the 413 instead of a reset connection; and for how long.
const DRAIN_BYTES: usize = 64 << 20;
const DRAIN_TIME: Duration = Duration::from_secs(10);

/// Reads the whole request, enforcing the body limit: beyond it, the rest of the body is read
/// and dropped (up to [`DRAIN_BYTES`]) before the 413 goes out.
async fn read_request(app: &App, req: hyper::Request<Incoming>) -> Result<api::Request, ScimError> {
    let limit = app.config.max_body_bytes;
    let too_large = || {
        ScimError::payload_too_large(format!(
            "the request body exceeds maxPayloadSize ({limit} bytes, advertised in bulk.maxPayloadSize)"
        ))
    };
    let path_and_query = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/").to_owned();
    let mut out = api::Request::new(Method::parse(req.method().as_str()), &path_and_query);
    out.headers =
        req.headers().iter().filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned()))).collect();
    let declared = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let mut body = req.into_body();
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(limit as u64) as usize);
    let mut over = declared.is_some_and(|len| len > limit as u64);
    let mut seen = 0usize;
    let deadline = tokio::time::Instant::now() + DRAIN_TIME;
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(Some(Ok(f))) => f,
            Ok(None) => break,
            Ok(Some(Err(e))) => return Err(ScimError::invalid_syntax(format!("could not read the request body: {e}"))),
            Err(_) if over => break,
            Err(_) => return Err(ScimError::invalid_syntax("the request body did not arrive in time")),
        };
        let Ok(data) = frame.into_data() else { continue };
        seen += data.len();
        if seen > limit {
            over = true;
            bytes = Vec::new();
        }
        if over {
            if seen > DRAIN_BYTES {
                break;
            }
            continue;
        }
        bytes.extend_from_slice(&data);
    }
    if over {
        return Err(too_large());
    }
    out.body = bytes;
    Ok(out)
}

fn to_hyper(r: api::Response) -> hyper::Response<Full<Bytes>> {
    let body = r.body_bytes();
    let mut builder = hyper::Response::builder().status(r.status);
    if r.body.is_some() && !r.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
        builder = builder.header(CONTENT_TYPE, api::response::SCIM_JSON);
    }
    for (k, v) in &r.headers {
        builder = builder.header(*k, v.as_str());
    }
    builder.body(Full::new(Bytes::from(body))).unwrap_or_else(|_| {
        let mut fallback = hyper::Response::new(Full::new(Bytes::from_static(
            br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500","detail":"invalid response header"}"#,
        )));
        *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}

/// A server started in the background on `127.0.0.1:0`, stopped when dropped or [`stop`]ped.
///
/// [`stop`]: Running::stop
#[derive(Debug)]
pub struct Running {
    pub addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Running {
    /// The SCIM base URL of this server (default tenant).
    pub fn base_url(&self) -> String {
        format!("http://{}{}", self.addr, api::SCIM_PREFIX)
    }

    /// The admin API base URL of this server (default tenant).
    pub fn admin_url(&self) -> String {
        format!("http://{}{}", self.addr, crate::app::ADMIN_PREFIX)
    }

    /// Shuts the server down gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// Starts `app` on an ephemeral loopback port.
pub async fn spawn(app: Arc<App>) -> std::io::Result<Running> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(run(listener, app, async {
        let _ = rx.await;
    }));
    Ok(Running { addr, stop: Some(tx), handle: Some(handle) })
}

#[cfg(test)]
mod tests {
    use crate::store::{Database, Store};
    use std::sync::Arc;

    /// A write is answered only after its fsync: when the fsync fails, the created user is not
    /// acknowledged (500, naming the fsync), although its commit is in the WAL.
    #[test]
    fn a_write_whose_fsync_fails_is_not_acknowledged() {
        let dir = crate::store::test_dir("unsynced");
        let db = Database::open_with(&dir.join("t.db"), |_wal| Box::new(|| Err(std::io::Error::other("disk gone"))))
            .unwrap();
        let store = db.store("default");
        let stores = store.clone();
        let app = crate::app::App::new(
            Default::default(),
            "tok",
            "admin",
            Box::new(move |_| Arc::new(stores.clone()) as Arc<dyn Store>),
        );
        let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
        let (status, body) = rt.block_on(async {
            let running = super::spawn(Arc::new(app)).await.unwrap();
            let r = crate::suite::http_client(false)
                .unwrap()
                .post(format!("{}/Users", running.base_url()))
                .bearer_auth("tok")
                .header("content-type", "application/scim+json")
                .body(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"unsynced"}"#)
                .send()
                .await
                .unwrap();
            let out = (r.status().as_u16(), r.text().await.unwrap());
            running.stop().await;
            out
        });
        assert_eq!(status, 500, "{body}");
        assert!(body.contains("could not be made durable (fsync of the WAL failed: disk gone)"), "{body}");
        // The commit itself went through: only its acknowledgement was held back.
        let page = store
            .list(
                crate::model::Kind::User,
                &crate::store::ListQuery {
                    filter: None,
                    sort: None,
                    window: crate::store::Window::Offset { offset: 0, count: 10 },
                },
            )
            .unwrap();
        assert_eq!(page.total, 1);
        drop(db);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
