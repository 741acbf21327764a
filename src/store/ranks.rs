//! Every resource's position in id order, per kind, kept in memory next to SQLite, so that an
//! unfiltered page is read by keyset whatever its position: `startIndex` finds the id its page
//! starts at here (an index into a sorted vector), and SQL reads from that id on (`id >= ?`
//! along the primary key). A page at `startIndex` 90,000 of 100,000 costs what page 1 costs,
//! where `LIMIT … OFFSET` walks every row before it.
//!
//! Coherence: the vector of a kind is loaded once, by a reader holding the writer connection,
//! and from then on every create and delete updates it while still holding the writer
//! connection, after its commit. So it always holds the committed ids; a reader that uses a
//! position a moment after a concurrent write still reads a valid page (`id >= ?` tolerates
//! a deleted id), as index paging under concurrent changes allows (RFC 7644 §3.4.2.4).

use crate::model::Kind;
use std::sync::Mutex;

/// Sorted ids per kind (`None` until first needed).
#[derive(Debug, Default)]
pub struct Ranks {
    kinds: Mutex<[Option<Vec<Box<str>>>; 2]>,
}

fn slot(kind: Kind) -> usize {
    match kind {
        Kind::User => 0,
        Kind::Group => 1,
    }
}

impl Ranks {
    fn lock(&self) -> std::sync::MutexGuard<'_, [Option<Vec<Box<str>>>; 2]> {
        self.kinds.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the ids of `kind` are loaded.
    pub fn loaded(&self, kind: Kind) -> bool {
        self.lock()[slot(kind)].is_some()
    }

    /// Sets the ids of `kind` (sorted here); the caller holds the writer connection.
    pub fn load(&self, kind: Kind, mut ids: Vec<Box<str>>) {
        ids.sort_unstable();
        self.lock()[slot(kind)] = Some(ids);
    }

    /// Answers `f` with the sorted ids of `kind`, if loaded.
    pub fn read<T>(&self, kind: Kind, f: impl FnOnce(&[Box<str>]) -> T) -> Option<T> {
        self.lock()[slot(kind)].as_deref().map(f)
    }

    /// A created id (new ids are time-ordered, so this is nearly always a push at the end).
    pub fn insert(&self, kind: Kind, id: &str) {
        if let Some(ids) = self.lock()[slot(kind)].as_mut()
            && let Err(at) = ids.binary_search_by(|x| (**x).cmp(id))
        {
            ids.insert(at, id.into());
        }
    }

    /// A deleted id.
    pub fn remove(&self, kind: Kind, id: &str) {
        if let Some(ids) = self.lock()[slot(kind)].as_mut()
            && let Ok(at) = ids.binary_search_by(|x| (**x).cmp(id))
        {
            ids.remove(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_stay_sorted_through_inserts_and_removes_once_loaded() {
        let r = Ranks::default();
        r.insert(Kind::User, "b");
        assert!(!r.loaded(Kind::User), "nothing is kept before the first load");
        r.load(Kind::User, vec!["c".into(), "a".into()]);
        r.insert(Kind::User, "b");
        r.insert(Kind::User, "d");
        r.insert(Kind::User, "b");
        r.remove(Kind::User, "a");
        r.remove(Kind::User, "zz");
        let ids = r.read(Kind::User, |ids| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        assert_eq!(ids, ["b", "c", "d"]);
        assert_eq!(r.read(Kind::Group, <[Box<str>]>::len), None, "each kind on its own");
    }
}
