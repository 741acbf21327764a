//! The audit log: every provisioning change, in order, so that unexpected provisioning or
//! deprovisioning can be monitored (`GET /admin/v1/events?after=N`).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Mutex;

/// One change: who did what to which resource, a before/after summary, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
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

/// An append-only event log, in memory and, for a durable server, in the database.
#[derive(Debug, Default)]
pub struct Audit {
    events: Mutex<Vec<Event>>,
    sink: Option<(crate::store::Database, String)>,
}

/// The most events one read returns, and how many when the reader does not say.
pub const PAGE: usize = 1000;
pub const DEFAULT_PAGE: usize = 100;

impl Audit {
    /// A log that also appends to the database, starting from the events already stored.
    pub fn persistent(db: crate::store::Database, tenant: &str, stored: Vec<Value>) -> Audit {
        let events = stored.into_iter().filter_map(|v| serde_json::from_value(v).ok()).collect();
        Audit { events: Mutex::new(events), sink: Some((db, tenant.to_owned())) }
    }

    /// Appends an event and returns its sequence number (1-based).
    pub fn record(
        &self,
        actor: &str,
        action: &str,
        resource_type: &str,
        resource_id: &str,
        before: Option<Value>,
        after: Option<Value>,
    ) -> u64 {
        let mut events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        let seq = events.len() as u64 + 1;
        let event = Event {
            seq,
            at: crate::clock::now(),
            actor: actor.to_owned(),
            action: action.to_owned(),
            resource_type: resource_type.to_owned(),
            resource_id: resource_id.to_owned(),
            before,
            after,
        };
        if let Some((db, tenant)) = &self.sink
            && let Err(e) = db.append_event(tenant, seq, &serde_json::to_value(&event).unwrap_or_default())
        {
            tracing::error!(error = %e, "could not store an audit event");
        }
        events.push(event);
        seq
    }

    /// Up to `limit` (at most [`PAGE`]) events with a sequence number above `after`, and
    /// whether more follow.
    pub fn after(&self, after: u64, limit: usize) -> (Vec<Event>, bool) {
        let events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        let rest = events.len().saturating_sub(after as usize);
        let page: Vec<Event> = events.iter().skip(after as usize).take(limit.min(PAGE)).cloned().collect();
        let more = rest > page.len();
        (page, more)
    }
}
