//! Storage: the [`Store`] contract and its implementations.
//!
//! A store keeps resources and the group-member relation, enforces uniqueness and ETag
//! preconditions, and applies each write as one atomic step. It knows nothing of HTTP or JSON
//! shapes beyond [`Record`]; the rules of SCIM stay in `model`. Membership is a relation indexed
//! both ways, so `User.groups` and member changes never scan groups.

pub mod memory;

pub use memory::MemoryStore;

use crate::error::Result;
use crate::model::{GroupRef, Kind, Member, Record, UniqueKey};
use serde_json::{Map, Value};

/// A resource to create.
#[derive(Debug, Clone, Default)]
pub struct NewResource {
    pub attrs: Map<String, Value>,
    pub unique: Vec<UniqueKey>,
    /// Member ids (with the display the client sent); groups only.
    pub members: Vec<(String, Option<String>)>,
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
#[derive(Debug, Clone)]
pub struct Update {
    pub attrs: Map<String, Value>,
    pub unique: Vec<UniqueKey>,
    pub members: Option<MemberChange>,
}

/// A page of a listing.
#[derive(Debug, Clone)]
pub struct Page {
    pub total: usize,
    pub records: Vec<Record>,
}

/// What to list: everything of a kind matching a predicate, one window of it, in id order.
pub struct ListQuery<'a> {
    pub filter: Option<&'a (dyn Fn(&Record) -> bool + Sync)>,
    /// 0-based offset.
    pub offset: usize,
    pub count: usize,
}

impl std::fmt::Debug for ListQuery<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListQuery").field("offset", &self.offset).field("count", &self.count).finish()
    }
}

/// The read access an update closure gets to the resource's current members.
pub type MembersOf<'a> = &'a dyn Fn() -> Vec<Member>;

/// The storage contract. Every method is one atomic step: a failed write changes nothing.
pub trait Store: Send + Sync + 'static {
    /// Creates a resource; 409 `uniqueness` on a clash, 400 `invalidValue` for an unknown member.
    fn create(&self, kind: Kind, res: NewResource) -> Result<Record>;
    /// Reads a resource.
    fn get(&self, kind: Kind, id: &str) -> Result<Option<Record>>;
    /// Replaces a resource with what `f` computes from its current state. `if_match` is checked
    /// in the same step (412 on mismatch); 404 when absent.
    fn update(
        &self,
        kind: Kind,
        id: &str,
        if_match: Option<&str>,
        f: &mut dyn FnMut(&Record, MembersOf<'_>) -> Result<Update>,
    ) -> Result<Record>;
    /// Deletes a resource and its memberships; 404 when absent, 412 on `if_match` mismatch.
    fn delete(&self, kind: Kind, id: &str, if_match: Option<&str>) -> Result<()>;
    /// Lists resources of a kind.
    fn list(&self, kind: Kind, query: &ListQuery<'_>) -> Result<Page>;
    /// A group's members.
    fn members(&self, group_id: &str) -> Result<Vec<Member>>;
    /// The groups a resource belongs to directly.
    fn groups_of(&self, member_id: &str) -> Result<Vec<GroupRef>>;
}

/// Whether an `If-Match` header value matches an ETag (`*` matches anything; a list is allowed).
pub fn if_match_ok(header: &str, etag: &str) -> bool {
    header
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t == etag || t.trim_start_matches("W/") == etag.trim_start_matches("W/"))
}
