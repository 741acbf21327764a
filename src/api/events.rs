//! RFC 9967 asynchronous requests (draft-ietf-scim-events-16 §2.5.1, §3, §4).
//!
//! A POST, PUT, PATCH or DELETE sent with `Prefer: respond-async` is carried out at once, as
//! any other, and when it succeeds it is answered `202 Accepted` with no body, a `Set-Txn`
//! header, `Preference-Applied: respond-async` and the resource's `Location`. Its completion
//! event (`urn:ietf:params:scim:event:misc:asyncresp`, whose payload is the bulk response
//! operation of the request) is written durably to the store's outbox before the 202 goes
//! out: one per operation for `/Bulk`, with `txn` `<txn>:<index>`. A refused request is
//! answered at once with its error (a server may always answer synchronously), and so is one
//! whose completion could not be recorded.
//!
//! Every write also emits a provisioning event (§2.4: `prov:create|put|patch:notice` with the
//! attributes it created or modified, `prov:delete`), read from the store's outbox: the store
//! writes the change in the same transaction as the write, so an acknowledged write always has
//! its event, also after a crash. Both kinds are read and acknowledged through the RFC 8936
//! poll endpoint, `POST /Events`.
//!
//! The events are unsecured SETs (RFC 8417, `alg: none`): this server and its receivers share
//! the tenant's API key, and the suite checks their claims, not a signature. Both kinds are
//! durable with the store: a restart loses none that was not acknowledged.

use super::{Request, Response, SCIM_PREFIX};
use crate::error::{Result, ScimError};
use crate::store::{Change, Store};
use base64::Engine as _;
use serde_json::{Value, json};

/// The event URI of an asynchronous request's completion.
pub const ASYNC_RESP: &str = "urn:ietf:params:scim:event:misc:asyncresp";

/// RFC 8936 §2.4, the poll endpoint: drops the acknowledged events (`ack`), then answers up to
/// `maxEvents` (default 100, at most 1,000) with `moreAvailable`.
pub fn poll(store: &dyn Store, base_url: &str, body: &Value) -> Result<Value> {
    let acks: Vec<&str> = match body.get("ack") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        Some(_) => return Err(ScimError::invalid_value("ack must be an array of jti strings")),
    };
    let max = match body.get("maxEvents") {
        None | Some(Value::Null) => 100,
        Some(v) => v.as_u64().ok_or_else(|| ScimError::invalid_value("maxEvents must be a number"))?.min(1000),
    } as usize;
    acknowledge(store, &acks)?;
    let (sets, more) = pending(store, base_url, max)?;
    let out: serde_json::Map<String, Value> = sets.into_iter().map(|(jti, set)| (jti, Value::from(set))).collect();
    Ok(json!({"sets": out, "moreAvailable": more}))
}

/// Up to `max` events not yet acknowledged, `(jti, SET)`, oldest first, and whether more are
/// waiting: the store's outbox, each change as its provisioning event (jti `prov-<seq>`) or
/// completion event (`async-<seq>`). Read by the poll endpoint and the push dispatcher alike.
pub fn pending(store: &dyn Store, iss: &str, max: usize) -> Result<(Vec<(String, String)>, bool)> {
    let changes = store.changes(0, max + 1)?;
    let sets = changes
        .iter()
        .take(max)
        .map(|c| match &c.completion {
            Some(done) => (format!("async-{}", c.seq), completion_set(c.seq, done, iss)),
            None => (format!("prov-{}", c.seq), provisioning_set(c, iss)),
        })
        .collect();
    Ok((sets, changes.len() > max))
}

/// Forgets the events with these jtis: delivered (push) or acknowledged by the reader (poll).
pub fn acknowledge(store: &dyn Store, jtis: &[&str]) -> Result<()> {
    let seqs: Vec<u64> = jtis
        .iter()
        .filter_map(|j| j.strip_prefix("prov-").or_else(|| j.strip_prefix("async-"))?.parse().ok())
        .collect();
    store.forget_changes(&seqs)
}

/// The completion event of an asynchronous request (RFC 9967 §2.5.1).
fn completion_set(seq: u64, done: &Value, iss: &str) -> String {
    let claims = json!({
        "iss": iss, "iat": time::OffsetDateTime::now_utc().unix_timestamp(), "jti": format!("async-{seq}"),
        "txn": done["txn"],
        "sub_id": {"format": "scim", "uri": done["uri"]},
        "events": {ASYNC_RESP: done["op"]},
    });
    unsecured_jwt(&claims)
}

/// The provisioning event of a change (RFC 9967 §2.4): `prov:<op>:notice` with the attributes
/// created or modified, or `prov:delete` with no payload.
fn provisioning_set(c: &Change, iss: &str) -> String {
    let (uri, payload) = match c.op.as_str() {
        "delete" => (format!("{PROV}:delete"), json!({})),
        op => (format!("{PROV}:{op}:notice"), json!({"attributes": c.attributes})),
    };
    let endpoint = if c.kind == "Group" { "Groups" } else { "Users" };
    let claims = json!({
        "iss": iss, "iat": time::OffsetDateTime::now_utc().unix_timestamp(), "jti": format!("prov-{}", c.seq),
        "txn": format!("{}:{}", c.id, c.version),
        "sub_id": {"format": "scim", "uri": format!("/{endpoint}/{}", c.id), "id": c.id},
        "events": {uri: payload},
    });
    unsecured_jwt(&claims)
}

/// The prefix of the provisioning event URIs.
pub const PROV: &str = "urn:ietf:params:scim:event:prov";

/// The event URIs this server emits (the ServiceProviderConfig's `securityEvents.eventUris`).
pub fn event_uris() -> Vec<String> {
    let mut uris = vec![ASYNC_RESP.to_owned()];
    for op in ["create", "put", "patch"] {
        uris.push(format!("{PROV}:{op}:notice"));
    }
    uris.push(format!("{PROV}:delete"));
    uris
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

/// The answer to an asynchronous request that was carried out (`done`): its completion events
/// recorded durably in `store`'s outbox, then 202 with no body. A refusal is passed on as it is,
/// and so is `done` when the events could not be recorded (a synchronous answer is allowed).
pub fn accept(store: &dyn Store, req: &Request, done: Response) -> Response {
    if done.status >= 400 {
        return done;
    }
    let txn = uuid::Uuid::new_v4().simple().to_string();
    let mut completions = Vec::new();
    let rel = req.path.strip_prefix(SCIM_PREFIX).unwrap_or(&req.path).to_owned();
    let header = |name: &str| done.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    let location = header("location").unwrap_or_else(|| format!("{}{rel}", req.base_url));
    if rel.trim_end_matches('/') == "/Bulk" {
        let ops = done.body.as_ref().and_then(|b| b["Operations"].as_array()).cloned().unwrap_or_default();
        for (i, op) in ops.iter().enumerate() {
            let loc = op["location"].as_str().unwrap_or("");
            let uri = relative(loc, &req.base_url).unwrap_or_else(|| "/Bulk".to_owned());
            completions.push(Change::completion(&format!("{txn}:{i}"), &uri, op.clone()));
        }
    } else {
        let mut op = json!({"method": req.method.as_str(), "location": location, "status": done.status.to_string()});
        if let Some(v) = header("etag") {
            op["version"] = Value::from(v);
        }
        let uri = relative(&location, &req.base_url).unwrap_or(rel);
        completions.push(Change::completion(&txn, &uri, op));
    }
    if let Err(e) = store.record_changes(completions) {
        tracing::error!(error = %e.detail, "could not record the completion of an asynchronous request; answering synchronously");
        return done;
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
        let store = crate::store::MemoryStore::new();
        let done = Response::json(201, json!({"id": "u1"})).with_header("location", "http://h/scim/v2/Users/u1");
        let r = accept(&store, &req, done);
        assert_eq!((r.status, r.body.is_none()), (202, true));
        let txn = r.headers.iter().find(|(k, _)| *k == "set-txn").unwrap().1.clone();
        let polled = poll(&store, "http://h/scim/v2", &json!({})).unwrap();
        let (jti, set) = polled["sets"].as_object().unwrap().iter().next().unwrap();
        let claims = set.as_str().unwrap().split('.').nth(1).unwrap();
        let claims: Value =
            serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
        assert_eq!(claims["txn"], txn.as_str());
        assert_eq!(claims["sub_id"], json!({"format": "scim", "uri": "/Users/u1"}));
        assert_eq!(claims["events"][ASYNC_RESP]["status"], "201");
        assert_eq!(claims["jti"], jti.as_str(), "the jti in the SET is its key in the poll answer");
        let after = poll(&store, "http://h/scim/v2", &json!({"ack": [jti]})).unwrap();
        assert_eq!(after["sets"], json!({}), "an acknowledged event is gone");
        // A refusal is answered at once; a read never asks for async.
        let refused = accept(&store, &req, Response::error(&ScimError::invalid_value("x")));
        assert_eq!(refused.status, 400);
        assert!(!wants_async(&Request::new(Method::Get, "/scim/v2/Users")));
    }
}
