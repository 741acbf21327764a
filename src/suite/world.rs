//! The cucumber `World`: one scenario's view of the server under test.
//!
//! It holds the HTTP client and target, the last exchange (request and response), values the
//! scenario remembered, and the resources it created, which are deleted after the scenario.
//! Steps talk to the server only through [`ScimWorld::send`].

use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The server under test and how to reach it; shared by every scenario of a run.
#[derive(Debug, Clone)]
pub struct Target {
    /// SCIM base URL without a trailing slash, e.g. `http://127.0.0.1:8080/scim/v2`.
    pub base_url: String,
    /// The admin API of a scimcheck reference server, e.g. `http://127.0.0.1:8080/admin/v1`.
    pub admin_url: String,
    pub admin_token: Option<String>,
    /// Headers sent with every request (normally `Authorization: Bearer ...`).
    pub auth_headers: Vec<(String, String)>,
    /// A prefix unique to this run; everything the suite creates is named with it.
    pub run_id: String,
    /// Leave created resources in place (for debugging).
    pub keep: bool,
    pub client: reqwest::Client,
    /// What scenarios created and have not removed yet.
    pub cleanup: Cleanup,
    /// What the server says it offers (fixture bodies are built from its schemas).
    pub discovery: Arc<super::discovery::Discovery>,
    /// Every event read from the target's poll endpoint so far (decoded SET claims), shared by
    /// all scenarios: the suite acknowledges what it read, so a scenario finds the events of
    /// its own writes here whichever scenario polled them.
    pub events: Arc<std::sync::Mutex<Vec<Value>>>,
    /// Every `Set-Txn` of a 202 the run received, with the request (`POST …/Users`): after the
    /// run, each must have its completion event (RFC 9967 §2.5.1.1).
    pub async_txns: Arc<std::sync::Mutex<Vec<(String, String)>>>,
}

tokio::task_local! {
    /// The target of the run being polled: each run (and each test running the suite) has its own.
    static TARGET: Arc<Target>;
}

static SCENARIO: AtomicU64 = AtomicU64::new(0);

/// The start of a step's panic message that leaves its scenario inconclusive, not failed.
pub const INCONCLUSIVE: &str = "inconclusive: ";

/// Ends the step and leaves the scenario inconclusive: what it needs could not be established
/// (a setup request was refused, the server does not keep an attribute), so nothing was
/// observed about the requirement it cites. `why` names the cause.
pub fn inconclusive(why: impl fmt::Display) -> ! {
    panic!("{INCONCLUSIVE}{why}")
}

/// Runs `fut` (a cucumber run) with `t` as the target its scenarios see.
pub async fn with_target<F: Future>(t: Target, fut: F) -> F::Output {
    TARGET.scope(Arc::new(t), fut).await
}

/// Something the suite created and has not removed yet: a URL to DELETE with these headers.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pending {
    url: String,
    headers: Vec<(String, String)>,
}

/// Everything a run's scenarios created and did not clean up yet, so that an interrupted run
/// (Ctrl-C) can still remove it. Cheap to clone; all clones share the list.
#[derive(Debug, Clone, Default)]
pub struct Cleanup {
    pending: Arc<std::sync::Mutex<Vec<Pending>>>,
    /// Where and as whom to sweep for resources named with the run prefix.
    sweep: Arc<std::sync::Mutex<Option<Sweep>>>,
}

/// The run's SCIM base URL, credentials and name prefix.
type Sweep = (String, Vec<(String, String)>, String);

impl Cleanup {
    fn list(&self) -> std::sync::MutexGuard<'_, Vec<Pending>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Remembers the run's SCIM base URL, credentials and name prefix for [`Cleanup::run`].
    pub fn set_sweep(&self, base_url: &str, headers: &[(String, String)], run_id: &str) {
        *self.sweep.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((base_url.to_owned(), headers.to_vec(), run_id.to_owned()));
    }

    /// Deletes everything left (newest first) with `client`, then sweeps for users and groups
    /// named with the run prefix whose creation was still in flight when the run stopped.
    /// Returns how many deletions were sent.
    pub async fn run(&self, client: &reqwest::Client) -> usize {
        let items: Vec<Pending> = std::mem::take(&mut *self.list());
        let mut sent = 0;
        for p in items.iter().rev() {
            let mut req = client.delete(&p.url);
            for (k, v) in &p.headers {
                req = req.header(k, v);
            }
            let _ = req.send().await;
            sent += 1;
        }
        let sweep = self.sweep.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some((base, headers, run_id)) = sweep {
            for (endpoint, attr) in [("Groups", "displayName"), ("Users", "userName")] {
                let url = format!("{base}/{endpoint}?filter={attr} sw \"{run_id}\"&attributes=id&count=200");
                let mut req = client.get(&url);
                for (k, v) in &headers {
                    req = req.header(k, v);
                }
                let Ok(resp) = req.send().await else { continue };
                let Ok(body) = resp.json::<Value>().await else { continue };
                for id in body["Resources"].as_array().into_iter().flatten().filter_map(|r| r["id"].as_str()) {
                    let mut del = client.delete(format!("{base}/{endpoint}/{id}"));
                    for (k, v) in &headers {
                        del = del.header(k, v);
                    }
                    let _ = del.send().await;
                    sent += 1;
                }
            }
        }
        sent
    }
}

fn target() -> Arc<Target> {
    TARGET.with(Arc::clone)
}

/// One request and its response, as shown in failure reports.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Exchange {
    pub method: String,
    pub url: String,
    pub request_body: Option<String>,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub response_body: String,
    /// How long the request took, in milliseconds.
    pub elapsed_ms: u64,
    #[serde(skip)]
    pub json: Option<Value>,
}

impl fmt::Display for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "> {} {}", self.method, self.url)?;
        if let Some(b) = &self.request_body {
            writeln!(f, "> {}", b.trim())?;
        }
        writeln!(f, "< {}", self.status)?;
        for (k, v) in &self.response_headers {
            writeln!(f, "< {k}: {v}")?;
        }
        if !self.response_body.is_empty() {
            writeln!(f, "< {}", truncate(&self.response_body, 2000))?;
        }
        Ok(())
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.len() <= n {
        return s.to_owned();
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &s[..end], s.len())
}

/// How a request authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMode {
    /// The run's credentials.
    Default,
    /// No `Authorization` header at all.
    None,
    /// This exact `Authorization` header value.
    Header(String),
}

/// A scenario's state.
#[derive(cucumber::World)]
#[world(init = Self::new)]
pub struct ScimWorld {
    pub target: Arc<Target>,
    /// Where this scenario sends SCIM requests and with which credentials (a scenario may
    /// move to a tenant of its own).
    pub base_url: String,
    pub auth_headers: Vec<(String, String)>,
    pub admin_url: String,
    pub admin_token: Option<String>,
    /// A tenant this scenario created (removed afterwards).
    pub tenant: Option<String>,
    /// Unique per scenario: `<run id>-<n>-`.
    pub prefix: String,
    pub vars: HashMap<String, String>,
    pub last: Option<Exchange>,
    pub transcript: Vec<Exchange>,
    /// URLs of resources this scenario created.
    pub created: Vec<String>,
    /// When the scenario started (for its duration in the reports).
    pub started: std::time::Instant,
}

impl fmt::Debug for ScimWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScimWorld").field("prefix", &self.prefix).field("vars", &self.vars).finish_non_exhaustive()
    }
}

impl ScimWorld {
    fn new() -> ScimWorld {
        let target = target();
        let n = SCENARIO.fetch_add(1, Ordering::Relaxed);
        ScimWorld {
            prefix: format!("{}-{n}-", target.run_id),
            base_url: target.base_url.clone(),
            auth_headers: target.auth_headers.clone(),
            admin_url: target.admin_url.clone(),
            admin_token: target.admin_token.clone(),
            tenant: None,
            target,
            vars: HashMap::new(),
            last: None,
            transcript: Vec::new(),
            created: Vec::new(),
            started: std::time::Instant::now(),
        }
    }

    /// Replaces `${name}` with a remembered value; `${p}` is the scenario's unique prefix,
    /// `${base}` the SCIM base URL in use and `${default_base}` the run's original one.
    pub fn expand(&self, s: &str) -> String {
        self.expand_with(s, false)
    }

    /// Like [`ScimWorld::expand`], for a request URL: a `+` in a remembered value is sent as
    /// `%2B`, since servers read `+` in a query string as a space.
    pub fn expand_url(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let Some(j) = rest[i..].find('}') else { break };
            out.push_str(&self.expand(&rest[i..i + j + 1]).replace('+', "%2B"));
            rest = &rest[i + j + 1..];
        }
        out.push_str(rest);
        out
    }

    /// Like [`ScimWorld::expand`], for JSON text: values are escaped as inside a JSON string.
    pub fn expand_json(&self, s: &str) -> String {
        self.expand_with(s, true)
    }

    fn expand_with(&self, s: &str, json: bool) -> String {
        let escape = |v: &str| -> String {
            if json {
                let q = serde_json::to_string(v).expect("strings serialise");
                q[1..q.len() - 1].to_owned()
            } else {
                v.to_owned()
            }
        };
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let Some(j) = after.find('}') else {
                out.push_str(&rest[i..]);
                return out;
            };
            let name = &after[..j];
            match name {
                "p" => out.push_str(&self.prefix),
                "base" => out.push_str(&self.base_url),
                "default_base" => out.push_str(&self.target.base_url),
                _ => match self.vars.get(name) {
                    Some(v) => out.push_str(&escape(v)),
                    None => panic!("no remembered value named '{name}'"),
                },
            }
            rest = &after[j + 1..];
        }
        out.push_str(rest);
        out
    }

    /// Sends a request to `path` (relative to the base URL, `${...}` expanded) and records it.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&str>,
        headers: &[(String, String)],
        auth: AuthMode,
    ) {
        let base = self.base_url.clone();
        self.send_to(&base, method, path, body, headers, auth).await;
    }

    /// Sends a request to the admin API with the admin token.
    pub async fn send_admin(&mut self, method: &str, path: &str, body: Option<&str>) {
        let token = self.admin_token.clone().expect("this scenario needs an admin token");
        let base = self.admin_url.clone();
        self.send_to(&base, method, path, body, &[], AuthMode::Header(format!("Bearer {token}"))).await;
    }

    async fn send_to(
        &mut self,
        base: &str,
        method: &str,
        path: &str,
        body: Option<&str>,
        headers: &[(String, String)],
        auth: AuthMode,
    ) {
        let path = self.expand_url(path);
        let url =
            if path.starts_with("http://") || path.starts_with("https://") { path } else { format!("{base}{path}") };
        let body = body.map(|b| self.expand_json(b)).map(|b| {
            // Every resource body fits the target's declared schemas (see `suite::adapt`).
            let rel = url.strip_prefix(self.base_url.as_str()).unwrap_or(&url);
            self.target.discovery.adapt(method, rel, &b, &self.base_url, &self.prefix).unwrap_or(b)
        });
        let method_v = reqwest::Method::from_bytes(method.as_bytes()).expect("valid HTTP method");
        let mut req = self.target.client.request(method_v, &url);
        match &auth {
            AuthMode::Default => {
                for (k, v) in &self.auth_headers {
                    req = req.header(k, v);
                }
            }
            AuthMode::None => {}
            AuthMode::Header(v) => req = req.header("authorization", v),
        }
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("accept")) {
            req = req.header("accept", "application/scim+json");
        }
        let has_ct = headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
        if body.is_some() && !has_ct {
            req = req.header("content-type", "application/scim+json");
        }
        for (k, v) in headers {
            req = req.header(k, self.expand(v));
        }
        if let Some(b) = &body {
            req = req.body(b.clone());
        }
        let mut ex = Exchange { method: method.to_owned(), url: url.clone(), request_body: body, ..Default::default() };
        let started = std::time::Instant::now();
        // A kept-alive connection the server closed as the request went out never reached it:
        // send once more on a fresh connection (the pool keeps idle connections briefly, so
        // this is rare).
        let retry = req.try_clone();
        let sent = match req.send().await {
            Err(e) if stale_connection(&e) => match retry {
                Some(again) => again.send().await,
                None => Err(e),
            },
            other => other,
        };
        match sent {
            Ok(resp) => {
                ex.status = resp.status().as_u16();
                ex.response_headers = resp
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("<binary>").to_owned()))
                    .collect();
                ex.response_body = resp.text().await.unwrap_or_default();
                ex.json = serde_json::from_str(&ex.response_body).ok();
                ex.elapsed_ms = started.elapsed().as_millis() as u64;
            }
            Err(e) => panic!("{method} {url} failed: {}", crate::suite::preflight::cause(&e)),
        }
        if ex.status == 202
            && let Some((_, txn)) = ex.response_headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("set-txn"))
        {
            let mut txns = self.target.async_txns.lock().unwrap_or_else(|p| p.into_inner());
            txns.push((txn.clone(), format!("{method} {url}")));
        }
        // A 202 to an asynchronous create names the resource in its Location (RFC 9967).
        if method == "POST"
            && (ex.status == 201 || (ex.status == 202 && !url.trim_end_matches('/').ends_with("/Bulk")))
            && let Some(loc) = created_location(&ex)
        {
            self.track(loc);
        }
        if method == "POST" && ex.status == 200 && url.trim_end_matches('/').ends_with("/Bulk") {
            for loc in bulk_created(&ex) {
                self.track(loc);
            }
        }
        self.transcript.push(ex.clone());
        self.last = Some(ex);
    }

    /// Remembers a created resource for deletion after the scenario (and after a Ctrl-C).
    pub(crate) fn track(&mut self, loc: String) {
        self.target.cleanup.list().push(Pending { url: loc.clone(), headers: self.auth_headers.clone() });
        self.created.push(loc);
    }

    /// The last exchange; panics when no request was sent yet.
    pub fn last(&self) -> &Exchange {
        self.last.as_ref().expect("a request was sent before this step")
    }

    /// The last response's JSON body. Panics (failing the step) when there is none. Whether the
    /// body follows its JSON Schema is a concern of its own (the "matches the … schema" step).
    pub fn body(&self) -> &Value {
        let ex = self.last();
        match &ex.json {
            Some(json) => json,
            None if ex.response_body.trim().is_empty() => {
                panic!("expected a JSON body, got an empty body (status {})\n{ex}", ex.status)
            }
            None => panic!("expected a JSON body, got something that is not JSON (status {})\n{ex}", ex.status),
        }
    }

    /// A response header by name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.last().response_headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Deletes what the scenario created (newest first), unless the run keeps data.
    pub async fn cleanup(&mut self) {
        if self.target.keep {
            return;
        }
        for url in std::mem::take(&mut self.created).into_iter().rev() {
            let mut req = self.target.client.delete(&url);
            for (k, v) in &self.auth_headers {
                req = req.header(k, v);
            }
            let _ = req.send().await;
            self.target.cleanup.list().retain(|p| p.url != url);
        }
        if let (Some(name), Some(_)) = (self.tenant.take(), &self.target.admin_token) {
            let url = format!("{}/tenants/{name}", self.target.admin_url);
            let headers = self.tenant_cleanup_headers();
            let mut req = self.target.client.delete(&url);
            for (k, v) in &headers {
                req = req.header(k, v);
            }
            let _ = req.send().await;
            self.target.cleanup.list().retain(|p| p.url != url);
        }
    }

    /// Registers a tenant this scenario created, for removal even if the run is interrupted.
    pub fn own_tenant(&mut self, name: &str) {
        self.tenant = Some(name.to_owned());
        let url = format!("{}/tenants/{name}", self.target.admin_url);
        let headers = self.tenant_cleanup_headers();
        self.target.cleanup.list().push(Pending { url, headers });
    }

    fn tenant_cleanup_headers(&self) -> Vec<(String, String)> {
        self.target.admin_token.iter().map(|t| ("authorization".to_owned(), format!("Bearer {t}"))).collect()
    }
}

/// Whether a request failed because the pooled connection it used had been closed by the server.
fn stale_connection(e: &reqwest::Error) -> bool {
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        let text = s.to_string();
        if text.contains("connection closed before message completed") || text.contains("Connection reset") {
            return true;
        }
        source = s.source();
    }
    false
}

/// A URI reference from a response resolved against the request's URL (RFC 3986 §5.2; RFC 7643
/// §2.3.7 allows relative references). Left as it is when it cannot be resolved.
pub fn resolve(request_url: &str, reference: &str) -> String {
    reqwest::Url::parse(request_url)
        .and_then(|u| u.join(reference))
        .map(|u| u.to_string())
        .unwrap_or_else(|_| reference.to_owned())
}

/// The locations of the resources a bulk response says it created (status 201).
fn bulk_created(ex: &Exchange) -> Vec<String> {
    let ops = ex.json.as_ref().and_then(|j| j.get("Operations")).and_then(Value::as_array).cloned().unwrap_or_default();
    ops.iter()
        .filter(|op| {
            let st = op.get("status").map(|s| s.get("code").unwrap_or(s)).cloned().unwrap_or(Value::Null);
            st == "201" || st == 201
        })
        .filter_map(|op| op.get("location").and_then(Value::as_str).map(|l| resolve(&ex.url, l)))
        .collect()
}

fn created_location(ex: &Exchange) -> Option<String> {
    ex.response_headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("location"))
        .map(|(_, v)| resolve(&ex.url, v))
        .or_else(|| {
            let id = ex.json.as_ref()?.get("id")?.as_str()?;
            Some(format!("{}/{id}", ex.url.split('?').next()?.trim_end_matches('/')))
        })
}

/// Reads a value at a dotted path with `[n]` indexes, e.g. `Resources[0].name.givenName`.
/// Keys match exactly first, then case-insensitively (attribute names are case-insensitive).
pub fn json_path<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    if path.is_empty() || path == "$" {
        return Some(v);
    }
    let mut cur = v;
    for part in split_path(path) {
        let (key, indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            let obj = cur.as_object()?;
            cur = obj.get(key).or_else(|| obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))?;
        }
        for idx in indexes.split('[').filter(|s| !s.is_empty()) {
            let n: usize = idx.trim_end_matches(']').parse().ok()?;
            cur = cur.as_array()?.get(n)?;
        }
    }
    Some(cur)
}

/// Splits a path on dots, keeping URN segments (`urn:...:2.0:User`) whole: a key that starts
/// with `urn:` runs to the last `:` segment before the next plain dot-separated name.
fn split_path(path: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if rest.starts_with("urn:") {
            // A URN key is written in brackets-free form and ends at the first '.' followed by a
            // lower-case attribute name after the last ':' segment: take up to the last ':'.
            let colon = rest.rfind(':').unwrap_or(0);
            let end = rest[colon..].find('.').map(|i| colon + i).unwrap_or(rest.len());
            let urn_end = rest[..end].rfind(':').unwrap_or(end);
            // If the segment after the last ':' is an attribute, the URN is the part before it.
            parts.push(&rest[..urn_end]);
            rest = &rest[urn_end + 1..];
            continue;
        }
        match rest.find('.') {
            Some(i) => {
                parts.push(&rest[..i]);
                rest = &rest[i + 1..];
            }
            None => {
                parts.push(rest);
                break;
            }
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_paths() {
        let v = json!({"Resources": [{"name": {"givenName": "B"}}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": {"value": "m"}}});
        assert_eq!(json_path(&v, "Resources[0].name.givenName"), Some(&json!("B")));
        assert_eq!(json_path(&v, "resources[0].NAME.givenname"), Some(&json!("B")));
        assert_eq!(
            json_path(&v, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"),
            Some(&json!("m"))
        );
        assert_eq!(json_path(&v, "Resources[1]"), None);
    }
}
