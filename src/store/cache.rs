//! A bounded cache of parsed records in front of SQLite, so that reading a resource by id does
//! not run a query and parse its JSON every time.
//!
//! Size: the caches of all tenants share one budget of records ([`BUDGET`], or `serve
//! --cache-records`). Each keeps at most its share (the budget over the caches alive, and never
//! fewer than [`FLOOR`] or the whole budget when that is smaller), evicting its oldest entries
//! first: one tenant of 100,000 users is cached whole, and a thousand small ones each keep all
//! theirs. The total is at most the budget or [`FLOOR`] records per tenant, whichever is more.
//!
//! Coherence: writers put the record they committed (or remove a deleted one) while they still
//! hold the writer connection, and bump the epoch. A reader that missed fills the cache only if
//! no write happened since it started reading (same epoch), so a slow reader can never put back
//! a record older than one a writer already put, nor resurrect a deleted one.
//!
//! Lookups by id allocate nothing and hash with foldhash (ids are the server's own UUIDs): with
//! an owned key and the standard hasher, the lookup was about 7% of the server's samples in a
//! profile of GET by id at 100,000 users.

use crate::model::{Kind, Record};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Debug)]
pub struct RecordCache {
    inner: Mutex<Inner>,
}

/// Records kept by all caches together by default (about 3.4 KB each: 700 MB at most).
pub const BUDGET: usize = 200_000;
/// The budget of this process.
static LIMIT: AtomicUsize = AtomicUsize::new(BUDGET);
/// The share no cache goes under, however many there are.
pub const FLOOR: usize = 2_000;
/// Caches alive in this process.
static ALIVE: AtomicUsize = AtomicUsize::new(0);

impl Default for RecordCache {
    fn default() -> Self {
        ALIVE.fetch_add(1, Ordering::Relaxed);
        RecordCache { inner: Mutex::default() }
    }
}

impl Drop for RecordCache {
    fn drop(&mut self) {
        ALIVE.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Sets the budget of this process (`serve --cache-records`); 0 turns the caches off.
pub fn set_budget(records: usize) {
    LIMIT.store(records, Ordering::Relaxed);
}

/// How many records one cache may keep now.
fn share() -> usize {
    share_of(LIMIT.load(Ordering::Relaxed), ALIVE.load(Ordering::Relaxed))
}

/// One cache's share of `budget` among `alive` caches.
fn share_of(budget: usize, alive: usize) -> usize {
    (budget / alive.max(1)).max(FLOOR.min(budget))
}

/// Records by id, one map per [`Kind`].
type ById = HashMap<String, Arc<Record>, foldhash::fast::RandomState>;

#[derive(Debug, Default)]
struct Inner {
    epoch: u64,
    maps: [ById; 2],
    order: VecDeque<(Kind, String)>,
}

/// The map of a kind.
fn slot(kind: Kind) -> usize {
    match kind {
        Kind::User => 0,
        Kind::Group => 1,
    }
}

impl RecordCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A cached record, or the epoch to pass to [`RecordCache::fill`] after reading it.
    pub fn get(&self, kind: Kind, id: &str) -> Result<Arc<Record>, u64> {
        let inner = self.lock();
        match inner.maps[slot(kind)].get(id) {
            Some(r) => Ok(Arc::clone(r)),
            None => Err(inner.epoch),
        }
    }

    /// Fills the cache after a miss, unless a write happened since `epoch`.
    pub fn fill(&self, kind: Kind, record: &Arc<Record>, epoch: u64) {
        let mut inner = self.lock();
        if inner.epoch == epoch {
            inner.insert(kind, Arc::clone(record));
        }
    }

    /// A write committed this record (call while holding the writer).
    pub fn put(&self, kind: Kind, record: Arc<Record>) {
        let mut inner = self.lock();
        inner.epoch += 1;
        inner.insert(kind, record);
    }

    /// A write removed this record (call while holding the writer).
    pub fn remove(&self, kind: Kind, id: &str) {
        let mut inner = self.lock();
        inner.epoch += 1;
        inner.maps[slot(kind)].remove(id);
    }
}

impl Inner {
    fn len(&self) -> usize {
        self.maps.iter().map(HashMap::len).sum()
    }

    fn insert(&mut self, kind: Kind, record: Arc<Record>) {
        let id = record.id.clone();
        if self.maps[slot(kind)].insert(id.clone(), record).is_none() {
            self.order.push_back((kind, id));
        }
        let share = share();
        while self.len() > share {
            match self.order.pop_front() {
                Some((kind, id)) => {
                    self.maps[slot(kind)].remove(&id);
                }
                None => break,
            }
        }
        // Keys of removed records linger in `order`; keep it from growing without bound.
        if self.order.len() > 2 * share {
            let maps = &self.maps;
            self.order.retain(|(kind, id)| maps[slot(*kind)].contains_key(id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, version: u64) -> Arc<Record> {
        Arc::new(Record {
            id: id.into(),
            attrs: Default::default(),
            created: String::new(),
            last_modified: String::new(),
            version,
        })
    }

    #[test]
    fn a_reader_cannot_put_back_what_a_writer_replaced_or_removed() {
        let c = RecordCache::default();
        let epoch = c.get(Kind::User, "a").unwrap_err();
        c.put(Kind::User, record("a", 2));
        c.fill(Kind::User, &record("a", 1), epoch);
        assert_eq!(c.get(Kind::User, "a").unwrap().version, 2);
        let epoch = c.get(Kind::User, "b").unwrap_err();
        c.remove(Kind::User, "a");
        c.fill(Kind::User, &record("b", 1), epoch);
        assert!(c.get(Kind::User, "b").is_err() && c.get(Kind::User, "a").is_err());
        let epoch = c.get(Kind::User, "b").unwrap_err();
        c.fill(Kind::User, &record("b", 1), epoch);
        assert_eq!(c.get(Kind::User, "b").unwrap().version, 1);
    }

    #[test]
    fn shares_split_the_budget_above_a_floor_the_budget_caps() {
        assert_eq!(share_of(BUDGET, 1), BUDGET, "one tenant of 100,000 users is cached whole");
        assert_eq!(share_of(BUDGET, 1_000), FLOOR, "a thousand small tenants keep all theirs");
        assert_eq!(share_of(BUDGET, 50), 4_000);
        assert_eq!(share_of(500, 3), 500, "the floor is never more than the budget");
        assert_eq!(share_of(0, 7), 0, "--cache-records 0 keeps nothing");
    }

    #[test]
    fn a_cache_keeps_at_most_its_share_of_the_budget_oldest_out_first() {
        let c = RecordCache::default();
        let others: Vec<RecordCache> = (0..99).map(|_| RecordCache::default()).collect();
        // At least 100 caches are alive (other tests' too): the share is at most 2,000.
        let share = share();
        assert!(share <= BUDGET / 100 && share >= FLOOR, "{share}");
        for i in 0..share + 10 {
            c.put(Kind::User, record(&format!("u{i:05}"), 1));
        }
        assert!(c.get(Kind::User, "u00000").is_err(), "the oldest went first");
        assert!(c.get(Kind::User, &format!("u{:05}", share + 9)).is_ok());
        assert!(c.lock().len() <= share);
        drop(others);
    }
}
