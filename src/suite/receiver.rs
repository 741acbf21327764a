//! The suite's SET receiver (RFC 8935 push): `check --events-listen ADDR` listens there, and
//! every event the target POSTs joins the run's event log (`Target::events`), where the RFC
//! 9967 steps look for the events of their writes, exactly as with the poll endpoint.
//!
//! A delivery is answered `202 Accepted`. One that is not a SET (no `application/secevent+jwt`
//! content type, or no decodable claims) is answered `400` with an RFC 8935 §2.3 error
//! (`invalid_request`) and counted, so a transmitter that sends something else is told why.

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A running receiver; it stops when dropped.
#[derive(Debug)]
pub struct Receiver {
    pub addr: SocketAddr,
    /// The decoded claims of every event received, once per `jti` (for `RunOptions`).
    pub log: Arc<Mutex<Vec<Value>>>,
    pub counts: Arc<Counts>,
    task: tokio::task::JoinHandle<()>,
}

/// What the receiver saw.
#[derive(Debug, Default)]
pub struct Counts {
    pub accepted: AtomicU64,
    pub refused: AtomicU64,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Listens on `addr` (port 0 picks a free one); each event received is decoded and appended
/// to the receiver's log.
pub async fn start(addr: SocketAddr) -> Result<Receiver, String> {
    let log: Arc<Mutex<Vec<Value>>> = Arc::default();
    let filled = log.clone();
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        format!("--events-listen {addr}: cannot listen there ({e}); pick a free address, e.g. 127.0.0.1:9977")
    })?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let counts = Arc::new(Counts::default());
    let seen = counts.clone();
    // The jtis received, so that a redelivered event is kept once without scanning the log.
    let jtis: Arc<Mutex<std::collections::HashSet<String>>> = Arc::default();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (log, counts, jtis) = (filled.clone(), seen.clone(), jtis.clone());
            tokio::spawn(async move {
                let service = service_fn(move |req| receive(req, log.clone(), counts.clone(), jtis.clone()));
                let _ =
                    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    Ok(Receiver { addr, log, counts, task })
}

async fn receive(
    req: hyper::Request<Incoming>,
    log: Arc<Mutex<Vec<Value>>>,
    counts: Arc<Counts>,
    jtis: Arc<Mutex<std::collections::HashSet<String>>>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let is_set = req
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/secevent+jwt"));
    let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let claims = std::str::from_utf8(&body).ok().and_then(|s| crate::suite::steps::events::claims(s.trim()));
    let refusal = match (is_set, claims) {
        (false, _) => Some("a SET is sent as application/secevent+jwt (RFC 8935 §2.2)"),
        (true, None) => Some("the body is not a JWT whose claims are a JSON object"),
        (true, Some(c)) => {
            let jti = c["jti"].as_str().unwrap_or_default().to_owned();
            if jtis.lock().unwrap_or_else(|p| p.into_inner()).insert(jti) {
                log.lock().unwrap_or_else(|p| p.into_inner()).push(c);
            }
            None
        }
    };
    let (status, body) = match refusal {
        None => {
            counts.accepted.fetch_add(1, Ordering::Relaxed);
            (202, Bytes::new())
        }
        Some(why) => {
            counts.refused.fetch_add(1, Ordering::Relaxed);
            (400, Bytes::from(json!({"err": "invalid_request", "description": why}).to_string()))
        }
    };
    let mut r = hyper::Response::new(Full::new(body));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::BAD_REQUEST);
    if status == 400 {
        r.headers_mut()
            .insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
    }
    Ok(r)
}
