//! RFC 9967 steps: what an asynchronous answer carries, and the completion events read from
//! the target's RFC 8936 poll endpoint (`check --events-poll URL`) or pushed to the suite's
//! receiver (`check --events-listen ADDR`, RFC 8935). A server may always answer
//! synchronously, so the checks on a 202 say "if the answer is asynchronous".

use crate::suite::report::{Level, Outcome, ScenarioResult, StepRecord};
use crate::suite::world::{AuthMode, ScimWorld, inconclusive};
use base64::Engine as _;
use cucumber::then;
use serde_json::{Value, json};

fn is_async(w: &ScimWorld) -> bool {
    w.last().status == 202
}

#[then(expr = "if the answer is asynchronous, it has no body")]
async fn async_no_body(w: &mut ScimWorld) {
    let ex = w.last();
    assert!(!is_async(w) || ex.response_body.trim().is_empty(), "expected a 202 with no body, got one\n{ex}");
}

#[then(regex = r#"^if the answer is asynchronous, it carries the header "([^"]+)"(?: with "([^"]*)")?$"#)]
async fn async_header(w: &mut ScimWorld, name: String, value: String) {
    if !is_async(w) {
        return;
    }
    let got = w.header(&name).map(str::to_owned);
    let ok = got.as_deref().is_some_and(|g| !g.is_empty() && (value.is_empty() || g.eq_ignore_ascii_case(&value)));
    let want = if value.is_empty() { format!("a {name} header") } else { format!("{name}: {value}") };
    assert!(ok, "expected {want} on the 202, got {}\n{}", got.unwrap_or_else(|| "none".into()), w.last());
}

/// Reads the poll endpoint until it has nothing more, acknowledging what it read, and keeps
/// every event in the run's shared log (`Target::events`). Without one, the events are pushed
/// to the suite's receiver, which fills the log itself.
async fn drain(w: &mut ScimWorld) {
    let Some(poll) = w.target.discovery.events_poll.clone() else { return };
    let mut ack: Vec<String> = Vec::new();
    for _ in 0..100 {
        let body = json!({"ack": ack, "maxEvents": 1000, "returnImmediately": true}).to_string();
        w.send("POST", &poll, Some(&body), &[], AuthMode::Default).await;
        assert_eq!(w.last().status, 200, "expected the poll endpoint to answer 200\n{}", w.last());
        let answer = w.body().clone();
        ack = absorb(&w.target.events, &answer);
        if answer["moreAvailable"] != Value::Bool(true) {
            break;
        }
    }
    if !ack.is_empty() {
        let body = json!({"ack": ack, "maxEvents": 0, "returnImmediately": true}).to_string();
        w.send("POST", &poll, Some(&body), &[], AuthMode::Default).await;
    }
}

/// The events in the run's log that `keep` selects, after reading the poll endpoint (again,
/// for a moment, when none is there yet).
async fn find(w: &mut ScimWorld, keep: impl Fn(&Value) -> bool) -> Vec<Value> {
    for _ in 0..20 {
        drain(w).await;
        let found: Vec<Value> =
            w.target.events.lock().unwrap_or_else(|p| p.into_inner()).iter().filter(|e| keep(e)).cloned().collect();
        if !found.is_empty() {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    vec![]
}

/// Remembers as `events` the decoded claims of the events whose `txn` is the last answer's
/// `Set-Txn`, or starts with it and a colon (bulk operations). Inconclusive when the last
/// answer was not asynchronous.
#[then(expr = "I read the completion events of that request")]
async fn read_events(w: &mut ScimWorld) {
    if !is_async(w) {
        inconclusive(format!(
            "the server answered the request synchronously ({}), so it emitted no completion event",
            w.last().status
        ));
    }
    let txn = w.header("set-txn").unwrap_or("").to_owned();
    let found = find(w, |c| {
        !txn.is_empty() && c["txn"].as_str().is_some_and(|t| t == txn || t.starts_with(&format!("{txn}:")))
    })
    .await;
    // What an asynchronous bulk created is removed after the scenario, like any other.
    for e in &found {
        let op = &e["events"][crate::api::events::ASYNC_RESP];
        if op["status"] == "201"
            && let Some(loc) = op["location"].as_str()
        {
            let loc = crate::suite::world::resolve(&w.last().url, loc);
            w.track(loc);
        }
    }
    w.vars.insert("events".into(), Value::Array(found).to_string());
    w.vars.insert("txn".into(), txn);
}

/// RFC 9967 §2.4: the provisioning events about a resource, as their short names (`create`,
/// `patch`, `put`, `delete`), each checked for its payload. Compared as a set of names with
/// their counts, not in order: a poll answer's `sets` is a JSON object (RFC 8936 §2.4), whose
/// members have no order, and `prov-100` sorts before `prov-99` as a key. (Comparing in the
/// order read made this verdict change between identical runs.)
#[then(expr = "the provisioning events of {string} are {string}")]
async fn provisioning(w: &mut ScimWorld, alias: String, want: String) {
    let id = w.vars.get(&alias).cloned().unwrap_or_else(|| panic!("no resource remembered as '{alias}'"));
    let want: Vec<&str> = want.split(',').map(str::trim).collect();
    let prefix = format!("{}:", crate::api::events::PROV);
    let mut got: Vec<(String, Value)> = Vec::new();
    for _ in 0..5 {
        let evs = find(w, |c| c["sub_id"]["uri"].as_str().is_some_and(|u| u.ends_with(&format!("/{id}")))).await;
        got = evs
            .into_iter()
            .flat_map(|e| {
                let events = e["events"].as_object().cloned().unwrap_or_default();
                events.into_iter().filter(|(uri, _)| uri.starts_with(&prefix)).collect::<Vec<_>>()
            })
            .collect();
        if got.len() >= want.len() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mut names: Vec<String> = got
        .iter()
        .map(|(uri, _)| {
            uri.trim_start_matches(&prefix).trim_end_matches(":notice").trim_end_matches(":full").to_owned()
        })
        .collect();
    let mut want = want;
    names.sort();
    want.sort();
    assert_eq!(names, want, "expected the provisioning events {want:?} about {id} (in any order), read {names:?}");
    for (uri, payload) in &got {
        let has = |k: &str| payload.get(k).is_some();
        let ok = if uri.ends_with(":delete") {
            !has("data") && !has("attributes")
        } else {
            has("data") != has("attributes") && (uri.ends_with(":full") == has("data"))
        };
        assert!(ok, "expected {uri} to carry exactly one of data (full) or attributes (notice), got {payload}");
    }
}

/// Keeps the events of a poll answer in the run's log (once per jti); the jtis to acknowledge.
fn absorb(log: &std::sync::Mutex<Vec<Value>>, answer: &Value) -> Vec<String> {
    let mut log = log.lock().unwrap_or_else(|p| p.into_inner());
    let mut ack = Vec::new();
    for (jti, set) in answer["sets"].as_object().into_iter().flatten() {
        ack.push(jti.clone());
        if let Some(c) = set.as_str().and_then(claims)
            && !log.iter().any(|e| e["jti"] == c["jti"])
        {
            log.push(c);
        }
    }
    ack
}

/// The claims of a SET (a JWT): its middle part, base64url-decoded.
pub(crate) fn claims(set: &str) -> Option<Value> {
    let part = set.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn events(w: &ScimWorld) -> Vec<Value> {
    serde_json::from_str::<Value>(w.vars.get("events").map(String::as_str).unwrap_or("[]"))
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
}

#[then(expr = "a completion event carries the Set-Txn value as its txn")]
async fn txn_matches(w: &mut ScimWorld) {
    let txn = w.vars.get("txn").cloned().unwrap_or_default();
    assert!(
        events(w)
            .iter()
            .any(|e| e["txn"] == txn.as_str() || e["txn"].as_str().is_some_and(|t| t.starts_with(&format!("{txn}:")))),
        "expected an event whose txn is the Set-Txn \"{txn}\" of the 202, found none among the events read"
    );
}

#[then(expr = "every completion event names its subject with sub_id of format scim, and not with sub")]
async fn sub_id(w: &mut ScimWorld) {
    let evs = events(w);
    if evs.is_empty() {
        inconclusive("no event of the request was found, so its subject cannot be checked");
    }
    for e in &evs {
        let ok = e["sub_id"]["format"] == "scim" && e["sub_id"]["uri"].as_str().is_some_and(|u| !u.is_empty());
        assert!(ok && e.get("sub").is_none(), "expected sub_id {{format: scim, uri}} and no sub, got {e}");
    }
}

#[then(expr = "the bulk's {int} operations each have one completion event, with txn <Set-Txn>:<index>")]
async fn bulk_txns(w: &mut ScimWorld, n: usize) {
    let txn = w.vars.get("txn").cloned().unwrap_or_default();
    let evs = events(w);
    for i in 0..n {
        let want = format!("{txn}:{i}");
        let count = evs.iter().filter(|e| e["txn"] == want.as_str()).count();
        assert_eq!(
            count,
            1,
            "expected one event with txn \"{want}\", found {count} among {}",
            Value::Array(evs.clone())
        );
    }
}

/// Where the run's events come from, after the run: the poll endpoint (read again here) or the
/// receiver filling `log`.
#[derive(Debug)]
pub struct EventSource<'a> {
    pub client: &'a reqwest::Client,
    pub poll: Option<&'a str>,
    pub headers: &'a [(String, String)],
    pub log: &'a std::sync::Mutex<Vec<Value>>,
}

impl EventSource<'_> {
    /// Reads the poll endpoint until it has nothing more, acknowledging what it read.
    async fn drain(&self) {
        let Some(poll) = self.poll else { return };
        let mut ack: Vec<String> = Vec::new();
        for _ in 0..100 {
            let mut req = self.client.post(poll).header("content-type", "application/scim+json");
            for (k, v) in self.headers {
                req = req.header(k, v);
            }
            let body = json!({"ack": ack, "maxEvents": 1000, "returnImmediately": true}).to_string();
            let Ok(answer) = req.body(body).send().await else { return };
            let Ok(answer) = answer.json::<Value>().await else { return };
            ack = absorb(self.log, &answer);
            if answer["moreAvailable"] != Value::Bool(true) {
                break;
            }
        }
    }
}

/// RFC 9967 §2.5.1.1 over the whole run: every `Set-Txn` the run received (`txns`: the value
/// and the request) has a completion event whose `txn` is it, or it and a colon (bulk). Read
/// after every scenario, for up to 5 s, so that a slow emitter is not a missing one.
pub async fn none_missing(src: &EventSource<'_>, txns: &[(String, String)]) -> ScenarioResult {
    let mut missing: Vec<&(String, String)> = txns.iter().collect();
    for _ in 0..25 {
        src.drain().await;
        {
            let log = src.log.lock().unwrap_or_else(|p| p.into_inner());
            missing.retain(|(txn, _)| {
                !log.iter().any(|e| e["txn"].as_str().is_some_and(|t| t == txn || t.starts_with(&format!("{txn}:"))))
            });
        }
        if missing.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let outcome = if missing.is_empty() {
        Outcome::Passed
    } else {
        let list: Vec<String> = missing.iter().take(10).map(|(t, r)| format!("{t} ({r})")).collect();
        Outcome::Failed(format!(
            "expected a completion event for every Set-Txn the run received; {} of {} have none after 5 s: {}",
            missing.len(),
            txns.len(),
            list.join(", ")
        ))
    };
    let status = if matches!(outcome, Outcome::Passed) { "passed" } else { "failed" };
    ScenarioResult {
        feature: "RFC 9967 asynchronous requests and their completion events".into(),
        path: "features/events.feature".into(),
        name: "Every asynchronous write of the run had its completion event (checked after the run)".into(),
        line: 0,
        tags: vec!["events".into(), "rfc9967".into(), "rfc9967-2.5.1.1-txn-match".into(), "must".into()],
        level: Level::Must,
        steps: vec![StepRecord {
            keyword: "Then".into(),
            text: format!("each of the {} Set-Txn values the run received has its completion event", txns.len()),
            status,
        }],
        outcome,
        transcript: vec![],
        duration_ms: 0,
    }
}
