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
//!   write leaves what they should learn as a closure, run after the COMMIT), and the read
//!   connections see it only then. A write's store call returns with its batch still open, so
//!   what its request reads next (a group's members, for the answer) is read inside the batch,
//!   on the writer, for as long as the batch is open (`Database::read`); what is read there
//!   never fills a cache. A write that fails or changes nothing was decided on what the open
//!   batch holds: its answer waits until that batch is durable, too (`Batch`'s drop).
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
    /// The ids of the resources written in it (ids are unique across tenants; were two equal,
    /// the cost would be a read from the transaction instead of the cache).
    touched: HashSet<String>,
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
        let Some(open) = self.open.take() else {
            // A transaction that a failed ROLLBACK left open, with no batch, holds nothing
            // acknowledged, and whoever takes the writer next must not write inside it.
            self.roll_back();
            return Ok(());
        };
        if open.writes == 0 {
            self.roll_back();
            return Ok(());
        }
        let result = if self.conn.is_autocommit() {
            Err("SQLite rolled the batch's transaction back after an error".to_owned())
        } else {
            self.conn.exec_c("COMMIT", []).map(|_| ()).map_err(|e| format!("the commit failed: {e}"))
        };
        match result {
            Ok(()) => {
                for f in open.after {
                    // The batch is committed whatever a cache update does; a panic in one must
                    // not leave its writes uncounted (nor kill the syncer running it).
                    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err() {
                        tracing::error!("a cache update after a commit panicked; the commit stands");
                    }
                }
                if let Some(g) = &self.gate {
                    g.committed();
                }
                Ok(())
            }
            Err(why) => {
                self.abandon(&why);
                Err(why)
            }
        }
    }

    /// Rolls back the open transaction, if SQLite has not ended it already.
    fn roll_back(&mut self) {
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }

    /// Rolls the open batch back and records its commit number as failed: none of its writes
    /// is acknowledged.
    fn abandon(&mut self, why: &str) {
        self.open = None;
        self.roll_back();
        if let Some(g) = &self.gate {
            g.failed(why);
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
            w.roll_back(); // a stray transaction, as in `settle`
            w.conn.exec_c("BEGIN IMMEDIATE", []).map_err(super::database::db_err)?;
            w.open = Some(Open::default());
        }
        w.conn.exec_c("SAVEPOINT write", []).map_err(super::database::db_err)?;
        Ok(Batch { w, done: false })
    }

    /// Whether resource `id` was written earlier in this batch (the cache does not
    /// know it yet: read it from the transaction).
    pub(crate) fn touched(&self, id: &str) -> bool {
        self.w.open.as_ref().is_some_and(|o| o.touched.contains(id))
    }

    /// Keeps this write: `after` runs once the batch committed. Returns the ticket to wait on
    /// before acknowledging the write (the batch's commit, which may fail), or an error when
    /// the batch was full and its commit failed here.
    pub(crate) fn done(mut self, id: &str, after: AfterCommit) -> Result<Ticket> {
        self.w.conn.exec_c("RELEASE write", []).map_err(super::database::db_err)?;
        self.done = true;
        let ticket = self.w.upcoming();
        let open = self.w.open.get_or_insert_with(Open::default);
        open.writes += 1;
        open.after.push(after);
        open.touched.insert(id.to_owned());
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
    /// A write that was not kept (it failed, or changed nothing) is rolled back. Its answer was
    /// decided on what the open batch holds, other writes included, or on what the caches
    /// learnt from the last commit: it is sent only once those are durable, and not if either
    /// fails (inside `durable::deferring`).
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let ticket = self.w.upcoming();
        if self.w.conn.execute_batch("ROLLBACK TO write; RELEASE write").is_err() && !self.w.conn.is_autocommit() {
            // The write's changes may still be in the transaction: none of it may commit.
            self.w.abandon("a failed write could not be rolled back");
            if let Some(g) = &self.w.gate {
                g.defer(ticket.0);
            }
            return;
        }
        let holds_others = self.w.open.as_ref().is_some_and(|o| o.writes > 0);
        let _ = self.close();
        if let Some(g) = &self.w.gate {
            if holds_others {
                g.defer(ticket.0);
            }
            // What the caches showed may come from a commit whose fsync is still to come.
            if let Some(n) = g.unsynced() {
                g.defer(n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use crate::model::Record;
    use crate::store::durable::{Pending, deferring};
    use crate::store::{Change, MembersOf, NewResource, Store, Update};
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    /// A writer on a fresh WAL database with a table `t (k, p)` whose `p` must name a row of
    /// `p` by the end of the transaction (a COMMIT that fails on demand), its gate, and the path.
    fn writer(name: &str) -> (Arc<Mutex<Writer>>, Arc<Gate>, std::path::PathBuf) {
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
        (Arc::new(Mutex::new(Writer::new(conn, Some(gate.clone())))), gate, path)
    }

    /// The keys of `t` another connection sees.
    fn committed(path: &std::path::Path) -> Vec<String> {
        let conn = Connection::open(path).expect("reader");
        let mut st = conn.prepare("SELECT k FROM t ORDER BY k").expect("select");
        st.query_map([], |r| r.get(0)).expect("rows").collect::<rusqlite::Result<_>>().expect("rows")
    }

    type Log = Arc<Mutex<Vec<String>>>;

    /// One write inserting `(k, p)`: its ticket, or the error of the insert. Its after-commit
    /// step logs `k`.
    fn write(w: &Mutex<Writer>, k: &str, p: Option<&str>, log: &Log) -> Result<Ticket> {
        let b = Batch::join(w.lock().unwrap())?;
        b.execute("INSERT INTO t (k, p) VALUES (?1, ?2)", rusqlite::params![k, p])
            .map_err(super::super::database::db_err)?;
        let (log, key) = (log.clone(), k.to_owned());
        b.done(k, Box::new(move || log.lock().unwrap().push(key)))
    }

    /// After a failed batch, a new write commits on its own: the table and the caches hold it
    /// alone.
    fn the_next_write_commits_alone(w: &Mutex<Writer>, gate: &Gate, path: &std::path::Path, log: &Log) {
        let c = write(w, "c", None, log).expect("c");
        w.lock().unwrap().settle().expect("the next batch commits");
        gate.wait(c.0).expect("durable");
        assert_eq!((committed(path), log.lock().unwrap().clone()), (vec!["c".to_owned()], vec!["c".to_owned()]));
    }

    #[test]
    fn writes_share_one_commit_and_a_failed_one_leaves_the_others() {
        let (w, gate, path) = writer("share");
        let log = Log::default();
        let a = write(&w, "a", None, &log).expect("a");
        assert!(write(&w, "a", None, &log).is_err(), "a second 'a' breaks the primary key");
        let c = write(&w, "c", None, &log).expect("c");
        assert!(Batch::join(w.lock().unwrap()).expect("join").touched("a"));
        assert!(committed(&path).is_empty() && log.lock().unwrap().is_empty(), "nothing seen before the commit");
        w.lock().unwrap().settle().expect("the syncer's commit");
        assert_eq!(committed(&path), ["a", "c"]);
        assert_eq!(log.lock().unwrap().len(), 2, "the caches learn both");
        assert_eq!((a.0, c.0, gate.upcoming()), (a.0, a.0, a.0 + 1), "one commit for both");
        gate.wait(a.0).expect("durable");
        assert!(!Batch::join(w.lock().unwrap()).expect("join").touched("a"));
    }

    #[test]
    fn a_batch_whose_commit_fails_acknowledges_none_of_its_writes() {
        let (w, gate, path) = writer("commit-fails");
        let log = Log::default();
        let a = write(&w, "a", None, &log).expect("a joins");
        let b = write(&w, "b", Some("nowhere"), &log).expect("b joins: its key is checked at commit");
        let err = w.lock().unwrap().settle().expect_err("the commit fails");
        assert!(err.contains("FOREIGN KEY"), "{err}");
        for t in [a, b] {
            let e = gate.wait(t.0).expect_err("not acknowledged");
            assert!(e.contains("the commit failed"), "{e}");
        }
        assert!(committed(&path).is_empty() && log.lock().unwrap().is_empty());
        the_next_write_commits_alone(&w, &gate, &path, &log);
    }

    #[test]
    fn a_transaction_sqlite_ended_fails_its_own_batch_and_not_the_next() {
        let (w, gate, path) = writer("rolled-back");
        let log = Log::default();
        let a = write(&w, "a", None, &log).expect("a");
        // What SQLite does on some errors (a full disk, an I/O error) inside a transaction.
        w.lock().unwrap().conn.execute_batch("ROLLBACK").expect("rollback");
        let b = write(&w, "b", None, &log).expect("b");
        assert!(gate.wait(a.0).is_err(), "a was lost with its transaction");
        w.lock().unwrap().settle().expect("b's batch commits");
        gate.wait(b.0).expect("b is durable");
        assert_eq!((committed(&path), log.lock().unwrap().clone()), (vec!["b".to_owned()], vec!["b".to_owned()]));
    }

    /// A write whose savepoint is gone (its rollback fails) while the transaction goes on may
    /// have left changes in the batch: the whole batch is abandoned, none of it acknowledged.
    #[test]
    fn a_write_that_cannot_be_rolled_back_abandons_its_batch() {
        let (w, gate, path) = writer("abandon");
        let log = Log::default();
        let a = write(&w, "a", None, &log).expect("a");
        {
            let b = Batch::join(w.lock().unwrap()).expect("join");
            // As if SQLite had lost the savepoint: the insert lands in the outer transaction.
            b.execute_batch("RELEASE write; INSERT INTO t (k) VALUES ('b')").expect("insert");
        }
        assert_eq!(gate.upcoming(), a.0 + 1, "the batch was ended");
        assert!(gate.wait(a.0).is_err(), "the batch that held the failed write failed");
        the_next_write_commits_alone(&w, &gate, &path, &log);
    }

    /// A transaction left open with no batch (a ROLLBACK that failed) is rolled back by whoever
    /// takes the writer next, before writing anything.
    #[test]
    fn a_stray_transaction_is_rolled_back_by_the_next_to_take_the_writer() {
        let (w, _gate, path) = writer("stray");
        w.lock().unwrap().conn.execute_batch("BEGIN; INSERT INTO t (k) VALUES ('stray')").expect("stray");
        w.lock().unwrap().settle().expect("settle");
        assert!(w.lock().unwrap().conn.is_autocommit());
        w.lock().unwrap().conn.execute_batch("INSERT INTO t (k) VALUES ('plain')").expect("a plain write");
        assert_eq!(committed(&path), ["plain"]);
    }

    /// A database whose WAL fsync waits while `hold` is set: the syncer then commits no batch.
    struct Held {
        db: crate::store::Database,
        hold: Arc<(Mutex<(bool, bool)>, std::sync::Condvar)>,
    }

    impl Held {
        fn open(name: &str) -> Held {
            let hold: Arc<(Mutex<(bool, bool)>, std::sync::Condvar)> = Arc::default();
            let h = hold.clone();
            let path = crate::store::test_dir(name).join("t.db");
            let db = crate::store::Database::open_with(&path, move |wal| {
                Box::new(move || {
                    let (lock, cv) = &*h;
                    let mut s = lock.lock().unwrap();
                    s.1 = true;
                    cv.notify_all();
                    while s.0 {
                        s = cv.wait(s).unwrap();
                    }
                    s.1 = false;
                    wal.sync_data()
                })
            })
            .expect("open");
            Held { db, hold }
        }

        /// Holds the syncer inside an fsync (one `write` makes it start one).
        fn hold(&self, write: impl FnOnce() + Send + 'static) {
            let (lock, cv) = &*self.hold;
            lock.lock().unwrap().0 = true;
            std::thread::spawn(write);
            let mut s = lock.lock().unwrap();
            while !s.1 {
                s = cv.wait(s).unwrap();
            }
        }

        fn release(&self) {
            let (lock, cv) = &*self.hold;
            lock.lock().unwrap().0 = false;
            cv.notify_all();
        }
    }

    /// What a write's own request reads next includes the write, while its batch is still open;
    /// other requests, and the caches, see it only once the batch committed.
    #[test]
    fn a_request_reads_its_own_open_write_and_others_see_it_once_committed() {
        let held = Held::open("batch-own-reads");
        let store = held.db.store("acme");
        let user = store.create(Kind::User, NewResource::default()).expect("user").id;
        let other = store.clone();
        held.hold(move || drop(other.create(Kind::User, NewResource::default())));
        // As the server runs a write: its wait for the fsync is handed back, not taken.
        let ((group, seen), pending) = crate::store::durable::deferring(|| {
            let res = NewResource { members: vec![(user.clone(), None)], ..NewResource::default() };
            let group = store.create(Kind::Group, res).expect("group").id;
            let mut attrs = serde_json::Map::new();
            attrs.insert("n".into(), 1.into());
            let mut set = |_: &Record, _: MembersOf<'_>| Ok(Update { attrs: attrs.clone(), ..Update::default() });
            store.update(Kind::User, &user, None, &mut set).expect("update");
            let seen = (
                store.members(&group).expect("members").len(),
                store.get(Kind::Group, &group).expect("get").map(|r| r.id.clone()),
                store.get(Kind::User, &user).expect("get").and_then(|r| r.attrs.get("n").cloned()),
            );
            (group, seen)
        });
        assert_eq!(seen, (1, Some(group.clone()), Some(1.into())), "its own request reads it, past the cache");
        let elsewhere = || {
            let store = store.clone();
            let group = group.clone();
            std::thread::spawn(move || {
                (store.members(&group).expect("members").len(), store.get(Kind::Group, &group).expect("get").is_some())
            })
            .join()
            .unwrap()
        };
        assert_eq!(elsewhere(), (0, false), "not committed: another request sees none of it, nor does the cache");
        assert!(pending.waits().iter().all(|(a, n)| *a.borrow() < *n), "nor is it durable");
        held.release();
        let t = Instant::now();
        while elsewhere() != (1, true) {
            assert!(t.elapsed() < Duration::from_secs(10), "the batch was never committed");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// The outcome of `pending` once every fsync it waits for was attempted.
    fn outcome(pending: &Pending) -> Result<()> {
        let t = Instant::now();
        loop {
            if let Some(o) = pending.outcome() {
                return o;
            }
            assert!(t.elapsed() < Duration::from_secs(10), "no fsync attempted");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// An asynchronous request's completion event is recorded only when its writes committed:
    /// never an event saying 201 for a resource whose batch was rolled back.
    #[test]
    fn no_completion_is_recorded_for_a_write_whose_batch_failed() {
        let held = Held::open("batch-completion");
        let store = held.db.store("acme");
        let other = store.clone();
        held.hold(move || drop(other.create(Kind::User, NewResource::default())));
        let (recorded, pending) = deferring(|| {
            store.create(Kind::User, NewResource::default()).expect("joins the open batch");
            // What SQLite does on some errors (a full disk, an I/O error) inside a transaction.
            held.db.writer_mutex().lock().unwrap().execute_batch("ROLLBACK").expect("rollback");
            let done = serde_json::json!({"status": "201"});
            store.record_changes(vec![Change::completion("txn", "/Users/x", done)])
        });
        let err = recorded.expect_err("not recorded");
        assert!(err.detail.contains("could not be made durable"), "{}", err.detail);
        held.release();
        assert!(outcome(&pending).is_err(), "the write is not acknowledged");
        let kinds: Vec<String> = store.changes(0, 100).expect("changes").into_iter().map(|c| c.op).collect();
        assert_eq!(kinds, ["create"], "only the other request's create");
    }

    /// An answer decided inside an open batch (a 404, a change that changes nothing) may rest
    /// on other writes of that batch: it is sent once the batch is durable, and not if it fails.
    #[test]
    fn an_answer_decided_inside_an_open_batch_waits_for_it() {
        let held = Held::open("batch-decided");
        let store = held.db.store("acme");
        let user = store.create(Kind::User, NewResource::default()).expect("user").id;
        let mut same = |r: &Record, _: MembersOf<'_>| Ok(Update { attrs: r.attrs.clone(), ..Update::default() });
        let (_, quiet) = deferring(|| store.update(Kind::User, &user, None, &mut same).expect("no-op"));
        assert!(quiet.is_empty(), "everything durable, no batch open: nothing to wait for");
        let other = store.clone();
        held.hold(move || drop(other.create(Kind::User, NewResource::default())));
        let (_, idle) = deferring(|| store.update(Kind::User, &user, None, &mut same).expect("no-op"));
        let (_, wrote) = deferring(|| store.create(Kind::User, NewResource::default()).expect("create"));
        let open = wrote.waits()[0].1;
        let last = |p: &Pending| p.waits().iter().map(|w| w.1).collect::<Vec<_>>();
        assert_eq!(last(&idle), [open - 1], "the last commit, whose fsync is under way");
        let (missing, after_404) = deferring(|| store.update(Kind::User, "nobody", None, &mut same));
        assert_eq!(missing.map(|_| ()).map_err(|e| e.status), Err(404));
        let (_, after_noop) = deferring(|| store.update(Kind::User, &user, None, &mut same).expect("no-op"));
        assert_eq!((last(&after_404), last(&after_noop)), (vec![open], vec![open]), "the open batch");
        // The open batch fails (SQLite rolled it back): what was decided inside it is not sent.
        held.db.writer_mutex().lock().unwrap().execute_batch("ROLLBACK").expect("rollback");
        held.release();
        assert!(outcome(&idle).is_ok());
        assert!(outcome(&after_404).is_err() && outcome(&after_noop).is_err());
    }

    /// A cache update that panics after a commit leaves the commit counted, and the syncer
    /// (which runs it) alive.
    #[test]
    fn a_panicking_cache_update_leaves_its_commit_counted() {
        let (w, gate, path) = writer("panic");
        let log = Log::default();
        let b = Batch::join(w.lock().unwrap()).expect("join");
        b.execute("INSERT INTO t (k) VALUES ('a')", []).expect("insert");
        let a = b.done("a", Box::new(|| panic!("a cache update's bug"))).expect("a");
        let c = write(&w, "c", None, &log).expect("c");
        w.lock().unwrap().settle().expect("committed");
        gate.wait(a.0).expect("a is durable");
        assert_eq!(
            (committed(&path), log.lock().unwrap().clone()),
            (vec!["a".to_owned(), "c".to_owned()], vec!["c".to_owned()])
        );
        assert_eq!(c.0, a.0);
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
