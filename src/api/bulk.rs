//! `POST /Bulk` (RFC 7644 §3.7): many operations in one request, with `bulkId` references.
//!
//! Each operation runs through the same router as a single request (so it gets the same
//! checks and errors) and is atomic on its own; the bulk as a whole is not. Operations whose
//! data or path refer to `bulkId:<id>` of another operation wait until that one has created
//! its resource, so references resolve in any order; references that can never resolve
//! (unknown or circular) fail with 409.

use super::{Api, Method, Request, Response, SCIM_PREFIX};
use crate::error::{Result, ScimError, ScimType};
use crate::schema::registry::{BULK_REQUEST_URN, BULK_RESPONSE_URN};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The most operations one bulk request may carry (advertised as `bulk.maxOperations`).
pub const MAX_OPERATIONS: usize = 1000;

#[derive(Debug, Clone)]
struct BulkOp {
    index: usize,
    method: Method,
    method_name: String,
    bulk_id: Option<String>,
    version: Option<String>,
    path: String,
    data: Option<Value>,
}

/// Handles `POST /Bulk`.
pub fn bulk(api: &Api, req: &Request) -> Result<Response> {
    let body = req.json()?;
    let Value::Object(m) = &body else {
        return Err(ScimError::invalid_syntax("a BulkRequest must be a JSON object"));
    };
    let get = |n: &str| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v);
    let has_urn = get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|u| u.as_str() == Some(BULK_REQUEST_URN)));
    if !has_urn && api.config.strict {
        return Err(ScimError::invalid_syntax(format!("'schemas' must contain '{BULK_REQUEST_URN}'")));
    }
    let Some(Value::Array(raw)) = get("Operations") else {
        return Err(ScimError::invalid_syntax("'Operations' must be an array"));
    };
    if raw.len() > MAX_OPERATIONS {
        return Err(ScimError::payload_too_large(format!(
            "{} operations in one bulk request; maxOperations is {MAX_OPERATIONS}",
            raw.len()
        )));
    }
    // failOnErrors: stop once this many operations failed. RFC 7644 §3.7 only says it is an
    // integer; 0 (like leaving it out) sets no limit.
    let fail_on_errors = match get("failOnErrors") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(0) => None,
            Some(n) => Some(n as usize),
            None => return Err(ScimError::invalid_value("failOnErrors must be a non-negative integer")),
        },
    };
    let mut pending: Vec<BulkOp> = raw.iter().enumerate().map(|(i, op)| parse_op(i, op)).collect::<Result<_>>()?;
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut results: Vec<(usize, Value)> = Vec::new();
    let mut errors = 0;
    // Creations made without the references they could not resolve yet (circular ones), to be
    // completed once every bulkId is known: (index in `results`, operation, location).
    let mut deferred: Vec<(usize, BulkOp, String)> = Vec::new();
    while !pending.is_empty() {
        let ready = pending.iter().position(|op| refs(op).iter().all(|r| ids.contains_key(r)));
        // RFC 7644 §3.7.1: circular references MUST be tried. Create the first POST of the
        // cycle without the references that wait on it, and fill them in at the end.
        let circular = ready.is_none().then(|| {
            let waiting: Vec<&str> = pending.iter().filter_map(|op| op.bulk_id.as_deref()).collect();
            pending.iter().position(|op| {
                op.method == Method::Post
                    && refs(op).iter().all(|r| ids.contains_key(r) || waiting.contains(&r.as_str()))
            })
        });
        if let Some(Some(pos)) = circular {
            let op = pending.remove(pos);
            let partial = BulkOp { data: op.data.as_ref().and_then(|d| strip_unresolved(d, &ids)), ..op.clone() };
            let resp = run(api, req, &partial, &ids);
            if resp.status >= 400 {
                errors += 1;
            } else if let (Some(b), Some(id)) =
                (&op.bulk_id, resp.body.as_ref().and_then(|b| b.get("id")).and_then(Value::as_str))
            {
                ids.insert(b.clone(), id.to_owned());
                deferred.push((results.len(), op.clone(), format!("{}/{id}", op.path.trim_end_matches('/'))));
            }
            results.push((op.index, outcome(&op, &resp, &req.base_url)));
            continue;
        }
        let Some(pos) = ready else {
            // Whatever is left waits on a bulkId that never appears, or on each other.
            for op in pending.drain(..) {
                let e = ScimError::new(
                    409,
                    Some(ScimType::InvalidValue),
                    format!("operation {} refers to bulkId(s) {:?} that are unknown or circular", op.index, refs(&op)),
                );
                results.push((op.index, outcome(&op, &Response::error(&e), &req.base_url)));
            }
            break;
        };
        let op = pending.remove(pos);
        let resp = run(api, req, &op, &ids);
        if resp.status >= 400 {
            errors += 1;
        } else if let (Some(b), Some(id)) =
            (&op.bulk_id, resp.body.as_ref().and_then(|b| b.get("id")).and_then(Value::as_str))
        {
            ids.insert(b.clone(), id.to_owned());
        }
        results.push((op.index, outcome(&op, &resp, &req.base_url)));
        if fail_on_errors.is_some_and(|n| errors >= n) {
            break;
        }
    }
    for (slot, op, path) in deferred {
        let full = BulkOp { method: Method::Put, method_name: "PUT".into(), path, version: None, ..op.clone() };
        let resp = run(api, req, &full, &ids);
        if resp.status >= 400 {
            results[slot].1 = outcome(&op, &resp, &req.base_url);
        }
    }
    results.sort_by_key(|(i, _)| *i);
    Ok(Response::json(
        200,
        json!({"schemas": [BULK_RESPONSE_URN], "Operations": results.into_iter().map(|(_, v)| v).collect::<Vec<_>>()}),
    ))
}

fn parse_op(index: usize, raw: &Value) -> Result<BulkOp> {
    let Value::Object(m) = raw else {
        return Err(ScimError::invalid_syntax(format!("bulk operation {index} must be an object")));
    };
    let get = |n: &str| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v);
    let method_name = get("method").and_then(Value::as_str).unwrap_or("").to_ascii_uppercase();
    let method = match Method::parse(&method_name) {
        Method::Get | Method::Other => {
            return Err(ScimError::invalid_syntax(format!(
                "bulk operation {index}: method must be POST, PUT, PATCH or DELETE"
            )));
        }
        m => m,
    };
    let path = get("path").and_then(Value::as_str).filter(|p| p.starts_with('/')).ok_or_else(|| {
        ScimError::invalid_syntax(format!("bulk operation {index}: 'path' must be a path such as /Users"))
    })?;
    let bulk_id = get("bulkId").and_then(Value::as_str).map(str::to_owned);
    if method == Method::Post && bulk_id.is_none() {
        return Err(ScimError::invalid_syntax(format!("bulk operation {index}: POST needs a bulkId")));
    }
    Ok(BulkOp {
        index,
        method,
        method_name,
        bulk_id,
        version: get("version").and_then(Value::as_str).map(str::to_owned),
        path: path.to_owned(),
        data: get("data").cloned(),
    })
}

/// The bulkIds an operation refers to, in its path or anywhere in its data.
fn refs(op: &BulkOp) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => {
                if let Some(r) = s.strip_prefix("bulkId:") {
                    out.push(r.to_owned());
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(o) => o.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for seg in op.path.split('/') {
        if let Some(r) = seg.strip_prefix("bulkId:") {
            out.push(r.to_owned());
        }
    }
    if let Some(d) = &op.data {
        walk(d, &mut out);
    }
    out
}

/// `v` without the values that hold a bulkId not resolved yet (`None` when nothing is left).
fn strip_unresolved(v: &Value, ids: &HashMap<String, String>) -> Option<Value> {
    match v {
        Value::String(s) => match s.strip_prefix("bulkId:") {
            Some(r) if !ids.contains_key(r) => None,
            _ => Some(v.clone()),
        },
        Value::Array(a) => Some(Value::Array(a.iter().filter_map(|x| strip_unresolved(x, ids)).collect())),
        Value::Object(o) => {
            let kept: Map<String, Value> =
                o.iter().filter_map(|(k, x)| strip_unresolved(x, ids).map(|x| (k.clone(), x))).collect();
            // An object that was only a reference (`{"value": "bulkId:x"}`) goes with it.
            let was_reference = o.values().any(|x| strip_unresolved(x, ids).is_none());
            (!(was_reference && kept.keys().all(|k| k == "type" || k == "display" || k == "$ref")))
                .then_some(Value::Object(kept))
        }
        other => Some(other.clone()),
    }
}

fn substitute(v: &Value, ids: &HashMap<String, String>) -> Value {
    match v {
        Value::String(s) => match s.strip_prefix("bulkId:").and_then(|r| ids.get(r)) {
            Some(id) => Value::from(id.clone()),
            None => v.clone(),
        },
        Value::Array(a) => Value::Array(a.iter().map(|x| substitute(x, ids)).collect()),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, x)| (k.clone(), substitute(x, ids))).collect::<Map<_, _>>())
        }
        other => other.clone(),
    }
}

/// Runs one operation through the router, as its own request.
fn run(api: &Api, outer: &Request, op: &BulkOp, ids: &HashMap<String, String>) -> Response {
    let path: String = op
        .path
        .split('/')
        .map(|seg| match seg.strip_prefix("bulkId:").and_then(|r| ids.get(r)) {
            Some(id) => id.clone(),
            None => seg.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/");
    if path.trim_start_matches('/').starts_with("Bulk") {
        return Response::error(&ScimError::invalid_syntax("a bulk operation cannot be a bulk request"));
    }
    let mut req = Request::new(op.method, &format!("{SCIM_PREFIX}{path}"));
    req.base_url = outer.base_url.clone();
    req.actor = outer.actor.clone();
    req.headers = outer.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("authorization")).cloned().collect();
    req.headers.push(("content-type".into(), "application/scim+json".into()));
    if let Some(v) = &op.version {
        req.headers.push(("if-match".into(), v.clone()));
    }
    if let Some(d) = &op.data {
        req.body = serde_json::to_vec(&substitute(d, ids)).unwrap_or_default();
    }
    api.handle(&req)
}

fn outcome(op: &BulkOp, resp: &Response, base: &str) -> Value {
    let mut o = Map::new();
    o.insert("method".into(), Value::from(op.method_name.clone()));
    if let Some(b) = &op.bulk_id {
        o.insert("bulkId".into(), Value::from(b.clone()));
    }
    o.insert("status".into(), Value::from(resp.status.to_string()));
    // RFC 7644 §3.7.3: a location for every operation but a failed POST.
    let location =
        resp.body.as_ref().and_then(|b| b.pointer("/meta/location")).and_then(Value::as_str).map(str::to_owned);
    match location {
        Some(loc) if resp.status < 400 => {
            o.insert("location".into(), Value::from(loc));
        }
        _ if op.method != Method::Post && !op.path.contains("bulkId:") => {
            o.insert("location".into(), Value::from(format!("{base}{}", op.path)));
        }
        _ => {}
    }
    if resp.status < 400 {
        if let Some(v) = resp.body.as_ref().and_then(|b| b.pointer("/meta/version")).and_then(Value::as_str) {
            o.insert("version".into(), Value::from(v));
        }
    } else if let Some(b) = &resp.body {
        o.insert("response".into(), b.clone());
    }
    Value::Object(o)
}
