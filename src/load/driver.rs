//! The load generator: keep-alive HTTP/1.1 connections (hyper's client connection, no pool or
//! per-request overhead, so that it can saturate a bare hyper server on the same machine), each
//! sending requests back to back (closed loop) or at a paced rate (open loop), with latencies in
//! an HDR histogram. HTTPS targets go through reqwest (rustls).

use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One request to send.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: &'static str,
    /// Path and query, e.g. `/scim/v2/Users?filter=…` (appended to the target's origin).
    pub path: String,
    pub body: Option<Bytes>,
    /// An `Authorization` value for this request instead of the target's (one tenant's key).
    pub auth: Option<Arc<str>>,
}

impl Req {
    pub fn get(path: impl Into<String>) -> Req {
        Req { method: "GET", path: path.into(), body: None, auth: None }
    }
    pub fn delete(path: impl Into<String>) -> Req {
        Req { method: "DELETE", path: path.into(), body: None, auth: None }
    }
    pub fn with_body(method: &'static str, path: impl Into<String>, body: &serde_json::Value) -> Req {
        Req { method, path: path.into(), body: Some(Bytes::from(body.to_string())), auth: None }
    }
    /// The same request with its own `Authorization` value.
    pub fn authorized(mut self, auth: &Arc<str>) -> Req {
        self.auth = Some(auth.clone());
        self
    }
}

/// The headers of a request: the target's, with the request's own `Authorization` instead.
fn headers<'a>(t: &'a Target, r: &'a Req) -> impl Iterator<Item = (&'a str, &'a str)> {
    let own = r.auth.as_deref().map(|a| ("authorization", a));
    t.headers
        .iter()
        .filter(move |(k, _)| own.is_none() || !k.eq_ignore_ascii_case("authorization"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(own)
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub body: Bytes,
    /// Seconds from a `Retry-After` header, if any.
    pub retry_after: Option<u64>,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Where to send: an origin (`http://host:port`) and the headers every request carries.
#[derive(Debug, Clone)]
pub struct Target {
    pub origin: String,
    pub host: String,
    pub headers: Vec<(String, String)>,
    /// Whether requests go through `client` (HTTPS) instead of a plain hyper connection.
    https: bool,
    client: reqwest::Client,
}

/// A base URL, parsed, and its origin (`scheme://host:port`, the port always written).
pub fn parse_base(base_url: &str) -> Result<(reqwest::Url, String), String> {
    let u = reqwest::Url::parse(base_url).map_err(|e| format!("'{base_url}' is not a URL: {e}"))?;
    let host = u.host_str().ok_or("the URL has no host")?;
    let origin = format!("{}://{host}:{}", u.scheme(), u.port_or_known_default().unwrap_or(80));
    Ok((u, origin))
}

impl Target {
    /// A target for a base URL (`http://h:p/scim/v2`); https goes through `client`.
    pub fn new(base_url: &str, headers: Vec<(String, String)>, client: reqwest::Client) -> Result<Target, String> {
        let (u, origin) = parse_base(base_url)?;
        let host = origin.split_once("://").map_or_else(String::new, |(_, h)| h.to_owned());
        Ok(Target { origin, host, headers, https: u.scheme() == "https", client })
    }

    /// The same headers and TLS settings at another base URL's origin.
    pub fn elsewhere(&self, base_url: &str) -> Result<Target, String> {
        Target::new(base_url, self.headers.clone(), self.client.clone())
    }

    /// A new connection to the target.
    pub async fn connect(&self) -> Result<Conn, String> {
        if self.https {
            return Ok(Conn::Https(self.client.clone()));
        }
        let stream = tokio::net::TcpStream::connect(&self.host)
            .await
            .map_err(|e| format!("connecting to {}: {e}", self.host))?;
        let _ = stream.set_nodelay(true);
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("HTTP handshake with {}: {e}", self.host))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Conn::Http(sender))
    }
}

/// One keep-alive connection.
#[derive(Debug)]
pub enum Conn {
    Http(SendRequest<Full<Bytes>>),
    Https(reqwest::Client),
}

impl Conn {
    /// Whether the server closed this connection (`Connection: close`, HTTP/1.0): the next
    /// request opens a new one.
    pub fn closed(&self) -> bool {
        matches!(self, Conn::Http(sender) if sender.is_closed())
    }

    /// Sends a request and reads the whole answer.
    pub async fn send(&mut self, t: &Target, r: &Req) -> Result<Resp, String> {
        // A server that closes connections (`Connection: close`, HTTP/1.0) gets a new one
        // before the next request: that is no error of the request.
        if let Conn::Http(sender) = self
            && sender.ready().await.is_err()
        {
            *self = t.connect().await?;
        }
        match self {
            Conn::Http(sender) => {
                sender.ready().await.map_err(|e| e.to_string())?;
                let mut b = hyper::Request::builder().method(r.method).uri(&r.path).header("host", &t.host);
                for (k, v) in headers(t, r) {
                    b = b.header(k, v);
                }
                b = b.header("accept", "application/scim+json");
                if r.body.is_some() {
                    b = b.header("content-type", "application/scim+json");
                }
                let req = b.body(Full::new(r.body.clone().unwrap_or_default())).map_err(|e| e.to_string())?;
                let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
                let status = resp.status().as_u16();
                let retry_after = retry_after(resp.headers().get("retry-after").and_then(|v| v.to_str().ok()));
                let body = resp.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
                Ok(Resp { status, body, retry_after })
            }
            Conn::Https(client) => {
                let method = reqwest::Method::from_bytes(r.method.as_bytes()).map_err(|e| e.to_string())?;
                let mut b = client.request(method, format!("{}{}", t.origin, r.path));
                for (k, v) in headers(t, r) {
                    b = b.header(k, v);
                }
                b = b.header("accept", "application/scim+json");
                if let Some(body) = &r.body {
                    b = b.header("content-type", "application/scim+json").body(body.clone());
                }
                let resp = b.send().await.map_err(|e| crate::suite::preflight::cause(&e))?;
                let status = resp.status().as_u16();
                let retry_after = retry_after(resp.headers().get("retry-after").and_then(|v| v.to_str().ok()));
                let body = resp.bytes().await.map_err(|e| e.to_string())?;
                Ok(Resp { status, body, retry_after })
            }
        }
    }
}

fn retry_after(v: Option<&str>) -> Option<u64> {
    v?.trim().parse().ok()
}

/// The figures of a driven run.
#[derive(Debug, Clone)]
pub struct Stats {
    pub requests: u64,
    pub errors: u64,
    /// 429 answers (throttling).
    pub throttled: u64,
    pub elapsed: Duration,
    pub latency: Histogram<u64>,
}

impl Stats {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
    pub fn error_rate(&self) -> f64 {
        if self.requests == 0 { 0.0 } else { self.errors as f64 / self.requests as f64 }
    }
    /// A latency quantile.
    pub fn q(&self, q: f64) -> Duration {
        Duration::from_micros(self.latency.value_at_quantile(q))
    }
}

/// How hard to drive.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    pub connections: usize,
    pub duration: Duration,
    /// Requests per second in all (open loop); `None` for as fast as answers come (closed loop).
    pub rate: Option<f64>,
    /// Stop after this many requests in all.
    pub max_requests: Option<u64>,
}

/// Drives `make(n)` (the n-th request of a connection, which also gets its index) on
/// `pace.connections` connections; `ok(status)` says whether an answer counts as a success.
pub async fn drive<M, O>(target: &Target, pace: Pace, make: M, ok: O) -> Result<Stats, String>
where
    M: Fn(usize, u64) -> Req + Send + Sync + 'static,
    O: Fn(&Resp) -> bool + Send + Sync + 'static,
{
    let (make, ok) = (Arc::new(make), Arc::new(ok));
    let started = Instant::now();
    let deadline = started + pace.duration;
    let budget = Arc::new(std::sync::atomic::AtomicU64::new(pace.max_requests.unwrap_or(u64::MAX)));
    let interval = pace.rate.map(|r| Duration::from_secs_f64(pace.connections as f64 / r.max(0.001)));
    let mut tasks = Vec::new();
    for c in 0..pace.connections {
        let (target, make, ok, budget) = (target.clone(), make.clone(), ok.clone(), budget.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = target.connect().await?;
            let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("valid bounds");
            let (mut n, mut errors, mut throttled) = (0u64, 0u64, 0u64);
            // Open loop: each connection sends on its own schedule, staggered.
            let mut next = Instant::now()
                + interval.map_or(Duration::ZERO, |i| i.mul_f64(c as f64 / pace.connections.max(1) as f64));
            while Instant::now() < deadline {
                if budget
                    .fetch_update(std::sync::atomic::Ordering::Relaxed, std::sync::atomic::Ordering::Relaxed, |b| {
                        b.checked_sub(1)
                    })
                    .is_err()
                {
                    break;
                }
                if let Some(i) = interval {
                    tokio::time::sleep_until(next.into()).await;
                    next += i;
                }
                let req = make(c, n);
                let t = Instant::now();
                let answer = conn.send(&target, &req).await;
                let _ = h.record(t.elapsed().as_micros().max(1) as u64);
                n += 1;
                match answer {
                    Ok(r) if r.status == 429 => {
                        throttled += 1;
                        errors += 1;
                        // Nothing is sent before Retry-After has passed (or the phase has ended).
                        let wait = Duration::from_secs(r.retry_after.unwrap_or(1));
                        tokio::time::sleep(wait.min(deadline.saturating_duration_since(Instant::now()))).await;
                    }
                    Ok(r) if ok(&r) => {}
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        conn = target.connect().await?;
                    }
                }
            }
            Ok::<_, String>((n, errors, throttled, h))
        }));
    }
    let mut total = Stats {
        requests: 0,
        errors: 0,
        throttled: 0,
        elapsed: Duration::ZERO,
        latency: Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid bounds"),
    };
    for t in tasks {
        let (n, e, th, h) = t.await.map_err(|e| e.to_string())??;
        total.requests += n;
        total.errors += e;
        total.throttled += th;
        let _ = total.latency.add(&h);
    }
    total.elapsed = started.elapsed();
    Ok(total)
}
