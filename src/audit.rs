//! The audit log: every provisioning change, in order, so that unexpected provisioning or
//! deprovisioning can be monitored (`GET /admin/v1/events?after=N`).
//!
//! The store keeps it: a SCIM write's event is written in the same atomic step as the write
//! (the SQLite transaction, the memory store's lock), so a crash can never keep one without
//! the other. Admin changes (keys, settings, mappings, tenants) are appended on their own.
//! This module only builds events; it does no IO.

use crate::model::Kind;
use crate::store::MemberChange;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// One change: who did what to which resource, a before/after summary, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Its place in the tenant's log, 1-based (assigned by the store).
    pub seq: u64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
}

/// The most events one read returns, and how many when the reader does not say.
pub const PAGE: usize = 1000;
pub const DEFAULT_PAGE: usize = 100;

impl Event {
    /// An event happening now; the store gives it its `seq`.
    pub fn new(
        actor: &str,
        action: &str,
        resource_type: &str,
        resource_id: &str,
        before: Option<Value>,
        after: Option<Value>,
    ) -> Event {
        Event {
            seq: 0,
            at: crate::clock::now(),
            actor: actor.to_owned(),
            action: action.to_owned(),
            resource_type: resource_type.to_owned(),
            resource_id: resource_id.to_owned(),
            before,
            after,
        }
    }

    /// The event of a SCIM write (`op` is `create`, `put`, `patch` or `delete`): the resource's
    /// summary before and after, and what happened to a group's members.
    pub fn of_write(
        actor: &str,
        kind: Kind,
        id: &str,
        op: &str,
        before: Option<&Map<String, Value>>,
        after: Option<&Map<String, Value>>,
        members: Option<&MemberChange>,
    ) -> Event {
        let action = if op == "put" { "replace" } else { op };
        let mut summary_after = after.map(|a| summary(kind, a));
        if let Some(s) = summary_after.as_mut() {
            match (op, members) {
                ("put", _) if kind == Kind::Group => s["members"] = Value::from("replaced"),
                ("create", Some(MemberChange::Delta { add, .. })) if !add.is_empty() => {
                    s["members_added"] = ids_json(add.iter().map(|(m, _)| m));
                }
                ("patch", Some(MemberChange::Replace(all))) => s["members"] = ids_json(all.iter().map(|(m, _)| m)),
                ("patch", Some(MemberChange::Delta { add, remove })) => {
                    s["members_added"] = ids_json(add.iter().map(|(m, _)| m));
                    s["members_removed"] = ids_json(remove.iter());
                }
                _ => {}
            }
        }
        Event::new(actor, action, kind.as_str(), id, before.map(|b| summary(kind, b)), summary_after)
    }
}

/// What the log shows of a resource: its name and, for users, whether it is active.
fn summary(kind: Kind, attrs: &Map<String, Value>) -> Value {
    match kind {
        Kind::Group => json!({"displayName": attrs.get("displayName")}),
        Kind::User => json!({
            "userName": attrs.get("userName"),
            "active": attrs.get("active").and_then(Value::as_bool).unwrap_or(true),
        }),
    }
}

/// Member ids, at most 100 of them.
fn ids_json<'a>(ids: impl ExactSizeIterator<Item = &'a String>) -> Value {
    let n = ids.len();
    let mut v: Vec<Value> = ids.take(100).map(|i| Value::from(i.as_str())).collect();
    if n > 100 {
        v.push(Value::from(format!("... and {} more", n - 100)));
    }
    Value::Array(v)
}

/// A log kept in memory (the memory store's).
#[derive(Debug, Default)]
pub struct Log {
    events: Vec<Event>,
}

impl Log {
    /// Appends an event and returns its sequence number.
    pub fn append(&mut self, mut event: Event) -> u64 {
        event.seq = self.events.len() as u64 + 1;
        self.events.push(event);
        self.events.len() as u64
    }

    /// Up to `limit` (at most [`PAGE`]) events with a sequence number above `after`, and
    /// whether more follow.
    pub fn after(&self, after: u64, limit: usize) -> (Vec<Event>, bool) {
        let rest = self.events.len().saturating_sub(after as usize);
        let page: Vec<Event> = self.events.iter().skip(after as usize).take(limit.min(PAGE)).cloned().collect();
        let more = rest > page.len();
        (page, more)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_event_summarises_the_resource_and_its_member_change() {
        let before: Map<String, Value> = serde_json::from_value(json!({"displayName": "A"})).unwrap();
        let after: Map<String, Value> = serde_json::from_value(json!({"displayName": "B"})).unwrap();
        let delta = MemberChange::Delta { add: vec![("u1".into(), None)], remove: vec!["u2".into()] };
        let e = Event::of_write("okta", Kind::Group, "g1", "patch", Some(&before), Some(&after), Some(&delta));
        assert_eq!((e.action.as_str(), e.resource_type.as_str(), e.actor.as_str()), ("patch", "Group", "okta"));
        assert_eq!(e.before, Some(json!({"displayName": "A"})));
        assert_eq!(e.after, Some(json!({"displayName": "B", "members_added": ["u1"], "members_removed": ["u2"]})));
        let user: Map<String, Value> = serde_json::from_value(json!({"userName": "x", "active": false})).unwrap();
        let put = Event::of_write("okta", Kind::User, "u", "put", None, Some(&user), None);
        assert_eq!((put.action.as_str(), put.after), ("replace", Some(json!({"userName": "x", "active": false}))));
        let many: Vec<String> = (0..150).map(|i| i.to_string()).collect();
        let v = ids_json(many.iter());
        assert_eq!((v.as_array().unwrap().len(), v[100].as_str()), (101, Some("... and 50 more")));
    }

    #[test]
    fn a_log_pages_after_a_sequence_number() {
        let mut log = Log::default();
        for i in 0..5 {
            assert_eq!(log.append(Event::new("a", "x", "T", &i.to_string(), None, None)), i + 1);
        }
        let (page, more) = log.after(2, 2);
        assert_eq!((page.iter().map(|e| e.seq).collect::<Vec<_>>(), more), (vec![3, 4], true));
        assert!(!log.after(4, 10).1, "nothing after the last");
    }
}
