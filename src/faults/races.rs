//! Faults that one request at a time cannot show: a race between concurrent writes, or a cost
//! that grows with a group's size. The conformance suite passes a server with one of these;
//! `scimcheck load` is what catches them (the fault's `caught_by` names the phase).
//!
//! Each is the defect as real servers have it: a uniqueness check before the insert with the
//! database's constraint as the only guard (the loser of a race gets a 500), a member add done
//! as read, modify, write the whole group (concurrent adds overwrite each other), and a group
//! PATCH that rewrites every membership row.

use crate::api::{Method, Request, Response};
use crate::app::App;
use crate::error::ScimError;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

/// `create-race-500`: while a create of a userName is under way, another create of the same
/// name fails with the database's constraint error instead of a 409.
pub fn create_race(app: &App, req: Request, origin: &str) -> Response {
    static IN_FLIGHT: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    let name =
        serde_json::from_slice::<Value>(&req.body).ok().and_then(|b| b["userName"].as_str().map(str::to_lowercase));
    let Some(name) = name else { return app.handle_clean(req, origin) };
    // One set for every server in the process: the key names the server too.
    let key = format!("{:p}/{name}", app);
    let first =
        IN_FLIGHT.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert_with(HashSet::new).insert(key.clone());
    if !first {
        std::thread::sleep(Duration::from_millis(5));
        return Response::error(&ScimError::internal("UNIQUE constraint failed: users.user_name"));
    }
    // The window between the "does it exist?" check and the insert.
    std::thread::sleep(Duration::from_millis(20));
    let resp = app.handle_clean(req, origin);
    if let Some(set) = IN_FLIGHT.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
        set.remove(&key);
    }
    resp
}

/// `member-add-lost-update`: a PATCH that only adds members reads the group, waits, and writes
/// the whole membership back with PUT, so concurrent adds overwrite each other.
pub fn member_add_by_put(app: &App, req: &Request, origin: &str) -> Option<Response> {
    let body: Value = serde_json::from_slice(&req.body).ok()?;
    let ops = body["Operations"].as_array()?;
    let only_adds = ops.iter().all(|o| {
        o["op"].as_str().is_some_and(|op| op.eq_ignore_ascii_case("add"))
            && o["path"].as_str().is_some_and(|p| p.eq_ignore_ascii_case("members"))
    });
    if ops.is_empty() || !only_adds {
        return None;
    }
    let current = app.handle_clean(like(req, Method::Get, None), origin);
    let mut group = current.body.filter(|_| current.status == 200)?;
    std::thread::sleep(Duration::from_millis(10));
    let mut members = group["members"].as_array().cloned().unwrap_or_default();
    for o in ops {
        for m in o["value"].as_array().into_iter().flatten() {
            if !members.iter().any(|have| have["value"] == m["value"]) {
                members.push(json!({"value": m["value"]}));
            }
        }
    }
    group["members"] = Value::Array(members);
    Some(app.handle_clean(like(req, Method::Put, Some(&group)), origin))
}

/// `group-patch-slow`: a group PATCH costs 50 µs per member before it is applied (half a
/// second at 10,000 members).
pub fn slow_by_size(app: &App, req: &Request, origin: &str) {
    let current = app.handle_clean(like(req, Method::Get, None), origin);
    let n = current.body.as_ref().and_then(|b| b["members"].as_array().map(Vec::len)).unwrap_or(0);
    std::thread::sleep(Duration::from_micros(50 * n as u64));
}

/// A request to the same resource, with the same credentials, by another method.
fn like(req: &Request, method: Method, body: Option<&Value>) -> Request {
    let mut r = Request::new(method, &req.path);
    r.headers = req.headers.iter().filter(|(k, _)| k == "authorization" || k == "content-type").cloned().collect();
    r.base_url = req.base_url.clone();
    r.actor = req.actor.clone();
    if let Some(b) = body {
        r.body = serde_json::to_vec(b).unwrap_or_default();
    }
    r
}
