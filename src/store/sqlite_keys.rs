//! The key rows of the SQLite store: `uniq` (one owner per unique value, checked before a
//! write changes anything) and `eq_index` (the equality index that answers `eq` filters on
//! `userName`, `externalId`, `displayName` and `emails.value`). Split from `sqlite` so that each
//! file reads top-down; [`super::lookup`] keeps the IdPs' part of `eq_index` in memory.

use super::database::{Cached as _, db_err};
use super::sqlite::{SqliteStore, kind_code};
use crate::error::Result;
use crate::model::{Kind, Record, UniqueKey};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

impl SqliteStore {
    pub(super) fn check_unique(
        &self,
        tx: &Connection,
        kind: Kind,
        keys: &[UniqueKey],
        except: Option<&str>,
    ) -> Result<()> {
        for k in keys {
            let owner: Option<String> = tx
                .row_c(
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

    /// Writes the uniqueness and equality-index rows of `r`, whose attributes were `before`
    /// (`None` for a create). Rows that would be written back unchanged are left alone: every
    /// page a commit touches goes to the WAL and through its fsync, and an update that keeps
    /// its keys (a deactivation, a member change) would otherwise rewrite four index pages.
    pub(super) fn write_keys(
        &self,
        tx: &Connection,
        kind: Kind,
        r: &Record,
        unique: &[UniqueKey],
        before: Option<&Map<String, Value>>,
    ) -> Result<()> {
        let k = kind_code(kind);
        let entries = super::memory::index_entries(&r.attrs);
        let mut unique_same = false;
        let mut entries_same = false;
        if let Some(before) = before {
            let mut held = tx
                .prepare_cached("SELECT attr, key FROM uniq WHERE tenant = ?1 AND kind = ?2 AND id = ?3")
                .map_err(db_err)?
                .query_map(params![self.tenant, k, r.id], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                })
                .map_err(db_err)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(db_err)?;
            let mut wanted: Vec<(String, String)> = unique.iter().map(|u| (u.attr.clone(), u.key.clone())).collect();
            held.sort();
            wanted.sort();
            unique_same = held == wanted;
            entries_same = super::memory::index_entries(before) == entries;
            if !unique_same {
                tx.exec_c(
                    "DELETE FROM uniq WHERE tenant = ?1 AND kind = ?2 AND id = ?3",
                    params![self.tenant, k, r.id],
                )
                .map_err(db_err)?;
            }
            if !entries_same {
                tx.exec_c(
                    "DELETE FROM eq_index WHERE tenant = ?1 AND kind = ?2 AND id = ?3",
                    params![self.tenant, k, r.id],
                )
                .map_err(db_err)?;
            }
        }
        for u in unique.iter().filter(|_| !unique_same) {
            tx.exec_c(
                "INSERT INTO uniq (tenant, kind, attr, key, id) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![self.tenant, k, u.attr, u.key, r.id],
            )
            .map_err(db_err)?;
        }
        for (attr, key) in entries.into_iter().filter(|_| !entries_same) {
            tx.exec_c(
                "INSERT OR IGNORE INTO eq_index (tenant, kind, attr, key, id) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![self.tenant, k, attr, key, r.id],
            )
            .map_err(db_err)?;
        }
        Ok(())
    }
}
