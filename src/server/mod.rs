//! The HTTP edge: accepts connections with hyper, turns each request into an [`api::Request`],
//! and writes the [`api::Response`] back.
//!
//! This is the only module that knows hyper's server API. [`run`] is built from values (a bound
//! listener and a shutdown future) so tests start a server on `127.0.0.1:0` and stop it at will.

use crate::api::{self, Method};
use crate::app::App;
use crate::error::ScimError;
use http_body_util::{BodyExt, Full, Limited};
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

/// Serves the API on `listener` until `shutdown` completes, then lets open requests finish
/// (for at most five seconds).
pub async fn run(listener: TcpListener, app: Arc<App>, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
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
                let service = service_fn(move |req| handle(app.clone(), req));
                let conn = http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(10))
                    .serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(%peer, error = %e, "connection closed with an error");
                    }
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
    Ok(())
}

/// Binds `addr` and serves until Ctrl-C or SIGTERM.
pub async fn serve_until_signal(listener: TcpListener, app: Arc<App>) -> std::io::Result<()> {
    run(listener, app, shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

async fn handle(app: Arc<App>, req: hyper::Request<Incoming>) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let host = req.headers().get(HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost").to_owned();
    let response = match read_request(&app, req).await {
        Ok(r) => app.handle(r, &format!("http://{host}")),
        Err(e) => api::Response::error(&e),
    };
    tracing::info!(%method, %path, status = response.status, micros = started.elapsed().as_micros() as u64, "request");
    Ok(to_hyper(response))
}

/// Reads the whole request, enforcing the body limit (413 beyond it).
async fn read_request(app: &App, req: hyper::Request<Incoming>) -> Result<api::Request, ScimError> {
    let limit = app.config.max_body_bytes;
    let too_large = || ScimError::payload_too_large(format!("the request body exceeds the limit of {limit} bytes"));
    if let Some(len) = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        && len > limit as u64
    {
        return Err(too_large());
    }
    let path_and_query = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/").to_owned();
    let mut out = api::Request::new(Method::parse(req.method().as_str()), &path_and_query);
    out.headers =
        req.headers().iter().filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned()))).collect();
    let body = Limited::new(req.into_body(), limit).collect().await.map_err(|e| {
        if e.is::<http_body_util::LengthLimitError>() {
            too_large()
        } else {
            ScimError::invalid_syntax(format!("could not read the request body: {e}"))
        }
    })?;
    out.body = body.to_bytes().to_vec();
    Ok(out)
}

fn to_hyper(r: api::Response) -> hyper::Response<Full<Bytes>> {
    let body = r.body_bytes();
    let mut builder = hyper::Response::builder().status(r.status);
    if r.body.is_some() {
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
