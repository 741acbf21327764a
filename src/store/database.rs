//! The SQLite database behind the durable store: one file for every tenant, its admin state and
//! its audit log; one writer connection (resource writes share its transactions, see
//! [`super::batch`]), a pool of read connections, and group commit.
//!
//! Durability. The database runs in WAL mode with `synchronous=NORMAL`, so a COMMIT only writes
//! the transaction's frames to the WAL file; [`Database::wait_durable`] then makes sure the WAL
//! was fsynced after that commit before the write is acknowledged (group commit, `durable`: one
//! fsync covers every commit before it, and a server's write request awaits it asynchronously,
//! so no write is acknowledged before its bytes are on disk).
//!
//! Reads go to a pool of read-only connections, so they never wait for the writer or its fsync
//! (WAL readers see the last committed state). An in-memory database (tests) has one connection.

use crate::error::{Result, ScimError};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde_json::Value;
use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};

use super::batch::{Batch, Writer};
use super::durable::Gate;
use super::sqlite::SqliteStore;

/// The schema version this code creates and expects (older ones are migrated on open).
pub const SCHEMA_VERSION: i64 = 2;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS resources (
  tenant TEXT NOT NULL, kind INTEGER NOT NULL, id TEXT NOT NULL, attrs TEXT NOT NULL,
  created TEXT NOT NULL, last_modified TEXT NOT NULL, version INTEGER NOT NULL,
  PRIMARY KEY (tenant, kind, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS uniq (
  tenant TEXT NOT NULL, kind INTEGER NOT NULL, attr TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL,
  PRIMARY KEY (tenant, kind, attr, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS eq_index (
  tenant TEXT NOT NULL, kind INTEGER NOT NULL, attr TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL,
  PRIMARY KEY (tenant, kind, attr, key, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS members (
  tenant TEXT NOT NULL, group_id TEXT NOT NULL, member_id TEXT NOT NULL, display TEXT,
  PRIMARY KEY (tenant, group_id, member_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_by_member ON members (tenant, member_id, group_id);
CREATE INDEX IF NOT EXISTS uniq_by_id ON uniq (tenant, kind, id);
CREATE INDEX IF NOT EXISTS eq_index_by_id ON eq_index (tenant, kind, id);
CREATE TABLE IF NOT EXISTS tenants (name TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  tenant TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL,
  PRIMARY KEY (tenant, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, change TEXT NOT NULL);
-- Dropped: every page a write touches goes to the WAL and through its fsync. A resource's
-- kind is found along the primary key; per-tenant counts were never read.
DROP INDEX IF EXISTS resources_by_id;
DROP TABLE IF EXISTS counts;
";

/// One SQLite database file shared by every tenant's store.
#[derive(Debug, Clone)]
pub struct Database {
    writer: Arc<Mutex<Writer>>,
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: Arc<AtomicUsize>,
    /// `None` for an in-memory database.
    gate: Option<Arc<Gate>>,
    /// The last resource version given out (see [`Database::next_version`]).
    version: Arc<std::sync::atomic::AtomicU64>,
}

pub(crate) fn db_err(e: rusqlite::Error) -> ScimError {
    ScimError::internal(format!("storage error: {e}"))
}

/// Statements through the connection's statement cache: SQL is parsed once per connection,
/// not on every call.
pub(crate) trait Cached {
    fn exec_c<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;
    fn row_c<T, P: rusqlite::Params, F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>>(
        &self,
        sql: &str,
        params: P,
        f: F,
    ) -> rusqlite::Result<T>;
}

impl Cached for Connection {
    fn exec_c<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    fn row_c<T, P: rusqlite::Params, F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>>(
        &self,
        sql: &str,
        params: P,
        f: F,
    ) -> rusqlite::Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }
}

/// Prepared statements kept per connection (the store uses about 25 distinct ones).
const STATEMENTS: usize = 64;

/// The writer's page cache, in KiB (as SQLite takes a negative `cache_size`). Writes spread
/// over a thousand tenants touch tens of thousands of leaf pages; with SQLite's default of
/// 2 MiB the writer read most of them back from the file on every commit.
const WRITER_CACHE_KIB: i64 = -65_536;

/// Read connections kept open next to the writer.
const READERS: usize = 4;

/// Makes everything written to the WAL so far durable.
pub(crate) type SyncWal = Box<dyn FnMut() -> std::io::Result<()> + Send>;

/// A connection to read on: one of the pool, or the writer (of an in-memory database, or with
/// the open batch that holds a write of the reading request).
pub(crate) enum Reader<'a> {
    Pool(MutexGuard<'a, Connection>),
    Writer(MutexGuard<'a, Writer>),
}

impl std::ops::Deref for Reader<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match self {
            Reader::Pool(c) => c,
            Reader::Writer(w) => w,
        }
    }
}

/// A commit's place in the order of commits, to wait on with [`Database::wait_durable`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket(pub(super) u64);

impl Database {
    /// Opens (creating and migrating) the database at `path`.
    pub fn open(path: &Path) -> std::result::Result<Database, String> {
        Database::open_with(path, |wal| Box::new(move || wal.sync_data()))
    }

    /// [`Database::open`], with the WAL's fsync made by what `sync` returns for the WAL file
    /// (tests make it fail).
    pub(crate) fn open_with(path: &Path, sync: impl FnOnce(File) -> SyncWal) -> std::result::Result<Database, String> {
        let conn = Connection::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        tune(&conn)?;
        init(&conn)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| format!("cannot initialise the database: {e}"))?;
        // Checkpoints run on their own thread (below), never inside a writer's commit.
        conn.pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(|e| format!("cannot initialise the database: {e}"))?;
        conn.pragma_update(None, "cache_size", WRITER_CACHE_KIB)
            .map_err(|e| format!("cannot initialise the database: {e}"))?;
        // A write's savepoint keeps the pages it changes in a sub-journal; past 64 KiB SQLite
        // spills that to a temporary file, two `pwrite`s a page: a third of the writes' system
        // calls at a thousand tenants. In memory, it is a copy.
        conn.pragma_update(None, "temp_store", "MEMORY").map_err(|e| format!("cannot initialise the database: {e}"))?;
        let wal_path = path.with_file_name(format!(
            "{}-wal",
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        ));
        let wal = File::open(&wal_path).map_err(|e| format!("cannot open {}: {e}", wal_path.display()))?;
        // The WAL file was just created: make its directory entry durable once.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir).and_then(|d| d.sync_all()).map_err(|e| format!("cannot sync {}: {e}", dir.display()))?;
        }
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let r =
                Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                    .map_err(|e| format!("cannot open {} for reading: {e}", path.display()))?;
            tune(&r)?;
            readers.push(Mutex::new(r));
        }
        let version = last_version(&conn)?;
        // The syncer commits the writer's open batch before each fsync (see `batch`).
        let slot: Arc<OnceLock<Weak<Mutex<Writer>>>> = Arc::default();
        let batches = slot.clone();
        let prepare = move || {
            if let Some(w) = batches.get().and_then(Weak::upgrade) {
                // A failed batch is reported to its own writes, through their commit number.
                let _ = w.lock().unwrap_or_else(|p| p.into_inner()).settle();
            }
        };
        let gate = Arc::new(Gate::start("sqlite-sync", prepare, sync(wal))?);
        let writer = Arc::new(Mutex::new(Writer::new(conn, Some(gate.clone()))));
        let _ = slot.set(Arc::downgrade(&writer));
        super::checkpoint::spawn(path, Arc::downgrade(&writer))?;
        Ok(Database {
            writer,
            readers: Arc::new(readers),
            next_reader: Arc::default(),
            gate: Some(gate),
            version: Arc::new(version.into()),
        })
    }

    /// A private in-memory database (tests): one connection, nothing to sync.
    pub fn open_in_memory() -> std::result::Result<Database, String> {
        let conn = Connection::open_in_memory().map_err(|e| e.to_string())?;
        tune(&conn)?;
        init(&conn)?;
        Ok(Database {
            version: Arc::new(last_version(&conn)?.into()),
            writer: Arc::new(Mutex::new(Writer::new(conn, None))),
            readers: Arc::default(),
            next_reader: Arc::default(),
            gate: None,
        })
    }

    /// The writer connection, for a write that commits on its own: the open batch of resource
    /// writes, if any, is committed first.
    pub(crate) fn write(&self) -> MutexGuard<'_, Writer> {
        let mut w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        // A failed batch is reported to its own writes, through their commit number.
        let _ = w.settle();
        w
    }

    /// The writer connection, for a resource write: it joins the open batch (see
    /// [`super::batch`]).
    pub(crate) fn join(&self) -> Result<Batch<'_>> {
        Batch::join(self.writer.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// The number the next commit will get (tests count commits with it).
    #[cfg(test)]
    pub(crate) fn upcoming(&self) -> u64 {
        self.gate.as_ref().map_or(0, |g| g.upcoming())
    }

    /// The writer connection's mutex, to hold writers back (the checkpointer's test).
    #[cfg(test)]
    pub(crate) fn writer_mutex(&self) -> &Mutex<Writer> {
        &self.writer
    }

    /// A read connection: a free one from the pool, else the next in turn (the writer for an
    /// in-memory database). A request that wrote into the open batch reads on the writer, inside
    /// the batch, until it is committed: the pool does not see its write yet.
    pub(crate) fn read(&self) -> Reader<'_> {
        if self.readers.is_empty() {
            return Reader::Writer(self.write());
        }
        if let Some(g) = &self.gate
            && g.wrote_uncommitted()
        {
            let w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
            // Batches are committed holding the writer: if it is still open, it stays open.
            if g.wrote_uncommitted() {
                return Reader::Writer(w);
            }
        }
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..self.readers.len() {
            if let Ok(c) = self.readers[(start + i) % self.readers.len()].try_lock() {
                return Reader::Pool(c);
            }
        }
        Reader::Pool(self.readers[start % self.readers.len()].lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// The version of a resource being written (call it holding the writer): one more than any
    /// given out before. It is kept in memory, not in a row every commit rewrites: a version
    /// lives on in its resource's row, so the highest one stored is where a restart goes on
    /// from. (A deleted resource's version may be given out again, to another resource; an
    /// ETag is compared only with its own resource's.)
    pub(crate) fn next_version(&self) -> u64 {
        self.version.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Records a commit just made on the writer (call it before releasing the writer).
    pub(crate) fn committed(&self) -> Ticket {
        Ticket(self.gate.as_ref().map_or(0, |g| g.committed()))
    }

    /// Returns once the commit of `ticket` is on disk; an error when the fsync failed (the write
    /// must then not be acknowledged). Inside [`super::durable::deferring`] it returns at once
    /// and the scope's caller waits instead.
    pub(crate) fn wait_durable(&self, ticket: Ticket) -> Result<()> {
        match &self.gate {
            Some(g) if !g.defer(ticket.0) => g.wait(ticket.0).map_err(|e| super::durable::not_durable(&e)),
            _ => Ok(()),
        }
    }

    /// Whether the request this thread runs (its `deferring` scope) wrote into a batch not
    /// committed yet: it then reads on the writer (see [`Database::read`]).
    pub(crate) fn wrote_uncommitted(&self) -> bool {
        self.gate.as_ref().is_some_and(|g| g.wrote_uncommitted())
    }

    /// The error of a write of this thread's request whose batch failed to commit, if any.
    pub(crate) fn scope_failed(&self) -> Result<()> {
        match self.gate.as_ref().and_then(|g| g.scope_failed()) {
            Some(why) => Err(super::durable::not_durable(&why)),
            None => Ok(()),
        }
    }

    /// The store of one tenant.
    pub fn store(&self, tenant: &str) -> SqliteStore {
        SqliteStore::new(self.clone(), tenant)
    }

    /// Saves a tenant's admin state (a JSON document).
    pub fn save_tenant(&self, name: &str, state: &Value) -> Result<()> {
        let ticket = {
            let conn = self.write();
            conn.execute("INSERT INTO tenants (name, state) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET state = excluded.state", params![name, state.to_string()])
                .map_err(db_err)?;
            self.committed()
        };
        self.wait_durable(ticket)
    }

    /// Removes a tenant and everything in it.
    pub fn remove_tenant(&self, name: &str) -> Result<()> {
        let ticket = {
            let mut conn = self.write();
            let tx = conn.transaction().map_err(db_err)?;
            for table in ["resources", "uniq", "eq_index", "members", "events", "outbox"] {
                tx.execute(&format!("DELETE FROM {table} WHERE tenant = ?1"), [name]).map_err(db_err)?;
            }
            tx.execute("DELETE FROM tenants WHERE name = ?1", [name]).map_err(db_err)?;
            tx.commit().map_err(db_err)?;
            self.committed()
        };
        self.wait_durable(ticket)
    }

    /// Every saved tenant: `(name, state)`.
    pub fn tenants(&self) -> Result<Vec<(String, Value)>> {
        let conn = self.read();
        let mut st = conn.prepare("SELECT name, state FROM tenants ORDER BY name").map_err(db_err)?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(db_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db_err)?;
        Ok(rows.into_iter().filter_map(|(n, s)| Some((n, serde_json::from_str(&s).ok()?))).collect())
    }

    /// Appends an admin change to a tenant's audit log, durably; its sequence number.
    pub fn audit(&self, tenant: &str, event: crate::audit::Event) -> Result<u64> {
        let (seq, ticket) = {
            let conn = self.write();
            (append_event(&conn, tenant, event)?, self.committed())
        };
        self.wait_durable(ticket)?;
        Ok(seq)
    }

    /// Up to `limit` (at most [`crate::audit::PAGE`]) of a tenant's audit events after `after`,
    /// and whether more follow.
    pub fn audit_after(&self, tenant: &str, after: u64, limit: usize) -> Result<(Vec<crate::audit::Event>, bool)> {
        let limit = limit.min(crate::audit::PAGE);
        let conn = self.read();
        let mut st = conn
            .prepare_cached("SELECT seq, event FROM events WHERE tenant = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3")
            .map_err(db_err)?;
        let rows = st
            .query_map(params![tenant, after as i64, limit as i64 + 1], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(db_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db_err)?;
        let more = rows.len() > limit;
        let mut events = Vec::with_capacity(rows.len().min(limit));
        for (seq, text) in rows.into_iter().take(limit) {
            let mut e: crate::audit::Event =
                serde_json::from_str(&text).map_err(|e| ScimError::internal(format!("a stored audit event: {e}")))?;
            e.seq = seq as u64;
            events.push(e);
        }
        Ok((events, more))
    }
}

/// Appends an audit event on `conn` (inside the caller's transaction, when it has one), giving
/// it the tenant's next sequence number.
pub(crate) fn append_event(conn: &Connection, tenant: &str, mut event: crate::audit::Event) -> Result<u64> {
    let seq: i64 = conn
        .row_c("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE tenant = ?1", params![tenant], |r| r.get(0))
        .map_err(db_err)?;
    event.seq = seq as u64;
    let text = serde_json::to_string(&event).map_err(|e| ScimError::internal(e.to_string()))?;
    conn.exec_c("INSERT INTO events (tenant, seq, event) VALUES (?1, ?2, ?3)", params![tenant, seq, text])
        .map_err(db_err)?;
    Ok(seq as u64)
}

/// Every connection: a statement cache big enough for every statement the store runs, and the
/// query planner's stability guarantee. Without it SQLite prepares a statement again each time
/// it is bound to new values when its plan looked at them (an `ORDER BY` after equalities on
/// parameters does): 6 µs of parsing on every `userName eq` lookup, measured with
/// `StatementStatus::RePrepare` (one per execution before, none after).
fn tune(conn: &Connection) -> std::result::Result<(), String> {
    conn.set_prepared_statement_cache_capacity(STATEMENTS);
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
        .map(|_| ())
        .map_err(|e| format!("cannot configure the database connection: {e}"))
}

/// Where [`Database::next_version`] goes on from: the highest version stored, or the counter
/// that databases of earlier builds kept in `meta`.
fn last_version(conn: &Connection) -> std::result::Result<u64, String> {
    conn.query_row(
        "SELECT MAX((SELECT COALESCE(MAX(version), 0) FROM resources), (SELECT value FROM meta WHERE key = 'version'))",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|v| v.max(0) as u64)
    .map_err(|e| format!("cannot read the last resource version: {e}"))
}

/// Version 1 kept the audit log in a rowid table with an index on `(tenant, seq)`: every write's
/// event went into two b-trees, one of them at the rowid tree's last page, and both went to the
/// WAL and through its fsync. Version 2 keeps it in one b-tree ordered by `(tenant, seq)`.
const MIGRATE_1_TO_2: &str = "
CREATE TABLE events_v2 (
  tenant TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL,
  PRIMARY KEY (tenant, seq)) WITHOUT ROWID;
INSERT INTO events_v2 (tenant, seq, event) SELECT tenant, seq, event FROM events;
DROP TABLE events;
ALTER TABLE events_v2 RENAME TO events;
UPDATE meta SET value = 2 WHERE key = 'schema_version';
";

/// Creates the schema (or checks its version, migrating an older one) on a fresh connection.
fn init(conn: &Connection) -> std::result::Result<(), String> {
    let setup = || -> rusqlite::Result<()> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(SCHEMA)?;
        let version: Option<i64> =
            conn.query_row("SELECT value FROM meta WHERE key = 'schema_version'", [], |r| r.get(0)).optional()?;
        match version {
            None => {
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?1), ('version', 0)",
                    [SCHEMA_VERSION],
                )?;
            }
            Some(v) if v == SCHEMA_VERSION => {}
            Some(1) => {
                let tx = conn.unchecked_transaction()?;
                tx.execute_batch(MIGRATE_1_TO_2)?;
                tx.commit()?;
            }
            Some(v) => {
                return Err(rusqlite::Error::InvalidParameterName(format!(
                    "database schema version {v}, expected {SCHEMA_VERSION}"
                )));
            }
        }
        Ok(())
    };
    setup().map_err(|e| format!("cannot initialise the database: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database of schema version 1 (the audit log a rowid table) opens as version 2 with its
    /// log intact, and the log goes on from where it was.
    #[test]
    fn a_version_1_database_is_migrated_with_its_audit_log() {
        let dir = crate::store::test_dir("migrate");
        let path = dir.join("t.db");
        let event = |n: &str| crate::audit::Event::new("admin", "key.create", "ApiKey", n, None, None);
        {
            let db = Database::open(&path).unwrap();
            for n in ["k1", "k2", "k3"] {
                db.audit("acme", event(n)).unwrap();
            }
            db.audit("other", event("k9")).unwrap();
        }
        let v1 = Connection::open(&path).unwrap();
        v1.execute_batch(
            "CREATE TABLE events_v1 (tenant TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (tenant, seq));
             INSERT INTO events_v1 SELECT * FROM events; DROP TABLE events; ALTER TABLE events_v1 RENAME TO events;
             UPDATE meta SET value = 1 WHERE key = 'schema_version';",
        )
        .unwrap();
        drop(v1);

        let db = Database::open(&path).unwrap();
        let (events, more) = db.audit_after("acme", 0, 10).unwrap();
        let ids: Vec<(u64, &str)> = events.iter().map(|e| (e.seq, e.resource_id.as_str())).collect();
        assert_eq!((ids, more), (vec![(1, "k1"), (2, "k2"), (3, "k3")], false));
        assert_eq!(db.audit("acme", event("k4")).unwrap(), 4);
        assert_eq!(db.audit_after("other", 0, 10).unwrap().0.len(), 1);
        let conn = db.read();
        let (version, sql): (i64, String) = conn
            .query_row(
                "SELECT (SELECT value FROM meta WHERE key = 'schema_version'), (SELECT sql FROM sqlite_master WHERE name = 'events')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        assert!(sql.contains("WITHOUT ROWID"), "{sql}");
        drop(conn);
        drop(db);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_equality_lookup_is_prepared_once_whatever_it_is_bound_to() {
        let db = Database::open_in_memory().unwrap();
        let conn = db.write();
        let sql = "SELECT id FROM eq_index WHERE tenant = ?1 AND kind = ?2 AND attr = ?3 AND key = ?4 ORDER BY id";
        for i in 0..20 {
            let mut st = conn.prepare_cached(sql).unwrap();
            let rows = st.query_map(params!["t", 0, "userName", format!("u{i}")], |r| r.get::<_, String>(0)).unwrap();
            assert_eq!(rows.count(), 0);
        }
        let st = conn.prepare_cached(sql).unwrap();
        assert_eq!(st.get_status(rusqlite::StatementStatus::RePrepare), 0, "bound anew 20 times, prepared once");
    }
}
