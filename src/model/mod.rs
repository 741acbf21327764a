//! The SCIM resource model: what a stored resource is, how client input becomes one, and how
//! one becomes a response body.
//!
//! Pure code: no IO, no async. [`normalize`] turns a request body into canonical attributes
//! (schema spelling, coerced types, readOnly values dropped, requirements checked);
//! [`render`] turns a stored [`Record`] back into the JSON a client sees, through a
//! [`Projection`].

pub mod fold;
pub mod normalize;
pub mod projection;
pub mod render;

pub use fold::fold;
pub use normalize::{Mode, Normalized, normalize};
pub use projection::Projection;
pub use render::render;

use serde_json::{Map, Value};

/// The two kinds of resource the server stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    User,
    Group,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::User => "User",
            Kind::Group => "Group",
        }
    }
    pub fn endpoint(self) -> &'static str {
        match self {
            Kind::User => "Users",
            Kind::Group => "Groups",
        }
    }
}

/// A stored resource: its id, canonical attributes (no `id`, `meta`, `members` or `groups`:
/// those are the store's own) and its metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: String,
    pub attrs: Map<String, Value>,
    pub created: String,
    pub last_modified: String,
    pub version: u64,
}

impl Record {
    /// The weak ETag of this version (RFC 7644 §3.14), equal to `meta.version`.
    pub fn etag(&self) -> String {
        etag(self.version)
    }
}

/// The weak ETag for a version number.
pub fn etag(version: u64) -> String {
    format!("W/\"{version:x}\"")
}

/// One group member: the member's id, the `display` the client sent, and its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub value: String,
    pub display: Option<String>,
    pub kind: Kind,
}

/// A group a user belongs to, as `User.groups` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRef {
    pub id: String,
    pub display: Option<String>,
}

/// A value that must be unique among resources of a kind: the attribute's name and its key
/// (lower-cased when the attribute is not caseExact).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UniqueKey {
    pub attr: String,
    pub key: String,
}
