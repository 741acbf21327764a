//! The durable store: SQLite (bundled), WAL. Each write is one savepoint in the writer's open
//! batch ([`super::batch`]), and is acknowledged only after its batch committed and the WAL was
//! fsynced (group commit, see [`Database`]); what the in-memory caches learn from it is applied
//! once the batch committed. Until then, what the writing request reads next it reads inside
//! the batch.
//!
//! One database holds every tenant (a `tenant` column), the admin state of each tenant and its
//! audit log ([`Database`]). The member relation is indexed both ways, equality indexes answer
//! `eq` filters, and unfiltered listings page in SQL; filtered or sorted listings scan the
//! tenant's resources of that kind, keeping only sort keys and ids in memory.

use super::database::{Cached as _, Database, db_err};
use super::lookup::Lookup;
use super::sqlite_memory::display_name;
use super::{Change, ListQuery, MemberChange, NewResource, Page, Store, Update, if_match_ok};
use crate::audit::Event;
use crate::clock;
use crate::error::{Result, ScimError};
use crate::model::{GroupRef, Kind, Member, Record};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};
use std::sync::Arc;

/// One tenant's resources in a [`Database`].
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(super) db: Database,
    pub(super) tenant: String,
    cache: std::sync::Arc<super::cache::RecordCache>,
    pub(super) ranks: std::sync::Arc<super::ranks::Ranks>,
    pub(super) relation: std::sync::Arc<super::relation::Relation>,
    pub(super) lookup: std::sync::Arc<super::lookup::Lookup>,
}

impl SqliteStore {
    pub(crate) fn new(db: Database, tenant: &str) -> SqliteStore {
        SqliteStore {
            db,
            tenant: tenant.to_owned(),
            cache: Default::default(),
            ranks: Default::default(),
            relation: Default::default(),
            lookup: Default::default(),
        }
    }
}

pub(super) fn kind_code(k: Kind) -> i64 {
    match k {
        Kind::User => 0,
        Kind::Group => 1,
    }
}

fn not_found(kind: Kind, id: &str) -> ScimError {
    ScimError::not_found(format!("{} '{id}' not found", kind.as_str()))
}

pub(super) fn read_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    let attrs: String = r.get(1)?;
    Ok(Record {
        id: r.get(0)?,
        attrs: serde_json::from_str::<Map<String, Value>>(&attrs).unwrap_or_default(),
        created: r.get(2)?,
        last_modified: r.get(3)?,
        version: r.get::<_, i64>(4)? as u64,
    })
}

pub(super) const COLUMNS: &str = "id, attrs, created, last_modified, version";

impl SqliteStore {
    fn get_in(&self, tx: &Connection, kind: Kind, id: &str) -> Result<Option<Record>> {
        tx.row_c(
            &format!("SELECT {COLUMNS} FROM resources WHERE tenant = ?1 AND kind = ?2 AND id = ?3"),
            params![self.tenant, kind_code(kind), id],
            read_record,
        )
        .optional()
        .map_err(db_err)
    }

    /// The kind of resource `id` names, looked up along the primary key of each kind.
    fn kind_of(&self, tx: &Connection, id: &str) -> Result<Option<Kind>> {
        for kind in [Kind::User, Kind::Group] {
            let found = tx
                .row_c(
                    "SELECT 1 FROM resources WHERE tenant = ?1 AND kind = ?2 AND id = ?3",
                    params![self.tenant, kind_code(kind), id],
                    |_| Ok(()),
                )
                .optional()
                .map_err(db_err)?;
            if found.is_some() {
                return Ok(Some(kind));
            }
        }
        Ok(None)
    }

    fn check_members(&self, tx: &Connection, group: &str, ids: &[&str]) -> Result<()> {
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

    fn put_record(&self, tx: &Connection, kind: Kind, r: &Record) -> Result<()> {
        tx.exec_c(
            "INSERT INTO resources (tenant, kind, id, attrs, created, last_modified, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (tenant, kind, id) DO UPDATE SET attrs = excluded.attrs, last_modified = excluded.last_modified, version = excluded.version",
            params![self.tenant, kind_code(kind), r.id, Value::Object(r.attrs.clone()).to_string(), r.created, r.last_modified, r.version as i64],
        )
        .map_err(db_err)?;
        Ok(())
    }

    fn add_member(&self, tx: &Connection, group: &str, member: &str, display: Option<&str>) -> Result<()> {
        tx.exec_c(
            "INSERT INTO members (tenant, group_id, member_id, display) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (tenant, group_id, member_id) DO UPDATE SET display = COALESCE(excluded.display, members.display)",
            params![self.tenant, group, member, display],
        )
        .map_err(db_err)?;
        Ok(())
    }

    fn members_in(&self, tx: &Connection, group: &str) -> Result<Vec<Member>> {
        let mut st = tx
            .prepare_cached("SELECT m.member_id, m.display, EXISTS (SELECT 1 FROM resources r WHERE r.tenant = m.tenant AND r.kind = 1 AND r.id = m.member_id) FROM members m WHERE m.tenant = ?1 AND m.group_id = ?2 ORDER BY m.member_id")
            .map_err(db_err)?;
        let rows = st
            .query_map(params![self.tenant, group], |r| {
                Ok(Member {
                    value: r.get(0)?,
                    display: r.get(1)?,
                    kind: if r.get::<_, bool>(2)? { Kind::Group } else { Kind::User },
                })
            })
            .map_err(db_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db_err)?;
        Ok(rows)
    }
}

/// The in-memory state of a tenant's store that a write updates once its batch committed.
struct Caches {
    cache: Arc<super::cache::RecordCache>,
    ranks: Arc<super::ranks::Ranks>,
    lookup: Arc<Lookup>,
    relation: Arc<super::relation::Relation>,
}

impl SqliteStore {
    fn caches(&self) -> Caches {
        Caches {
            cache: self.cache.clone(),
            ranks: self.ranks.clone(),
            lookup: self.lookup.clone(),
            relation: self.relation.clone(),
        }
    }

    /// A record from the cache, or read on `conn` and put in the cache; read on `conn` alone
    /// when it reads inside a batch not committed yet (see `Database::read`), which the cache
    /// does not know.
    pub(super) fn cached(&self, conn: &Connection, kind: Kind, id: &str) -> Result<Option<Arc<Record>>> {
        if !conn.is_autocommit() {
            return Ok(self.get_in(conn, kind, id)?.map(Arc::new));
        }
        let epoch = match self.cache.get(kind, id) {
            Ok(r) => return Ok(Some(r)),
            Err(epoch) => epoch,
        };
        let found = self.get_in(conn, kind, id)?.map(Arc::new);
        if let Some(r) = &found {
            self.cache.fill(kind, r, epoch);
        }
        Ok(found)
    }
}

impl SqliteStore {
    /// Writes a change to the outbox, and its audit event to the log, inside the write's own
    /// transaction.
    fn outbox(&self, tx: &Connection, change: &Change, event: Event) -> Result<()> {
        let text = serde_json::to_string(change).map_err(|e| ScimError::internal(e.to_string()))?;
        tx.exec_c("INSERT INTO outbox (tenant, change) VALUES (?1, ?2)", params![self.tenant, text]).map_err(db_err)?;
        super::database::append_event(tx, &self.tenant, event)?;
        Ok(())
    }
}

impl Store for SqliteStore {
    fn create(&self, kind: Kind, res: NewResource) -> Result<Record> {
        let tx = self.db.join()?;
        self.check_unique(&tx, kind, &res.unique, None)?;
        let id = uuid::Uuid::now_v7().to_string();
        self.check_members(&tx, &id, &res.members.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>())?;
        let now = clock::now();
        let record = Record {
            id: id.clone(),
            attrs: res.attrs,
            created: now.clone(),
            last_modified: now,
            version: self.db.next_version(),
        };
        self.put_record(&tx, kind, &record)?;
        self.write_keys(&tx, kind, &record, &res.unique, None)?;
        for (m, display) in &res.members {
            self.add_member(&tx, &id, m, display.as_deref())?;
        }
        let members = !res.members.is_empty();
        let change = Change::of(kind, &id, "create", record.version, None, Some(&record.attrs), members);
        let added = MemberChange::Delta { add: res.members, remove: vec![] };
        let event = Event::of_write(&res.actor, kind, &id, "create", None, Some(&record.attrs), Some(&added));
        self.outbox(&tx, &change, event)?;
        let (caches, kept) = (self.caches(), record.clone());
        let ticket = tx.done(
            &id,
            Box::new(move || {
                let Caches { cache, ranks, lookup, relation } = caches;
                cache.put(kind, Arc::new(kept.clone()));
                ranks.insert(kind, &kept.id);
                lookup.change(kind, &kept.id, None, Some(&kept.attrs));
                if kind == Kind::Group {
                    relation.name(&kept.id, display_name(&kept.attrs));
                }
                if let MemberChange::Delta { add, .. } = &added {
                    for (m, _) in add {
                        relation.add(&kept.id, m);
                    }
                }
            }),
        )?;
        self.db.wait_durable(ticket)?;
        Ok(record)
    }

    fn get(&self, kind: Kind, id: &str) -> Result<Option<Arc<Record>>> {
        if let Ok(r) = self.cache.get(kind, id)
            && !self.db.wrote_uncommitted()
        {
            return Ok(Some(r));
        }
        let conn = self.db.read();
        self.cached(&conn, kind, id)
    }

    fn update(
        &self,
        kind: Kind,
        id: &str,
        if_match: Option<&str>,
        f: &mut dyn FnMut(&Record, super::MembersOf<'_>) -> Result<Update>,
    ) -> Result<Record> {
        let tx = self.db.join()?;
        // Holding the writer, the cache holds nothing older than the last commit (see `cache`),
        // but the open batch may hold a newer version.
        let cached = if tx.touched(id) { None } else { self.cache.get(kind, id).ok() };
        let current = match cached {
            Some(r) => r,
            None => Arc::new(self.get_in(&tx, kind, id)?.ok_or_else(|| not_found(kind, id))?),
        };
        if let Some(h) = if_match
            && !if_match_ok(h, &current.etag())
        {
            return Err(ScimError::precondition_failed(format!(
                "If-Match {h} does not match the current version {}",
                current.etag()
            )));
        }
        // The probes below answer plain values; an error of theirs fails the write.
        let probe_error: std::cell::RefCell<Option<ScimError>> = Default::default();
        let note = |e: ScimError| {
            probe_error.borrow_mut().get_or_insert(e);
        };
        let update = f(&current, &|| {
            self.members_in(&tx, id).unwrap_or_else(|e| {
                note(e);
                Vec::new()
            })
        });
        let update = match probe_error.take() {
            Some(e) => return Err(e),
            None => update?,
        };
        self.check_unique(&tx, kind, &update.unique, Some(id))?;
        if let Some(change) = &update.members {
            let ids: Vec<&str> = match change {
                MemberChange::Replace(all) => all.iter().map(|(m, _)| m.as_str()).collect(),
                MemberChange::Delta { add, .. } => add.iter().map(|(m, _)| m.as_str()).collect(),
            };
            self.check_members(&tx, id, &ids)?;
        }
        let is_member = |m: &str| {
            tx.row_c(
                "SELECT 1 FROM members WHERE tenant = ?1 AND group_id = ?2 AND member_id = ?3",
                params![self.tenant, id, m],
                |_| Ok(()),
            )
            .optional()
            .unwrap_or_else(|e| {
                note(db_err(e));
                None
            })
            .is_some()
        };
        let count = || {
            tx.row_c(
                "SELECT COUNT(*) FROM members WHERE tenant = ?1 AND group_id = ?2",
                params![self.tenant, id],
                |r| r.get::<_, i64>(0),
            )
            .map_or_else(
                |e| {
                    note(db_err(e));
                    0
                },
                |n| n as usize,
            )
        };
        let noop = super::is_noop(&current, &update, &is_member, &count);
        if let Some(e) = probe_error.take() {
            return Err(e);
        }
        if noop {
            // Decided inside the open batch: dropping `tx` holds the answer back until that
            // batch is durable (see `Batch`'s drop).
            return Ok(Arc::unwrap_or_clone(current));
        }
        let op = if update.put { "put" } else { "patch" };
        let members_changed = update.members.is_some();
        let record = Record {
            id: id.to_owned(),
            attrs: update.attrs,
            created: current.created.clone(),
            last_modified: clock::now(),
            version: self.db.next_version(),
        };
        let change =
            Change::of(kind, id, op, record.version, Some(&current.attrs), Some(&record.attrs), members_changed);
        let event = Event::of_write(
            &update.actor,
            kind,
            id,
            op,
            Some(&current.attrs),
            Some(&record.attrs),
            update.members.as_ref(),
        );
        self.outbox(&tx, &change, event)?;
        self.put_record(&tx, kind, &record)?;
        self.write_keys(&tx, kind, &record, &update.unique, Some(&current.attrs))?;
        // What the in-memory relation learns once the transaction is committed.
        let renamed = (kind == Kind::Group && display_name(&current.attrs) != display_name(&record.attrs))
            .then(|| display_name(&record.attrs));
        match &update.members {
            None => {}
            Some(MemberChange::Replace(all)) => {
                tx.exec_c("DELETE FROM members WHERE tenant = ?1 AND group_id = ?2", params![self.tenant, id])
                    .map_err(db_err)?;
                for (m, d) in all {
                    self.add_member(&tx, id, m, d.as_deref())?;
                }
            }
            Some(MemberChange::Delta { add, remove }) => {
                for m in remove {
                    tx.exec_c(
                        "DELETE FROM members WHERE tenant = ?1 AND group_id = ?2 AND member_id = ?3",
                        params![self.tenant, id, m],
                    )
                    .map_err(db_err)?;
                }
                for (m, d) in add {
                    self.add_member(&tx, id, m, d.as_deref())?;
                }
            }
        }
        let (caches, kept, members) = (self.caches(), record.clone(), update.members);
        let ticket = tx.done(
            id,
            Box::new(move || {
                let Caches { cache, lookup, relation, .. } = caches;
                // The record first: the next update of it trusts the cache.
                let kept = Arc::new(kept);
                cache.put(kind, kept.clone());
                let id = kept.id.as_str();
                lookup.change(kind, id, Some(&current.attrs), Some(&kept.attrs));
                if let Some(name) = renamed {
                    relation.name(id, name);
                }
                match &members {
                    None => {}
                    Some(MemberChange::Replace(_)) => relation.drop_all(),
                    Some(MemberChange::Delta { add, remove }) => {
                        for m in remove {
                            relation.remove(id, m);
                        }
                        for (m, _) in add {
                            relation.add(id, m);
                        }
                    }
                }
            }),
        )?;
        self.db.wait_durable(ticket)?;
        Ok(record)
    }

    fn delete(&self, kind: Kind, id: &str, if_match: Option<&str>, actor: &str) -> Result<()> {
        let tx = self.db.join()?;
        let current = self.get_in(&tx, kind, id)?.ok_or_else(|| not_found(kind, id))?;
        if let Some(h) = if_match
            && !if_match_ok(h, &current.etag())
        {
            return Err(ScimError::precondition_failed(format!("If-Match {h} does not match the current version")));
        }
        let k = kind_code(kind);
        tx.exec_c("DELETE FROM resources WHERE tenant = ?1 AND kind = ?2 AND id = ?3", params![self.tenant, k, id])
            .map_err(db_err)?;
        tx.exec_c("DELETE FROM uniq WHERE tenant = ?1 AND kind = ?2 AND id = ?3", params![self.tenant, k, id])
            .map_err(db_err)?;
        tx.exec_c("DELETE FROM eq_index WHERE tenant = ?1 AND kind = ?2 AND id = ?3", params![self.tenant, k, id])
            .map_err(db_err)?;
        tx.exec_c(
            "DELETE FROM members WHERE tenant = ?1 AND (group_id = ?2 OR member_id = ?2)",
            params![self.tenant, id],
        )
        .map_err(db_err)?;
        let change = Change::of(kind, id, "delete", current.version, None, None, false);
        self.outbox(&tx, &change, Event::of_write(actor, kind, id, "delete", Some(&current.attrs), None, None))?;
        let (caches, gone) = (self.caches(), id.to_owned());
        let ticket = tx.done(
            id,
            Box::new(move || {
                let Caches { cache, ranks, lookup, relation } = caches;
                cache.remove(kind, &gone);
                ranks.remove(kind, &gone);
                lookup.change(kind, &gone, Some(&current.attrs), None);
                relation.forget_member(&gone);
                if kind == Kind::Group {
                    relation.forget_group(&gone);
                }
            }),
        )?;
        self.db.wait_durable(ticket)
    }

    fn list(&self, kind: Kind, query: &ListQuery<'_>) -> Result<Page> {
        // Unfiltered and unsorted: a keyset page in SQL, whatever its position.
        if let (None, None) = (query.filter, query.sort) {
            return self.page_by_id(kind, &query.window);
        }
        self.list_matching(kind, query)
    }

    fn changes(&self, after: u64, limit: usize) -> Result<Vec<Change>> {
        let conn = self.db.read();
        let mut stmt = conn
            .prepare_cached("SELECT seq, change FROM outbox WHERE tenant = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3")
            .map_err(db_err)?;
        let rows = stmt
            .query_map(params![self.tenant, after as i64, limit as i64], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(db_err)?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, text) = row.map_err(db_err)?;
            let mut c: Change = serde_json::from_str(&text).map_err(|e| ScimError::internal(e.to_string()))?;
            c.seq = seq as u64;
            out.push(c);
        }
        Ok(out)
    }

    fn forget_changes(&self, seqs: &[u64]) -> Result<()> {
        if seqs.is_empty() {
            return Ok(());
        }
        let ticket = {
            let mut conn = self.db.write();
            let tx = conn.transaction().map_err(db_err)?;
            for seq in seqs {
                tx.exec_c("DELETE FROM outbox WHERE tenant = ?1 AND seq = ?2", params![self.tenant, *seq as i64])
                    .map_err(db_err)?;
            }
            tx.commit().map_err(db_err)?;
            self.db.committed()
        };
        self.db.wait_durable(ticket)
    }

    fn record_changes(&self, changes: Vec<Change>) -> Result<()> {
        let ticket = {
            let mut conn = self.db.write();
            // The completions of a request's writes: not if their batch failed to commit.
            self.db.scope_failed()?;
            let tx = conn.transaction().map_err(db_err)?;
            for c in &changes {
                let text = serde_json::to_string(c).map_err(|e| ScimError::internal(e.to_string()))?;
                tx.exec_c("INSERT INTO outbox (tenant, change) VALUES (?1, ?2)", params![self.tenant, text])
                    .map_err(db_err)?;
            }
            tx.commit().map_err(db_err)?;
            self.db.committed()
        };
        self.db.wait_durable(ticket)
    }

    fn audit(&self, event: Event) -> Result<u64> {
        self.db.audit(&self.tenant, event)
    }

    fn audit_after(&self, after: u64, limit: usize) -> Result<(Vec<Event>, bool)> {
        self.db.audit_after(&self.tenant, after, limit)
    }

    fn members(&self, group_id: &str) -> Result<Vec<Member>> {
        let conn = self.db.read();
        self.members_in(&conn, group_id)
    }

    fn groups_of_many(&self, member_ids: &[&str]) -> Result<std::collections::HashMap<String, Vec<GroupRef>>> {
        self.load_relation()?;
        member_ids.iter().map(|id| Ok(((*id).to_owned(), self.groups_of(id)?))).collect()
    }

    fn groups_of(&self, member_id: &str) -> Result<Vec<GroupRef>> {
        loop {
            if let Some(groups) = self.relation.groups_of(member_id) {
                return Ok(groups);
            }
            self.load_relation()?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A member probe that fails (here, its table is gone) fails the write: read as "not a
    /// member", it made the removal below a change that changes nothing, answered as done.
    #[test]
    fn a_failing_member_probe_fails_the_write() {
        let db = Database::open_in_memory().expect("open");
        let store = db.store("acme");
        let user = store.create(Kind::User, NewResource::default()).expect("user").id;
        let res = NewResource { members: vec![(user.clone(), None)], ..NewResource::default() };
        let group = store.create(Kind::Group, res).expect("group").id;
        db.writer_mutex().lock().unwrap().execute_batch("ALTER TABLE members RENAME TO gone").expect("rename");
        let remove = MemberChange::Delta { add: vec![], remove: vec![user] };
        let result = store.update(Kind::Group, &group, None, &mut |r, _| {
            Ok(Update { attrs: r.attrs.clone(), members: Some(remove.clone()), ..Update::default() })
        });
        let err = result.expect_err("the probe's error");
        assert!(err.detail.contains("members"), "{}", err.detail);
    }
}
