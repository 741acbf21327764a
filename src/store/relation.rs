//! The group-member relation of the SQLite store, also kept in memory from member to groups
//! (with each group's displayName), so that reading a user (`User.groups`, on every GET) or a
//! page of users asks no SQL: that query was a third of the cost of a GET by id.
//!
//! Coherence, as for [`super::ranks`]: it is loaded once by a reader holding the writer
//! connection, and every write that changes memberships or a group's name updates it after its
//! commit while still holding the writer connection. A PUT of a group's members, which would
//! need the old members, drops the whole relation instead; the next read loads it again.

use crate::model::GroupRef;
use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

/// Keyed by the server's own ids: foldhash, as in [`super::cache`].
type Map<V> = HashMap<String, V, foldhash::fast::RandomState>;

#[derive(Debug, Default)]
struct Inner {
    /// member id → the groups it is a direct member of.
    of: Map<BTreeSet<String>>,
    /// group id → its displayName (a group absent here does not exist).
    display: Map<Option<String>>,
}

/// The in-memory relation (`None` until first needed, or after it was dropped).
#[derive(Debug, Default)]
pub struct Relation {
    inner: Mutex<Option<Inner>>,
}

impl Relation {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Inner>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn loaded(&self) -> bool {
        self.lock().is_some()
    }

    /// Sets the relation from every `(member, group)` row and every group's displayName; the
    /// caller holds the writer connection.
    pub fn load(&self, rows: Vec<(String, String)>, groups: Vec<(String, Option<String>)>) {
        let mut inner = Inner { of: Map::default(), display: groups.into_iter().collect() };
        for (member, group) in rows {
            inner.of.entry(member).or_default().insert(group);
        }
        *self.lock() = Some(inner);
    }

    /// Forgets everything; the next read loads it again.
    pub fn drop_all(&self) {
        *self.lock() = None;
    }

    /// The groups of a member, by group id, if loaded.
    pub fn groups_of(&self, member: &str) -> Option<Vec<GroupRef>> {
        let guard = self.lock();
        let inner = guard.as_ref()?;
        let groups = inner.of.get(member).into_iter().flatten();
        Some(groups.filter_map(|g| Some(GroupRef { id: g.clone(), display: inner.display.get(g)?.clone() })).collect())
    }

    /// A group created or renamed.
    pub fn name(&self, group: &str, display: Option<String>) {
        if let Some(inner) = self.lock().as_mut() {
            inner.display.insert(group.to_owned(), display);
        }
    }

    pub fn add(&self, group: &str, member: &str) {
        if let Some(inner) = self.lock().as_mut() {
            inner.of.entry(member.to_owned()).or_default().insert(group.to_owned());
        }
    }

    pub fn remove(&self, group: &str, member: &str) {
        if let Some(inner) = self.lock().as_mut()
            && let Some(groups) = inner.of.get_mut(member)
        {
            groups.remove(group);
            if groups.is_empty() {
                inner.of.remove(member);
            }
        }
    }

    /// A deleted group: it is no one's group any more (the member entries naming it are skipped
    /// from now on; group ids are never reused).
    pub fn forget_group(&self, group: &str) {
        if let Some(inner) = self.lock().as_mut() {
            inner.display.remove(group);
        }
    }

    /// A deleted resource that may have been a member: it belongs to no group any more.
    pub fn forget_member(&self, member: &str) {
        if let Some(inner) = self.lock().as_mut() {
            inner.of.remove(member);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_map_to_their_groups_with_names_until_dropped() {
        let r = Relation::default();
        r.add("g1", "u1");
        assert!(r.groups_of("u1").is_none(), "nothing is answered before the load");
        r.load(vec![("u1".into(), "g1".into())], vec![("g1".into(), Some("One".into())), ("g2".into(), None)]);
        r.add("g2", "u1");
        r.name("g1", Some("Uno".into()));
        let names: Vec<(String, Option<String>)> =
            r.groups_of("u1").unwrap().into_iter().map(|g| (g.id, g.display)).collect();
        assert_eq!(names, [("g1".to_owned(), Some("Uno".to_owned())), ("g2".to_owned(), None)]);
        r.remove("g1", "u1");
        r.forget_member("u2");
        assert_eq!(r.groups_of("u1").unwrap().len(), 1);
        r.forget_member("u1");
        assert_eq!(r.groups_of("u1").unwrap(), vec![]);
        r.drop_all();
        assert!(!r.loaded());
    }
}
