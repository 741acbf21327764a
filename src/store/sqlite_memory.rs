//! The in-memory companions of the SQLite store ([`super::ranks`], [`super::relation`],
//! [`super::lookup`]): how
//! they are loaded (under the writer connection, so no write slips between the read and the
//! copy being kept up to date) and the keyset page read through the ranks. Split from `sqlite`
//! so that each file reads top-down.

use super::database::db_err;
use super::sqlite::{COLUMNS, SqliteStore, kind_code, read_record};
use super::{Page, Window};
use crate::error::Result;
use crate::model::Kind;
use rusqlite::params;
use serde_json::{Map, Value};

impl SqliteStore {
    /// An unfiltered page in id order: the ids in [`super::ranks::Ranks`] give its first id (or the
    /// position's rank), and SQL reads the page along the primary key from there.
    pub(super) fn page_by_id(&self, kind: Kind, window: &Window) -> Result<Page> {
        if !self.ranks.loaded(kind) {
            // Loaded under the writer connection, so no write can slip between the read and
            // the vector being kept up to date (see `ranks`).
            let conn = self.db.write();
            let mut st =
                conn.prepare_cached("SELECT id FROM resources WHERE tenant = ?1 AND kind = ?2").map_err(db_err)?;
            let ids = st
                .query_map(params![self.tenant, kind_code(kind)], |r| r.get::<_, String>(0))
                .map_err(db_err)?
                .map(|r| r.map(String::into_boxed_str))
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(db_err)?;
            self.ranks.load(kind, ids);
        }
        let rank = |id: &str| self.ranks.read(kind, |ids| (ids.partition_point(|x| &**x < id), ids.len()));
        // (the SQL after the id, the bound, descending?, how many, the rank before the page, total)
        let (cmp, from, desc, count, before, total) = match window {
            Window::Offset { offset, count } => {
                let (first, total) = self
                    .ranks
                    .read(kind, |ids| (ids.get(*offset).map(|s| s.to_string()), ids.len()))
                    .unwrap_or((None, 0));
                match first {
                    None => return Ok(Page { total, more_before: *offset > 0, ..Page::default() }),
                    Some(id) => (">=", id, false, *count, *offset, total),
                }
            }
            Window::After { pos: None, count } => (">=", String::new(), false, *count, 0, rank("").map_or(0, |r| r.1)),
            Window::After { pos: Some(p), count } => {
                let (at, total) = rank(&p.id).unwrap_or((0, 0));
                let at = if self.ranks.read(kind, |ids| ids.get(at).is_some_and(|x| **x == *p.id)) == Some(true) {
                    at + 1
                } else {
                    at
                };
                (">", p.id.clone(), false, *count, at, total)
            }
            Window::Before { pos, count } => {
                let (at, total) = rank(&pos.id).unwrap_or((0, 0));
                ("<", pos.id.clone(), true, *count, at.saturating_sub(*count), total)
            }
        };
        let order = if desc { "DESC" } else { "ASC" };
        let conn = self.db.read();
        let mut st = conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM resources WHERE tenant = ?1 AND kind = ?2 AND id {cmp} ?3 ORDER BY id {order} LIMIT ?4"
            ))
            .map_err(db_err)?;
        let mut records = st
            .query_map(params![self.tenant, kind_code(kind), from, count.min(i64::MAX as usize) as i64], read_record)
            .map_err(db_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db_err)?;
        if desc {
            records.reverse();
        }
        let records = records.into_iter().map(std::sync::Arc::new).collect::<Vec<_>>();
        Ok(Page { total, more_before: before > 0, more_after: before + records.len() < total, records })
    }
}

/// A group's displayName, as the relation keeps it.
pub(super) fn display_name(attrs: &Map<String, Value>) -> Option<String> {
    attrs.get("displayName").and_then(Value::as_str).map(str::to_owned)
}

impl SqliteStore {
    /// Loads the in-memory member relation if it is not there, under the writer connection
    /// (see `relation`).
    pub(super) fn load_relation(&self) -> Result<()> {
        if self.relation.loaded() {
            return Ok(());
        }
        let conn = self.db.write();
        if self.relation.loaded() {
            return Ok(());
        }
        let mut st =
            conn.prepare_cached("SELECT member_id, group_id FROM members WHERE tenant = ?1").map_err(db_err)?;
        let rows = st
            .query_map(params![self.tenant], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(db_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db_err)?;
        let mut st = conn
            .prepare_cached(
                "SELECT id, json_extract(attrs, '$.displayName') FROM resources WHERE tenant = ?1 AND kind = 1",
            )
            .map_err(db_err)?;
        let groups = st
            .query_map(params![self.tenant], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))
            .map_err(db_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db_err)?;
        self.relation.load(rows, groups);
        Ok(())
    }
}

impl SqliteStore {
    /// Loads the in-memory lookups if they are not there, under the writer connection (see
    /// `lookup`).
    pub(super) fn load_lookup(&self) -> Result<()> {
        if self.lookup.loaded() {
            return Ok(());
        }
        let conn = self.db.write();
        if self.lookup.loaded() {
            return Ok(());
        }
        let mut st = conn
            .prepare_cached(
                "SELECT kind, attr, key, id FROM eq_index WHERE tenant = ?1 AND attr IN ('userName', 'externalId', 'displayName')",
            )
            .map_err(db_err)?;
        let rows = st
            .query_map(params![self.tenant], |r| {
                let kind = if r.get::<_, i64>(0)? == kind_code(Kind::User) { Kind::User } else { Kind::Group };
                Ok((kind, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
            })
            .map_err(db_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db_err)?;
        self.lookup.load(rows);
        Ok(())
    }
}
