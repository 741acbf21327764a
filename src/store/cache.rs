//! A bounded cache of parsed records in front of SQLite, so that reading a resource by id does
//! not run a query and parse its JSON every time.
//!
//! Coherence: writers put the record they committed (or remove a deleted one) while they still
//! hold the writer connection, and bump the epoch. A reader that missed fills the cache only if
//! no write happened since it started reading (same epoch), so a slow reader can never put back
//! a record older than one a writer already put, nor resurrect a deleted one.

use crate::model::{Kind, Record};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
pub struct RecordCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    epoch: u64,
    map: HashMap<(Kind, String), Arc<Record>>,
    order: VecDeque<(Kind, String)>,
}

/// Records kept (per tenant): a few tens of megabytes at most.
const CAPACITY: usize = 20_000;

impl RecordCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A cached record, or the epoch to pass to [`RecordCache::fill`] after reading it.
    pub fn get(&self, kind: Kind, id: &str) -> Result<Arc<Record>, u64> {
        let inner = self.lock();
        match inner.map.get(&(kind, id.to_owned())) {
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
        inner.map.remove(&(kind, id.to_owned()));
    }
}

impl Inner {
    fn insert(&mut self, kind: Kind, record: Arc<Record>) {
        let key = (kind, record.id.clone());
        if self.map.insert(key.clone(), record).is_none() {
            self.order.push_back(key);
        }
        while self.map.len() > CAPACITY {
            match self.order.pop_front() {
                Some(old) => {
                    self.map.remove(&old);
                }
                None => break,
            }
        }
        // Keys of removed records linger in `order`; keep it from growing without bound.
        if self.order.len() > 2 * CAPACITY {
            let map = &self.map;
            self.order.retain(|k| map.contains_key(k));
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
}
