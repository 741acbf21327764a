//! RFC 9967 asynchronous requests (draft-ietf-scim-events-16 §2.5.1, §3, §4).
//!
//! A POST, PUT, PATCH or DELETE sent with `Prefer: respond-async` is carried out at once, as
//! any other, and when it succeeds it is answered `202 Accepted` with no body, a `Set-Txn`
//! header, `Preference-Applied: respond-async` and the resource's `Location`. Its completion
//! event (`urn:ietf:params:scim:event:misc:asyncresp`, whose payload is the bulk response
//! operation of the request) goes to the tenant's [`Feed`]: one per operation for `/Bulk`,
//! with `txn` `<txn>:<index>`. A refused request is answered at once with its error (a server
//! may always answer synchronously). The feed is read and acknowledged through the RFC 8936
//! poll endpoint, `POST /Events`.
//!
//! The events are unsecured SETs (RFC 8417, `alg: none`): this server and its receivers share
//! the tenant's API key, and the suite checks their claims, not a signature. The feed is kept in
//! memory: a restart loses the events not yet acknowledged (issue 19 asks for an outbox in the
//! database; not done).

use super::{Request, Response, SCIM_PREFIX};
use crate::error::{Result, ScimError};
use base64::Engine as _;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::Mutex;

/// The event URI of an asynchronous request's completion.
pub const ASYNC_RESP: &str = "urn:ietf:params:scim:event:misc:asyncresp";
/// How many unacknowledged events a tenant keeps (the oldest go first).
const FEED_CAP: usize = 10_000;

/// A tenant's events not yet acknowledged: `(jti, SET)`, oldest first.
#[derive(Debug, Default)]
pub struct Feed {
    sets: Mutex<VecDeque<(String, String)>>,
}

impl Feed {
    fn push(&self, jti: String, set: String) {
        let mut sets = self.sets.lock().unwrap_or_else(|p| p.into_inner());
        if sets.len() == FEED_CAP {
            sets.pop_front();
        }
        sets.push_back((jti, set));
    }

    /// RFC 8936 §2.4: drops the acknowledged events (`ack`), then answers up to `maxEvents`
    /// (default 100, at most 1,000) with `moreAvailable`.
    pub fn poll(&self, body: &Value) -> Result<Value> {
        let acks: Vec<&str> = match body.get("ack") {
            None | Some(Value::Null) => vec![],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            Some(_) => return Err(ScimError::invalid_value("ack must be an array of jti strings")),
        };
        let max = match body.get("maxEvents") {
            None | Some(Value::Null) => 100,
            Some(v) => v.as_u64().ok_or_else(|| ScimError::invalid_value("maxEvents must be a number"))?.min(1000),
        } as usize;
        let mut sets = self.sets.lock().unwrap_or_else(|p| p.into_inner());
        sets.retain(|(jti, _)| !acks.contains(&jti.as_str()));
        let out: serde_json::Map<String, Value> =
            sets.iter().take(max).map(|(jti, set)| (jti.clone(), Value::from(set.clone()))).collect();
        Ok(json!({"sets": out, "moreAvailable": sets.len() > max}))
    }
}

/// Whether the client asked for an asynchronous answer (RFC 7240 §4.1) to a write.
pub fn wants_async(req: &Request) -> bool {
    use super::Method::*;
    matches!(req.method, Post | Put | Patch | Delete)
        && req.header("prefer").is_some_and(|p| {
            p.split(',')
                .any(|pref| pref.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("respond-async")))
        })
}

/// The answer to an asynchronous request that was carried out (`done`): 202 with no body, and
/// its completion events on `feed`. A refusal is passed on as it is.
pub fn accept(feed: &Feed, req: &Request, done: Response) -> Response {
    if done.status >= 400 {
        return done;
    }
    let txn = uuid::Uuid::new_v4().simple().to_string();
    let iss = req.base_url.clone();
    let rel = req.path.strip_prefix(SCIM_PREFIX).unwrap_or(&req.path).to_owned();
    let header = |name: &str| done.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    let location = header("location").unwrap_or_else(|| format!("{}{rel}", req.base_url));
    if rel.trim_end_matches('/') == "/Bulk" {
        let ops = done.body.as_ref().and_then(|b| b["Operations"].as_array()).cloned().unwrap_or_default();
        for (i, op) in ops.iter().enumerate() {
            let loc = op["location"].as_str().unwrap_or("");
            let uri = relative(loc, &req.base_url).unwrap_or_else(|| "/Bulk".to_owned());
            emit(feed, &iss, &format!("{txn}:{i}"), &uri, op.clone());
        }
    } else {
        let mut op = json!({"method": req.method.as_str(), "location": location, "status": done.status.to_string()});
        if let Some(v) = header("etag") {
            op["version"] = Value::from(v);
        }
        let uri = relative(&location, &req.base_url).unwrap_or(rel);
        emit(feed, &iss, &txn, &uri, op);
    }
    Response::empty(202)
        .with_header("set-txn", txn)
        .with_header("preference-applied", "respond-async")
        .with_header("location", location)
}

/// `…/scim/v2/Users/x` → `/Users/x`.
fn relative(location: &str, base_url: &str) -> Option<String> {
    location.strip_prefix(base_url).filter(|r| r.starts_with('/')).map(str::to_owned)
}

fn emit(feed: &Feed, iss: &str, txn: &str, uri: &str, payload: Value) {
    let jti = uuid::Uuid::new_v4().simple().to_string();
    let iat = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = json!({
        "iss": iss, "iat": iat, "jti": jti, "txn": txn,
        "sub_id": {"format": "scim", "uri": uri},
        "events": {ASYNC_RESP: payload},
    });
    feed.push(jti, unsecured_jwt(&claims));
}

/// An unsecured JWT (RFC 7519 §6): header and claims, base64url, and an empty signature.
pub fn unsecured_jwt(claims: &Value) -> String {
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.", b64(&json!({"typ": "secevent+jwt", "alg": "none"})), b64(claims))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Method;

    #[test]
    fn an_async_request_is_answered_202_and_its_event_is_polled_once() {
        let mut req = Request::new(Method::Post, "/scim/v2/Users");
        req.base_url = "http://h/scim/v2".into();
        req.headers.push(("prefer".into(), "wait=10, respond-async".into()));
        assert!(wants_async(&req));
        let feed = Feed::default();
        let done = Response::json(201, json!({"id": "u1"})).with_header("location", "http://h/scim/v2/Users/u1");
        let r = accept(&feed, &req, done);
        assert_eq!((r.status, r.body.is_none()), (202, true));
        let txn = r.headers.iter().find(|(k, _)| *k == "set-txn").unwrap().1.clone();
        let polled = feed.poll(&json!({})).unwrap();
        let (jti, set) = polled["sets"].as_object().unwrap().iter().next().unwrap();
        let claims = set.as_str().unwrap().split('.').nth(1).unwrap();
        let claims: Value =
            serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
        assert_eq!(claims["txn"], txn.as_str());
        assert_eq!(claims["sub_id"], json!({"format": "scim", "uri": "/Users/u1"}));
        assert_eq!(claims["events"][ASYNC_RESP]["status"], "201");
        let after = feed.poll(&json!({"ack": [jti]})).unwrap();
        assert_eq!(after["sets"], json!({}), "an acknowledged event is gone");
        // A refusal is answered at once; a read never asks for async.
        let refused = accept(&feed, &req, Response::error(&ScimError::invalid_value("x")));
        assert_eq!(refused.status, 400);
        assert!(!wants_async(&Request::new(Method::Get, "/scim/v2/Users")));
    }
}
