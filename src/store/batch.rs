//! Write batches: the resource writes of several requests committed as one SQLite transaction.
//!
//! Under load, most of a write's cost was its own COMMIT: the WAL frames of every page it
//! touched, and a sweep of the writer's whole page cache whenever a B-tree split had renumbered
//! pages (SQLite parks a page at a temporary number past the end of the file, and the end of the
//! transaction then scans every cache slot for pages beyond it). So a resource write joins the
//! writer's open transaction as a savepoint of its own ([`Batch`]), and the syncer commits the
//! transaction just before its next fsync (`durable`), or the write that makes it [`MOST`] does.
//! A batch holds the writes made during the fsync before it: about one per request in flight.
//!
//! What a write must not lose by this:
//! - *Its own atomicity*: a write that fails rolls back to its savepoint; the others stay.
//! - *Durability*: a write is acknowledged after the fsync that follows the COMMIT of its batch
//!   (its [`Ticket`] is that commit's number); if the COMMIT fails, every write in the batch
//!   fails, none acknowledged.
//! - *What readers see*: the in-memory caches learn a write only once its batch committed (each
//!   write leaves what they should learn as a closure, run after the COMMIT).
//! - *What the next write reads*: a record written earlier in the open batch is read from the
//!   transaction, not from the cache, which does not know it yet ([`Batch::touched`]).
//!
//! Anything else that takes the writer ([`Writer::settle`], called by `Database::write` and the
//! checkpointer) commits the open batch first, so it never sees a transaction it did not start.

use super::database::{Cached as _, Ticket};
use super::durable::Gate;
use crate::error::Result;
use rusqlite::Connection;
use std::collections::HashSet;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, MutexGuard};

/// The most writes one batch takes before it commits, whoever waits: a write's answer waits for
/// its batch.
pub(crate) const MOST: usize = 32;

/// What the caches learn once a batch committed.
pub(crate) type AfterCommit = Box<dyn FnOnce() + Send>;

/// The writer connection and the batch open on it.
pub(crate) struct Writer {
    conn: Connection,
    /// `None` for an in-memory database: every batch then commits at once.
    gate: Option<Arc<Gate>>,
    open: Option<Open>,
}

/// A batch whose transaction is open.
#[derive(Default)]
struct Open {
    writes: usize,
    after: Vec<AfterCommit>,
    /// `(tenant, id)` of the resources written in it.
    touched: HashSet<(String, String)>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").field("open", &self.open.as_ref().map(|o| o.writes)).finish_non_exhaustive()
    }
}

impl Deref for Writer {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl DerefMut for Writer {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

impl Drop for Writer {
    /// What the batch holds is committed before the connection closes (its writes wait for it).
    fn drop(&mut self) {
        let _ = self.settle();
    }
}

impl Writer {
    pub(crate) fn new(conn: Connection, gate: Option<Arc<Gate>>) -> Writer {
        Writer { conn, gate, open: None }
    }

    /// The number the next commit will have, to wait on for durability.
    fn upcoming(&self) -> Ticket {
        Ticket(self.gate.as_ref().map_or(0, |g| g.upcoming()))
    }

    /// Commits the open batch, if any, and runs what its writes left for the caches. When the
    /// COMMIT fails (or SQLite had already rolled the transaction back), the batch is rolled
    /// back and its commit number recorded as failed: none of its writes is acknowledged.
    pub(crate) fn settle(&mut self) -> std::result::Result<(), String> {
        let Some(open) = self.open.take() else { return Ok(()) };
        if open.writes == 0 {
            if !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            return Ok(());
        }
        let result = if self.conn.is_autocommit() {
            Err("SQLite rolled the batch's transaction back after an error".to_owned())
        } else {
            self.conn.exec_c("COMMIT", []).map(|_| ()).map_err(|e| format!("the commit failed: {e}"))
        };
        match result {
            Ok(()) => {
                open.after.into_iter().for_each(|f| f());
                if let Some(g) = &self.gate {
                    g.committed();
                }
                Ok(())
            }
            Err(why) => {
                if !self.conn.is_autocommit() {
                    let _ = self.conn.execute_batch("ROLLBACK");
                }
                if let Some(g) = &self.gate {
                    g.failed(&why);
                }
                Err(why)
            }
        }
    }
}

/// One write in the writer's open batch, inside its own savepoint. [`Batch::done`] keeps it;
/// dropped before that, it is rolled back.
pub(crate) struct Batch<'a> {
    w: MutexGuard<'a, Writer>,
    done: bool,
}

impl<'a> Batch<'a> {
    /// Joins the open batch (opening one) with a savepoint of this write's own.
    pub(crate) fn join(mut w: MutexGuard<'a, Writer>) -> Result<Batch<'a>> {
        if w.open.is_some() && w.conn.is_autocommit() {
            // SQLite ended the transaction after an error: what the batch held is gone.
            let _ = w.settle();
        }
        if w.open.is_none() {
            w.conn.exec_c("BEGIN IMMEDIATE", []).map_err(super::database::db_err)?;
            w.open = Some(Open::default());
        }
        w.conn.exec_c("SAVEPOINT write", []).map_err(super::database::db_err)?;
        Ok(Batch { w, done: false })
    }

    /// Whether resource `id` of `tenant` was written earlier in this batch (the cache does not
    /// know it yet: read it from the transaction).
    pub(crate) fn touched(&self, tenant: &str, id: &str) -> bool {
        self.w.open.as_ref().is_some_and(|o| o.touched.contains(&(tenant.to_owned(), id.to_owned())))
    }

    /// Keeps this write: `after` runs once the batch committed. The ticket to wait on before
    /// acknowledging it; an error when its batch committed at once and failed.
    pub(crate) fn done(mut self, tenant: &str, id: &str, after: AfterCommit) -> Result<Ticket> {
        self.w.conn.exec_c("RELEASE write", []).map_err(super::database::db_err)?;
        self.done = true;
        let ticket = self.w.upcoming();
        let open = self.w.open.get_or_insert_with(Open::default);
        open.writes += 1;
        open.after.push(after);
        open.touched.insert((tenant.to_owned(), id.to_owned()));
        self.close().map_err(|why| super::durable::not_durable(&why))?;
        Ok(ticket)
    }

    /// Leaves the batch to the syncer (see [`Gate::dirty`]), unless it is full or empty, or has no
    /// syncer (an in-memory database): then commits it.
    fn close(&mut self) -> std::result::Result<(), String> {
        let writes = self.w.open.as_ref().map_or(0, |o| o.writes);
        match &self.w.gate {
            Some(g) if writes > 0 && writes < MOST => {
                g.dirty();
                Ok(())
            }
            _ => self.w.settle(),
        }
    }
}

impl Deref for Batch<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.w.conn
    }
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        if !self.done {
            // A savepoint SQLite already dropped (with its transaction) fails here: `settle`
            // then finds the transaction gone.
            let _ = self.w.conn.execute_batch("ROLLBACK TO write; RELEASE write");
            let _ = self.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use crate::store::{NewResource, Store, Update};
    use std::sync::Mutex;

    /// A writer on a fresh WAL database with a table `t (k, p)` whose `p` must name a row of
    /// `p` by the end of the transaction (a COMMIT that fails on demand), its gate, and the path.
    fn writer(name: &str) -> (Mutex<Writer>, Arc<Gate>, std::path::PathBuf) {
        let path = crate::store::test_dir(&format!("batch-{name}")).join("t.db");
        let conn = Connection::open(&path).expect("open");
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;
             CREATE TABLE p (k TEXT PRIMARY KEY);
             CREATE TABLE t (k TEXT PRIMARY KEY, p TEXT REFERENCES p (k) DEFERRABLE INITIALLY DEFERRED);",
        )
        .expect("schema");
        // A syncer that never commits: the tests settle batches themselves.
        let gate = Arc::new(Gate::start("test-syncer", || {}, || Ok(())).expect("gate"));
        (Mutex::new(Writer::new(conn, Some(gate.clone()))), gate, path)
    }

    /// The keys of `t` another connection sees.
    fn committed(path: &std::path::Path) -> Vec<String> {
        let conn = Connection::open(path).expect("reader");
        let mut st = conn.prepare("SELECT k FROM t ORDER BY k").expect("select");
        st.query_map([], |r| r.get(0)).expect("rows").collect::<rusqlite::Result<_>>().expect("rows")
    }

    /// One write inserting `(k, p)`: its ticket, or `None` when it failed and was dropped. Its
    /// after-commit step logs `k`.
    fn write(w: &Mutex<Writer>, k: &str, p: Option<&str>, log: &Arc<Mutex<Vec<String>>>) -> Option<Ticket> {
        let b = Batch::join(w.lock().unwrap()).expect("join");
        b.execute("INSERT INTO t (k, p) VALUES (?1, ?2)", rusqlite::params![k, p]).ok()?;
        let (log, key) = (log.clone(), k.to_owned());
        Some(b.done("acme", k, Box::new(move || log.lock().unwrap().push(key))).expect("done"))
    }

    #[test]
    fn writes_share_one_commit_and_a_failed_one_leaves_the_others() {
        let (w, gate, path) = writer("share");
        let log = Arc::new(Mutex::new(Vec::new()));
        let a = write(&w, "a", None, &log).expect("a");
        assert!(write(&w, "a", None, &log).is_none(), "a second 'a' breaks the primary key");
        let c = write(&w, "c", None, &log).expect("c");
        assert!(committed(&path).is_empty(), "nothing commits before the syncer does");
        assert!(log.lock().unwrap().is_empty(), "the caches learn nothing before the commit");
        assert_eq!(a.0, c.0, "one commit for both");
        assert!(Batch::join(w.lock().unwrap()).expect("join").touched("acme", "a"));
        let d = write(&w, "d", None, &log).expect("d");
        w.lock().unwrap().settle().expect("the syncer's commit");
        assert_eq!(committed(&path), ["a", "c", "d"]);
        assert_eq!(*log.lock().unwrap(), ["a", "c", "d"], "in the order written");
        assert_eq!((d.0, gate.upcoming()), (a.0, a.0 + 1), "one commit for the three");
        gate.wait(a.0).expect("durable");
        assert!(!Batch::join(w.lock().unwrap()).expect("join").touched("acme", "a"));
    }

    #[test]
    fn a_batch_whose_commit_fails_acknowledges_none_of_its_writes() {
        let (w, gate, path) = writer("commit-fails");
        let log = Arc::new(Mutex::new(Vec::new()));
        let a = write(&w, "a", None, &log).expect("a");
        let b = write(&w, "b", Some("nowhere"), &log).expect("the check is deferred to the commit");
        let err = w.lock().unwrap().settle().expect_err("the commit fails");
        assert!(err.contains("FOREIGN KEY"), "{err}");
        for t in [a, b] {
            let why = gate.wait(t.0).expect_err("not acknowledged");
            assert!(why.contains("the commit failed"), "{why}");
        }
        assert!(committed(&path).is_empty() && log.lock().unwrap().is_empty());
        let c = write(&w, "c", None, &log).expect("c");
        w.lock().unwrap().settle().expect("the next batch commits");
        gate.wait(c.0).expect("durable");
        assert_eq!(committed(&path), ["c"]);
    }

    #[test]
    fn a_transaction_sqlite_ended_fails_its_own_batch_and_not_the_next() {
        let (w, gate, path) = writer("rolled-back");
        let log = Arc::new(Mutex::new(Vec::new()));
        let a = write(&w, "a", None, &log).expect("a");
        // What SQLite does on some errors (a full disk, an I/O error) inside a transaction.
        w.lock().unwrap().conn.execute_batch("ROLLBACK").expect("rollback");
        let b = write(&w, "b", None, &log).expect("b");
        assert!(gate.wait(a.0).is_err(), "a was lost with its transaction");
        w.lock().unwrap().settle().expect("b's batch commits");
        gate.wait(b.0).expect("b is durable");
        assert_eq!((committed(&path), log.lock().unwrap().clone()), (vec!["b".to_owned()], vec!["b".to_owned()]));
    }

    /// Many threads incrementing one record: each update must read what the one before it wrote
    /// in the same batch, which the cache does not know yet.
    #[test]
    fn concurrent_updates_of_one_record_in_shared_batches_lose_none() {
        let db = crate::store::Database::open(&crate::store::test_dir("batch-updates").join("t.db")).expect("open");
        let store = db.store("acme");
        let mut attrs = serde_json::Map::new();
        attrs.insert("n".into(), 0.into());
        let id = store.create(Kind::User, NewResource { attrs, ..NewResource::default() }).expect("create").id;
        store.get(Kind::User, &id).expect("read").expect("cached");
        let first = db.upcoming();
        let (threads, each) = (8, 40);
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    for _ in 0..each {
                        store
                            .update(Kind::User, &id, None, &mut |r, _| {
                                let mut attrs = r.attrs.clone();
                                attrs.insert("n".into(), (attrs["n"].as_u64().unwrap_or(0) + 1).into());
                                Ok(Update { attrs, ..Update::default() })
                            })
                            .expect("update");
                    }
                });
            }
        });
        let n = store.get(Kind::User, &id).expect("read").expect("found").attrs["n"].as_u64();
        assert_eq!(n, Some(threads * each));
        let commits = db.upcoming() - first;
        assert!(commits < threads * each, "{commits} commits for {} updates: no batch formed", threads * each);
    }
}
