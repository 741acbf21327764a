//! The durable store: SQLite (bundled), WAL, `synchronous=FULL`, one write transaction per
//! store call. A write is acknowledged only after its transaction committed.
//!
//! One database holds every tenant (a `tenant` column), the admin state of each tenant and its
//! audit log ([`Database`]). The member relation is indexed both ways, equality indexes answer
//! `eq` filters, and unfiltered listings page in SQL; filtered or sorted listings scan the
//! tenant's resources of that kind, keeping only sort keys and ids in memory.

use super::{ListQuery, MemberChange, NewResource, Page, Store, Update, Window, if_match_ok, order};
use crate::clock;
use crate::error::{Result, ScimError};
use crate::filter::sort::SortKey;
use crate::model::{GroupRef, Kind, Member, Record, UniqueKey};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde_json::{Map, Value};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// The schema version this code creates and expects.
pub const SCHEMA_VERSION: i64 = 1;

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
CREATE INDEX IF NOT EXISTS resources_by_id ON resources (tenant, id);
CREATE INDEX IF NOT EXISTS uniq_by_id ON uniq (tenant, kind, id);
CREATE INDEX IF NOT EXISTS eq_index_by_id ON eq_index (tenant, kind, id);
CREATE TABLE IF NOT EXISTS tenants (name TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (tenant TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (tenant, seq));
";

/// One SQLite database file shared by every tenant's store.
#[derive(Debug, Clone)]
pub struct Database {
    conn: Arc<Mutex<Connection>>,
}

fn db_err(e: rusqlite::Error) -> ScimError {
    ScimError::internal(format!("storage error: {e}"))
}

impl Database {
    /// Opens (creating and migrating) the database at `path`.
    pub fn open(path: &Path) -> std::result::Result<Database, String> {
        let conn = Connection::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        Self::init(conn)
    }

    /// A private in-memory database (tests).
    pub fn open_in_memory() -> std::result::Result<Database, String> {
        Self::init(Connection::open_in_memory().map_err(|e| e.to_string())?)
    }

    fn init(conn: Connection) -> std::result::Result<Database, String> {
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
                Some(v) => {
                    return Err(rusqlite::Error::InvalidParameterName(format!(
                        "database schema version {v}, expected {SCHEMA_VERSION}"
                    )));
                }
            }
            Ok(())
        };
        setup().map_err(|e| format!("cannot initialise the database: {e}"))?;
        Ok(Database { conn: Arc::new(Mutex::new(conn)) })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The store of one tenant.
    pub fn store(&self, tenant: &str) -> SqliteStore {
        SqliteStore { db: self.clone(), tenant: tenant.to_owned() }
    }

    /// Saves a tenant's admin state (a JSON document).
    pub fn save_tenant(&self, name: &str, state: &Value) -> Result<()> {
        self.lock()
            .execute("INSERT INTO tenants (name, state) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET state = excluded.state", params![name, state.to_string()])
            .map_err(db_err)?;
        Ok(())
    }

    /// Removes a tenant and everything in it.
    pub fn remove_tenant(&self, name: &str) -> Result<()> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(db_err)?;
        for table in ["resources", "uniq", "eq_index", "members", "events"] {
            tx.execute(&format!("DELETE FROM {table} WHERE tenant = ?1"), [name]).map_err(db_err)?;
        }
        tx.execute("DELETE FROM tenants WHERE name = ?1", [name]).map_err(db_err)?;
        tx.commit().map_err(db_err)
    }

    /// Every saved tenant: `(name, state)`.
    pub fn tenants(&self) -> Result<Vec<(String, Value)>> {
        let conn = self.lock();
        let mut st = conn.prepare("SELECT name, state FROM tenants ORDER BY name").map_err(db_err)?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(db_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db_err)?;
        Ok(rows.into_iter().filter_map(|(n, s)| Some((n, serde_json::from_str(&s).ok()?))).collect())
    }

    /// Appends an audit event.
    pub fn append_event(&self, tenant: &str, seq: u64, event: &Value) -> Result<()> {
        self.lock()
            .execute(
                "INSERT INTO events (tenant, seq, event) VALUES (?1, ?2, ?3)",
                params![tenant, seq as i64, event.to_string()],
            )
            .map_err(db_err)?;
        Ok(())
    }

    /// A tenant's audit events, in order.
    pub fn events(&self, tenant: &str) -> Result<Vec<Value>> {
        let conn = self.lock();
        let mut st = conn.prepare("SELECT event FROM events WHERE tenant = ?1 ORDER BY seq").map_err(db_err)?;
        let rows = st
            .query_map([tenant], |r| r.get::<_, String>(0))
            .map_err(db_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db_err)?;
        Ok(rows.into_iter().filter_map(|s| serde_json::from_str(&s).ok()).collect())
    }
}

/// One tenant's resources in a [`Database`].
#[derive(Debug, Clone)]
pub struct SqliteStore {
    db: Database,
    tenant: String,
}

fn kind_code(k: Kind) -> i64 {
    match k {
        Kind::User => 0,
        Kind::Group => 1,
    }
}

fn not_found(kind: Kind, id: &str) -> ScimError {
    ScimError::not_found(format!("{} '{id}' not found", kind.as_str()))
}

fn read_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    let attrs: String = r.get(1)?;
    Ok(Record {
        id: r.get(0)?,
        attrs: serde_json::from_str::<Map<String, Value>>(&attrs).unwrap_or_default(),
        created: r.get(2)?,
        last_modified: r.get(3)?,
        version: r.get::<_, i64>(4)? as u64,
    })
}

const COLUMNS: &str = "id, attrs, created, last_modified, version";

impl SqliteStore {
    fn get_in(&self, tx: &Connection, kind: Kind, id: &str) -> Result<Option<Record>> {
        tx.query_row(
            &format!("SELECT {COLUMNS} FROM resources WHERE tenant = ?1 AND kind = ?2 AND id = ?3"),
            params![self.tenant, kind_code(kind), id],
            read_record,
        )
        .optional()
        .map_err(db_err)
    }

    fn next_version(tx: &Transaction<'_>) -> Result<u64> {
        tx.query_row("UPDATE meta SET value = value + 1 WHERE key = 'version' RETURNING value", [], |r| {
            r.get::<_, i64>(0)
        })
        .map(|v| v as u64)
        .map_err(db_err)
    }

    fn check_unique(&self, tx: &Transaction<'_>, kind: Kind, keys: &[UniqueKey], except: Option<&str>) -> Result<()> {
        for k in keys {
            let owner: Option<String> = tx
                .query_row(
                    "SELECT id FROM uniq WHERE tenant = ?1 AND kind = ?2 AND attr = ?3 AND key = ?4",
                    params![self.tenant, kind_code(kind), k.attr, k.key],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_err)?;
            if owner.is_some_and(|o| Some(o.as_str()) != except) {
                return Err(super::clash(kind, k));
            }
        }
        Ok(())
    }

    fn kind_of(&self, tx: &Connection, id: &str) -> Result<Option<Kind>> {
        let k: Option<i64> = tx
            .query_row("SELECT kind FROM resources WHERE tenant = ?1 AND id = ?2", params![self.tenant, id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db_err)?;
        Ok(k.map(|k| if k == 0 { Kind::User } else { Kind::Group }))
    }

    fn check_members(&self, tx: &Transaction<'_>, group: &str, ids: &[&str]) -> Result<()> {
        for id in ids {
            if *id == group {
                return Err(ScimError::invalid_value("a group cannot be a member of itself"));
            }
            if self.kind_of(tx, id)?.is_none() {
                return Err(ScimError::invalid_value(format!("member '{id}' does not exist")));
            }
        }
        Ok(())
    }

    fn write_keys(&self, tx: &Transaction<'_>, kind: Kind, r: &Record, unique: &[UniqueKey]) -> Result<()> {
        let k = kind_code(kind);
        tx.execute("DELETE FROM uniq WHERE tenant = ?1 AND kind = ?2 AND id = ?3", params![self.tenant, k, r.id])
            .map_err(db_err)?;
        tx.execute("DELETE FROM eq_index WHERE tenant = ?1 AND kind = ?2 AND id = ?3", params![self.tenant, k, r.id])
            .map_err(db_err)?;
        for u in unique {
            tx.execute(
                "INSERT INTO uniq (tenant, kind, attr, key, id) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![self.tenant, k, u.attr, u.key, r.id],
            )
            .map_err(db_err)?;
        }
        for (attr, key) in super::memory::index_entries(&r.attrs) {
            tx.execute(
                "INSERT OR IGNORE INTO eq_index (tenant, kind, attr, key, id) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![self.tenant, k, attr, key, r.id],
            )
            .map_err(db_err)?;
        }
        Ok(())
    }

    fn put_record(&self, tx: &Transaction<'_>, kind: Kind, r: &Record) -> Result<()> {
        tx.execute(
            "INSERT INTO resources (tenant, kind, id, attrs, created, last_modified, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (tenant, kind, id) DO UPDATE SET attrs = excluded.attrs, last_modified = excluded.last_modified, version = excluded.version",
            params![self.tenant, kind_code(kind), r.id, Value::Object(r.attrs.clone()).to_string(), r.created, r.last_modified, r.version as i64],
        )
        .map_err(db_err)?;
        Ok(())
    }

    fn add_member(&self, tx: &Transaction<'_>, group: &str, member: &str, display: Option<&str>) -> Result<()> {
        tx.execute(
            "INSERT INTO members (tenant, group_id, member_id, display) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (tenant, group_id, member_id) DO UPDATE SET display = COALESCE(excluded.display, members.display)",
            params![self.tenant, group, member, display],
        )
        .map_err(db_err)?;
        Ok(())
    }

    fn members_in(&self, tx: &Connection, group: &str) -> Result<Vec<Member>> {
        let mut st = tx
            .prepare_cached("SELECT m.member_id, m.display, r.kind FROM members m LEFT JOIN resources r ON r.tenant = m.tenant AND r.id = m.member_id WHERE m.tenant = ?1 AND m.group_id = ?2 ORDER BY m.member_id")
            .map_err(db_err)?;
        let rows = st
            .query_map(params![self.tenant, group], |r| {
                Ok(Member {
                    value: r.get(0)?,
                    display: r.get(1)?,
                    kind: if r.get::<_, Option<i64>>(2)? == Some(1) { Kind::Group } else { Kind::User },
                })
            })
            .map_err(db_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db_err)?;
        Ok(rows)
    }
}

impl Store for SqliteStore {
    fn create(&self, kind: Kind, res: NewResource) -> Result<Record> {
        let mut conn = self.db.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
        self.check_unique(&tx, kind, &res.unique, None)?;
        let id = uuid::Uuid::now_v7().to_string();
        self.check_members(&tx, &id, &res.members.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>())?;
        let now = clock::now();
        let record = Record {
            id: id.clone(),
            attrs: res.attrs,
            created: now.clone(),
            last_modified: now,
            version: Self::next_version(&tx)?,
        };
        self.put_record(&tx, kind, &record)?;
        self.write_keys(&tx, kind, &record, &res.unique)?;
        for (m, display) in &res.members {
            self.add_member(&tx, &id, m, display.as_deref())?;
        }
        tx.commit().map_err(db_err)?;
        Ok(record)
    }

    fn get(&self, kind: Kind, id: &str) -> Result<Option<Record>> {
        let conn = self.db.lock();
        self.get_in(&conn, kind, id)
    }

    fn update(
        &self,
        kind: Kind,
        id: &str,
        if_match: Option<&str>,
        f: &mut dyn FnMut(&Record, super::MembersOf<'_>) -> Result<Update>,
    ) -> Result<Record> {
        let mut conn = self.db.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
        let current = self.get_in(&tx, kind, id)?.ok_or_else(|| not_found(kind, id))?;
        if let Some(h) = if_match
            && !if_match_ok(h, &current.etag())
        {
            return Err(ScimError::precondition_failed(format!(
                "If-Match {h} does not match the current version {}",
                current.etag()
            )));
        }
        let update = f(&current, &|| self.members_in(&tx, id).unwrap_or_default())?;
        self.check_unique(&tx, kind, &update.unique, Some(id))?;
        if let Some(change) = &update.members {
            let ids: Vec<&str> = match change {
                MemberChange::Replace(all) => all.iter().map(|(m, _)| m.as_str()).collect(),
                MemberChange::Delta { add, .. } => add.iter().map(|(m, _)| m.as_str()).collect(),
            };
            self.check_members(&tx, id, &ids)?;
        }
        let is_member = |m: &str| {
            tx.query_row(
                "SELECT 1 FROM members WHERE tenant = ?1 AND group_id = ?2 AND member_id = ?3",
                params![self.tenant, id, m],
                |_| Ok(()),
            )
            .is_ok()
        };
        let count = || {
            tx.query_row(
                "SELECT COUNT(*) FROM members WHERE tenant = ?1 AND group_id = ?2",
                params![self.tenant, id],
                |r| r.get::<_, i64>(0),
            )
            .map_or(0, |n| n as usize)
        };
        if super::is_noop(&current, &update, &is_member, &count) {
            return Ok(current);
        }
        let record = Record {
            id: id.to_owned(),
            attrs: update.attrs,
            created: current.created,
            last_modified: clock::now(),
            version: Self::next_version(&tx)?,
        };
        self.put_record(&tx, kind, &record)?;
        self.write_keys(&tx, kind, &record, &update.unique)?;
        match update.members {
            None => {}
            Some(MemberChange::Replace(all)) => {
                tx.execute("DELETE FROM members WHERE tenant = ?1 AND group_id = ?2", params![self.tenant, id])
                    .map_err(db_err)?;
                for (m, d) in &all {
                    self.add_member(&tx, id, m, d.as_deref())?;
                }
            }
            Some(MemberChange::Delta { add, remove }) => {
                for m in &remove {
                    tx.execute(
                        "DELETE FROM members WHERE tenant = ?1 AND group_id = ?2 AND member_id = ?3",
                        params![self.tenant, id, m],
                    )
                    .map_err(db_err)?;
                }
                for (m, d) in &add {
                    self.add_member(&tx, id, m, d.as_deref())?;
                }
            }
        }
        tx.commit().map_err(db_err)?;
        Ok(record)
    }

    fn delete(&self, kind: Kind, id: &str, if_match: Option<&str>) -> Result<()> {
        let mut conn = self.db.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
        let current = self.get_in(&tx, kind, id)?.ok_or_else(|| not_found(kind, id))?;
        if let Some(h) = if_match
            && !if_match_ok(h, &current.etag())
        {
            return Err(ScimError::precondition_failed(format!("If-Match {h} does not match the current version")));
        }
        let k = kind_code(kind);
        tx.execute("DELETE FROM resources WHERE tenant = ?1 AND kind = ?2 AND id = ?3", params![self.tenant, k, id])
            .map_err(db_err)?;
        tx.execute("DELETE FROM uniq WHERE tenant = ?1 AND kind = ?2 AND id = ?3", params![self.tenant, k, id])
            .map_err(db_err)?;
        tx.execute("DELETE FROM eq_index WHERE tenant = ?1 AND kind = ?2 AND id = ?3", params![self.tenant, k, id])
            .map_err(db_err)?;
        tx.execute(
            "DELETE FROM members WHERE tenant = ?1 AND (group_id = ?2 OR member_id = ?2)",
            params![self.tenant, id],
        )
        .map_err(db_err)?;
        tx.commit().map_err(db_err)
    }

    fn list(&self, kind: Kind, query: &ListQuery<'_>) -> Result<Page> {
        let conn = self.db.lock();
        let k = kind_code(kind);
        // Unfiltered, unsorted, by index: page in SQL.
        if let (None, None, Window::Offset { offset, count }) = (query.filter, query.sort, &query.window) {
            let total: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM resources WHERE tenant = ?1 AND kind = ?2",
                    params![self.tenant, k],
                    |r| r.get(0),
                )
                .map_err(db_err)?;
            let mut st = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM resources WHERE tenant = ?1 AND kind = ?2 ORDER BY id LIMIT ?3 OFFSET ?4"
                ))
                .map_err(db_err)?;
            let records = st
                .query_map(params![self.tenant, k, (*count).min(i64::MAX as usize) as i64, *offset as i64], read_record)
                .map_err(db_err)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(db_err)?;
            let total = total as usize;
            return Ok(Page { total, more_before: *offset > 0, more_after: offset + records.len() < total, records });
        }
        let hint = query.filter.and_then(|f| f.index_hint());
        let mut matched: Vec<(SortKey, String)> = Vec::new();
        let mut keep = |r: Record| {
            if query.filter.is_none_or(|f| f.matches(&r)) {
                matched.push((query.sort.map(|s| s.key(&r)).unwrap_or(SortKey::Missing), r.id));
            }
        };
        match &hint {
            Some(h) if h.attr == "id" => {
                if let Some(r) = self.get_in(&conn, kind, &h.value)? {
                    keep(r);
                }
            }
            Some(h) => {
                let mut st = conn
                    .prepare_cached(&format!("SELECT {} FROM eq_index e JOIN resources r ON r.tenant = e.tenant AND r.kind = e.kind AND r.id = e.id WHERE e.tenant = ?1 AND e.kind = ?2 AND e.attr = ?3 AND e.key = ?4 ORDER BY e.id", COLUMNS.split(", ").map(|c| format!("r.{c}")).collect::<Vec<_>>().join(", ")))
                    .map_err(db_err)?;
                let rows = st
                    .query_map(params![self.tenant, k, h.attr, crate::model::fold(&h.value)], read_record)
                    .map_err(db_err)?;
                for r in rows {
                    keep(r.map_err(db_err)?);
                }
            }
            None => {
                let mut st = conn
                    .prepare_cached(&format!(
                        "SELECT {COLUMNS} FROM resources WHERE tenant = ?1 AND kind = ?2 ORDER BY id"
                    ))
                    .map_err(db_err)?;
                let rows = st.query_map(params![self.tenant, k], read_record).map_err(db_err)?;
                for r in rows {
                    keep(r.map_err(db_err)?);
                }
            }
        }
        if query.sort.is_some() {
            matched.sort_by(|a, b| order(query.sort, (&a.0, &a.1), (&b.0, &b.1)));
        }
        let total = matched.len();
        let (start, end) = super::window_bounds(&query.window, query.sort, &matched, |(k, id)| (k, id.as_str()));
        let mut records = Vec::with_capacity(end - start);
        for (_, id) in &matched[start..end] {
            if let Some(r) = self.get_in(&conn, kind, id)? {
                records.push(r);
            }
        }
        Ok(Page { total, records, more_before: start > 0, more_after: end < total })
    }

    fn members(&self, group_id: &str) -> Result<Vec<Member>> {
        let conn = self.db.lock();
        self.members_in(&conn, group_id)
    }

    fn groups_of_many(&self, member_ids: &[&str]) -> Result<std::collections::HashMap<String, Vec<GroupRef>>> {
        let mut out: std::collections::HashMap<String, Vec<GroupRef>> =
            member_ids.iter().map(|id| ((*id).to_owned(), Vec::new())).collect();
        if member_ids.is_empty() {
            return Ok(out);
        }
        let conn = self.db.lock();
        let marks = vec!["?"; member_ids.len()].join(", ");
        let sql = format!(
            "SELECT m.member_id, m.group_id, json_extract(r.attrs, '$.displayName') FROM members m JOIN resources r ON r.tenant = m.tenant AND r.kind = 1 AND r.id = m.group_id WHERE m.tenant = ? AND m.member_id IN ({marks}) ORDER BY m.member_id, m.group_id"
        );
        let mut st = conn.prepare(&sql).map_err(db_err)?;
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&self.tenant];
        args.extend(member_ids.iter().map(|id| id as &dyn rusqlite::ToSql));
        let rows = st
            .query_map(args.as_slice(), |r| {
                Ok((r.get::<_, String>(0)?, GroupRef { id: r.get(1)?, display: r.get(2)? }))
            })
            .map_err(db_err)?;
        for row in rows {
            let (member, g) = row.map_err(db_err)?;
            out.entry(member).or_default().push(g);
        }
        Ok(out)
    }

    fn groups_of(&self, member_id: &str) -> Result<Vec<GroupRef>> {
        let conn = self.db.lock();
        let mut st = conn
            .prepare_cached("SELECT m.group_id, json_extract(r.attrs, '$.displayName') FROM members m JOIN resources r ON r.tenant = m.tenant AND r.kind = 1 AND r.id = m.group_id WHERE m.tenant = ?1 AND m.member_id = ?2 ORDER BY m.group_id")
            .map_err(db_err)?;
        let rows = st
            .query_map(params![self.tenant, member_id], |r| Ok(GroupRef { id: r.get(0)?, display: r.get(1)? }))
            .map_err(db_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db_err)?;
        Ok(rows)
    }
}
