//! The equality lookups an IdP sends before nearly every write (`userName eq`, Entra's
//! `externalId eq`, a group's `displayName eq`), answered from memory next to SQLite: the
//! folded value → the ids holding it, per kind and attribute. In SQL each one was a read
//! transaction on a pooled connection whose page cache every commit of any tenant had
//! invalidated. `emails.value` stays in SQL only: it is rarely asked and multi-valued.
//!
//! Coherence, as for [`super::ranks`]: loaded once by a reader holding the writer connection;
//! from then on every create, update and delete changes it after its commit, still holding
//! the writer connection. The entries are those of the `eq_index` table for these attributes
//! ([`super::memory::index_entries`] makes both).

use crate::model::Kind;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Mutex;

/// The attributes kept here.
pub const KEPT: [&str; 3] = ["userName", "externalId", "displayName"];

/// Per kind and kept attribute: folded value → sorted ids.
type Slots = [HashMap<Box<str>, Vec<Box<str>>>; 6];

/// The in-memory lookups of one tenant (`None` until first needed).
#[derive(Debug, Default)]
pub struct Lookup {
    inner: Mutex<Option<Slots>>,
}

fn slot(kind: Kind, attr: &str) -> Option<usize> {
    let a = KEPT.iter().position(|k| *k == attr)?;
    Some(a + if kind == Kind::User { 0 } else { KEPT.len() })
}

/// The kept entries of a record's attributes: `(slot, folded value)`.
fn entries(kind: Kind, attrs: &Map<String, Value>) -> impl Iterator<Item = (usize, String)> {
    super::memory::index_entries(attrs).into_iter().filter_map(move |(attr, key)| Some((slot(kind, attr)?, key)))
}

impl Lookup {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Slots>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether `attr` is kept here (whether or not it is loaded yet).
    pub fn keeps(attr: &str) -> bool {
        KEPT.contains(&attr)
    }

    pub fn loaded(&self) -> bool {
        self.lock().is_some()
    }

    /// Sets every entry from `(kind, attr, folded value, id)` rows; the caller holds the
    /// writer connection.
    pub fn load(&self, rows: impl IntoIterator<Item = (Kind, String, String, String)>) {
        let mut slots: Slots = Default::default();
        for (kind, attr, key, id) in rows {
            if let Some(s) = slot(kind, &attr) {
                slots[s].entry(key.into()).or_default().push(id.into());
            }
        }
        for ids in slots.iter_mut().flat_map(|m| m.values_mut()) {
            ids.sort_unstable();
        }
        *self.lock() = Some(slots);
    }

    /// The ids whose `attr` folds to `key`, in id order; `None` if not loaded or not kept.
    pub fn ids(&self, kind: Kind, attr: &str, key: &str) -> Option<Vec<String>> {
        let guard = self.lock();
        let map = &guard.as_ref()?[slot(kind, attr)?];
        Some(map.get(key).map(|ids| ids.iter().map(|s| s.to_string()).collect()).unwrap_or_default())
    }

    /// A record written: its entries `before` (none for a create) give way to those `after`
    /// (none for a delete).
    pub fn change(
        &self,
        kind: Kind,
        id: &str,
        before: Option<&Map<String, Value>>,
        after: Option<&Map<String, Value>>,
    ) {
        let mut guard = self.lock();
        let Some(slots) = guard.as_mut() else { return };
        for (s, key) in before.into_iter().flat_map(|a| entries(kind, a)) {
            if let Some(ids) = slots[s].get_mut(key.as_str()) {
                ids.retain(|x| &**x != id);
                if ids.is_empty() {
                    slots[s].remove(key.as_str());
                }
            }
        }
        for (s, key) in after.into_iter().flat_map(|a| entries(kind, a)) {
            let ids = slots[s].entry(key.into()).or_default();
            if let Err(at) = ids.binary_search_by(|x| (**x).cmp(id)) {
                ids.insert(at, id.into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attrs(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn entries_follow_creates_renames_and_deletes_once_loaded() {
        let l = Lookup::default();
        let bjensen = attrs(json!({"userName": "BJensen", "externalId": "x1"}));
        l.change(Kind::User, "a", None, Some(&bjensen));
        assert_eq!(l.ids(Kind::User, "userName", "bjensen"), None, "nothing is kept before the first load");
        l.load([(Kind::User, "externalId".into(), "x1".into(), "c".into())]);
        l.change(Kind::User, "a", None, Some(&bjensen));
        assert_eq!(l.ids(Kind::User, "userName", "bjensen").unwrap(), ["a"], "folded as eq_index folds");
        assert_eq!(l.ids(Kind::User, "externalId", "x1").unwrap(), ["a", "c"], "in id order");
        l.change(Kind::User, "a", Some(&bjensen), Some(&attrs(json!({"userName": "bj2"}))));
        assert_eq!(l.ids(Kind::User, "userName", "bjensen").unwrap(), Vec::<String>::new());
        assert_eq!(l.ids(Kind::User, "externalId", "x1").unwrap(), ["c"]);
        l.change(Kind::User, "a", Some(&attrs(json!({"userName": "bj2"}))), None);
        assert_eq!(l.ids(Kind::User, "userName", "bj2").unwrap(), Vec::<String>::new());
        assert_eq!(l.ids(Kind::Group, "externalId", "x1").unwrap(), Vec::<String>::new(), "each kind on its own");
        assert_eq!(l.ids(Kind::User, "emails.value", "x1"), None, "emails are not kept");
    }
}
