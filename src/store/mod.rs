//! Storage: the [`Store`] contract and its implementations.
//!
//! A store keeps resources and the group-member relation, enforces uniqueness and ETag
//! preconditions, and applies each write as one atomic step. It knows nothing of HTTP or JSON
//! shapes beyond [`Record`]; the rules of SCIM stay in `model`. Membership is a relation indexed
//! both ways, so `User.groups` and member changes never scan groups.

mod batch;
pub mod cache;
mod checkpoint;
pub mod database;
pub mod durable;
pub mod lookup;
pub mod memory;
pub mod ranks;
pub mod relation;
pub mod sqlite;
mod sqlite_keys;
mod sqlite_list;
mod sqlite_memory;

pub use database::Database;
pub use memory::MemoryStore;
pub use sqlite::SqliteStore;

use crate::error::Result;
use crate::filter::eval::Compiled;
use crate::filter::sort::{SortKey, SortSpec};
use crate::model::{GroupRef, Kind, Member, Record, UniqueKey};
use serde_json::{Map, Value};
use std::sync::Arc;

/// A resource to create.
#[derive(Debug, Clone, Default)]
pub struct NewResource {
    pub attrs: Map<String, Value>,
    pub unique: Vec<UniqueKey>,
    /// Member ids (with the display the client sent); groups only.
    pub members: Vec<(String, Option<String>)>,
    /// Who asks, for the audit event written with the change.
    pub actor: String,
}

/// How a write changes a group's members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberChange {
    /// Set the full membership.
    Replace(Vec<(String, Option<String>)>),
    /// Add and remove only these.
    Delta { add: Vec<(String, Option<String>)>, remove: Vec<String> },
}

/// The new state of a resource, computed from its current state inside the store's write step.
#[derive(Debug, Clone, Default)]
pub struct Update {
    pub attrs: Map<String, Value>,
    pub unique: Vec<UniqueKey>,
    pub members: Option<MemberChange>,
    /// A whole replacement (PUT) rather than a modification (PATCH); named in the change.
    pub put: bool,
    /// Who asks, for the audit event written with the change.
    pub actor: String,
}

/// One provisioning change, written in the same atomic step as the change itself: the outbox
/// the RFC 9967 provisioning events are read from, so an acknowledged write always has its
/// event and an event never exists without its write.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    /// Its place in the tenant's outbox (assigned by the store).
    #[serde(default)]
    pub seq: u64,
    pub kind: String,
    pub id: String,
    /// `create`, `put`, `patch` or `delete`.
    pub op: String,
    pub version: u64,
    /// The attributes created or modified (none for a delete).
    pub attributes: Vec<String>,
    /// For the completion of an asynchronous request (RFC 9967 §2.5.1), not a write: its
    /// `txn`, its subject's URI and the bulk response operation that is the event's payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion: Option<Value>,
}

impl Change {
    /// The change a write makes: `before` is absent for a create, `after` for a delete.
    pub fn of(
        kind: Kind,
        id: &str,
        op: &str,
        version: u64,
        before: Option<&Map<String, Value>>,
        after: Option<&Map<String, Value>>,
        members: bool,
    ) -> Change {
        let mut attributes: Vec<String> = match (before, after) {
            (_, None) => vec![],
            (None, Some(a)) => a.keys().cloned().collect(),
            (Some(b), Some(a)) => {
                let mut keys: Vec<String> =
                    a.iter().filter(|(k, v)| b.get(*k) != Some(*v)).map(|(k, _)| k.clone()).collect();
                keys.extend(b.keys().filter(|k| !a.contains_key(*k)).cloned());
                keys
            }
        };
        if members && after.is_some() {
            attributes.push("members".to_owned());
        }
        attributes.sort();
        attributes.dedup();
        Change {
            seq: 0,
            kind: kind.as_str().to_owned(),
            id: id.to_owned(),
            op: op.to_owned(),
            version,
            attributes,
            completion: None,
        }
    }

    /// The completion of an asynchronous request: `txn`, the subject's URI, the payload.
    pub fn completion(txn: &str, uri: &str, payload: Value) -> Change {
        Change {
            seq: 0,
            kind: String::new(),
            id: String::new(),
            op: "asyncresp".to_owned(),
            version: 0,
            attributes: vec![],
            completion: Some(serde_json::json!({"txn": txn, "uri": uri, "op": payload})),
        }
    }
}

/// A page of a listing.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// How many records match the filter in all.
    pub total: usize,
    /// Shared with the record cache: a page is rendered without copying its records.
    pub records: Vec<Arc<Record>>,
    /// Whether matching records come before this page / after it.
    pub more_before: bool,
    pub more_after: bool,
}

/// A place in a sorted listing: the sort key of a record and its id (the tie-breaker).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Position {
    pub key: SortKey,
    pub id: String,
}

/// Which part of the sorted matches to return.
#[derive(Debug, Clone, PartialEq)]
pub enum Window {
    /// Index pagination: skip `offset` matches (0-based), then take `count`.
    Offset { offset: usize, count: usize },
    /// Keyset pagination: the `count` matches after a position (from the start when `None`).
    After { pos: Option<Position>, count: usize },
    /// Keyset pagination backwards: the `count` matches just before a position.
    Before { pos: Position, count: usize },
}

/// What to list: the matches of a filter, in a sort order (by `id` when none), one window of them.
#[derive(Debug, Clone)]
pub struct ListQuery<'a> {
    pub filter: Option<&'a Compiled>,
    pub sort: Option<&'a SortSpec>,
    pub window: Window,
}

/// The `[start, end)` of a window over matches already sorted in the listing's order; `key`
/// gives a match's position (sort key and id). Shared by every store.
pub fn window_bounds<T>(
    window: &Window,
    sort: Option<&SortSpec>,
    matched: &[T],
    key: impl Fn(&T) -> (&SortKey, &str),
) -> (usize, usize) {
    let total = matched.len();
    match window {
        Window::Offset { offset, count } => ((*offset).min(total), offset.saturating_add(*count).min(total)),
        Window::After { pos, count } => {
            let start = match pos {
                None => 0,
                Some(p) => matched.partition_point(|m| order(sort, key(m), (&p.key, &p.id)).is_le()),
            };
            (start, start.saturating_add(*count).min(total))
        }
        Window::Before { pos, count } => {
            let end = matched.partition_point(|m| order(sort, key(m), (&pos.key, &pos.id)).is_lt());
            (end.saturating_sub(*count), end)
        }
    }
}

/// Whether a write would change nothing: the same attributes, and a member change already in
/// effect (`is_member` answers for one id, `count` gives the group's size). Such a write is not
/// made, so the version and lastModified stay as they are (RFC 7644 §3.5.2.1).
pub fn is_noop(current: &Record, update: &Update, is_member: &dyn Fn(&str) -> bool, count: &dyn Fn() -> usize) -> bool {
    if update.attrs != current.attrs {
        return false;
    }
    match &update.members {
        None => true,
        Some(MemberChange::Delta { add, remove }) => {
            add.iter().all(|(m, _)| is_member(m)) && remove.iter().all(|m| !is_member(m))
        }
        Some(MemberChange::Replace(all)) => all.len() == count() && all.iter().all(|(m, _)| is_member(m)),
    }
}

/// The 409 for a value that another resource of the kind already has.
pub fn clash(kind: Kind, k: &UniqueKey) -> crate::error::ScimError {
    crate::error::ScimError::uniqueness(format!("a {} with {} '{}' already exists", kind.as_str(), k.attr, k.key))
}

/// Orders two positions in a listing's sort order (by id when there is none).
pub fn order(sort: Option<&SortSpec>, a: (&SortKey, &str), b: (&SortKey, &str)) -> std::cmp::Ordering {
    match sort {
        Some(s) => s.compare(a, b),
        None => a.0.cmp(b.0).then_with(|| a.1.cmp(b.1)),
    }
}

/// The read access an update closure gets to the resource's current members.
pub type MembersOf<'a> = &'a dyn Fn() -> Vec<Member>;

/// The storage contract. Every method is one atomic step: a failed write changes nothing.
pub trait Store: Send + Sync + 'static {
    /// Creates a resource; 409 `uniqueness` on a clash, 400 `invalidValue` for an unknown member.
    fn create(&self, kind: Kind, res: NewResource) -> Result<Record>;
    /// Reads a resource.
    fn get(&self, kind: Kind, id: &str) -> Result<Option<Arc<Record>>>;
    /// Replaces a resource with what `f` computes from its current state. `if_match` is checked
    /// in the same step (412 on mismatch); 404 when absent. `f` runs holding the writer: it reads
    /// the group's members through its second argument, and never calls the store.
    fn update(
        &self,
        kind: Kind,
        id: &str,
        if_match: Option<&str>,
        f: &mut dyn FnMut(&Record, MembersOf<'_>) -> Result<Update>,
    ) -> Result<Record>;
    /// Deletes a resource and its memberships; 404 when absent, 412 on `if_match` mismatch.
    /// `actor` is named in the audit event written with it.
    fn delete(&self, kind: Kind, id: &str, if_match: Option<&str>, actor: &str) -> Result<()>;
    /// Lists resources of a kind.
    fn list(&self, kind: Kind, query: &ListQuery<'_>) -> Result<Page>;
    /// A group's members.
    fn members(&self, group_id: &str) -> Result<Vec<Member>>;
    /// The groups a resource belongs to directly.
    fn groups_of(&self, member_id: &str) -> Result<Vec<GroupRef>>;
    /// Up to `limit` changes after `after` (a `seq`), oldest first.
    fn changes(&self, after: u64, limit: usize) -> Result<Vec<Change>>;
    /// Removes the changes with these sequence numbers (acknowledged by the event reader).
    fn forget_changes(&self, seqs: &[u64]) -> Result<()>;
    /// Appends changes that are not writes (the completions of an asynchronous request) to the
    /// outbox, durably, in one step.
    fn record_changes(&self, changes: Vec<Change>) -> Result<()>;
    /// Appends an event to the audit log (SCIM writes write theirs themselves) and returns its
    /// sequence number.
    fn audit(&self, event: crate::audit::Event) -> Result<u64>;
    /// Up to `limit` (at most [`crate::audit::PAGE`]) audit events after `after`, and whether
    /// more follow.
    fn audit_after(&self, after: u64, limit: usize) -> Result<(Vec<crate::audit::Event>, bool)>;
    /// The groups of several resources at once (a page of users), keyed by member id.
    fn groups_of_many(&self, member_ids: &[&str]) -> Result<std::collections::HashMap<String, Vec<GroupRef>>> {
        member_ids.iter().map(|id| Ok(((*id).to_owned(), self.groups_of(id)?))).collect()
    }
}

/// An empty directory of this process for a test's database files, `scimcheck-<name>-<pid>`
/// under the system's temporary directory.
#[cfg(test)]
pub(crate) fn test_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("scimcheck-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

/// Whether an `If-Match` header value matches an ETag (`*` matches anything; a list is allowed).
pub fn if_match_ok(header: &str, etag: &str) -> bool {
    header
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t == etag || t.trim_start_matches("W/") == etag.trim_start_matches("W/"))
}
