//! Filtered and sorted listings of the SQLite store. An `eq` on an indexed attribute reads
//! the matching ids (from memory for the IdPs' lookups, [`super::lookup`], else from
//! `eq_index`); anything else scans the tenant's resources of that kind, keeping only sort keys
//! and ids in memory and reading the records of the window asked for. Unfiltered, unsorted
//! pages are keyset pages instead (`page_by_id`). Split from `sqlite` so that each file reads
//! top-down.

use super::database::db_err;
use super::lookup::Lookup;
use super::sqlite::{COLUMNS, SqliteStore, kind_code, read_record};
use super::{ListQuery, Page, order};
use crate::error::Result;
use crate::filter::sort::SortKey;
use crate::model::{Kind, Record};
use rusqlite::params;
use std::sync::Arc;

impl SqliteStore {
    /// A filtered or sorted listing: the tenant's resources of `kind` that match, in order,
    /// and the window of them asked for.
    pub(super) fn list_matching(&self, kind: Kind, query: &ListQuery<'_>) -> Result<Page> {
        let k = kind_code(kind);
        let hint = query.filter.and_then(|f| f.index_hint());
        // The IdPs' lookups are answered from memory (loaded before a read connection is
        // taken: an in-memory database reads on its writer).
        let kept = match &hint {
            Some(h) if Lookup::keeps(&h.attr) => {
                self.load_lookup()?;
                self.lookup.ids(kind, &h.attr, &crate::model::fold(&h.value))
            }
            _ => None,
        };
        let conn = self.db.read();
        // (sort key, id, the record when it is small enough a set to keep: index lookups)
        let mut matched: Vec<(SortKey, String, Option<Arc<Record>>)> = Vec::new();
        let mut keep = |r: Arc<Record>, hold: bool| {
            if query.filter.is_none_or(|f| f.matches(&r)) {
                let key = query.sort.map(|s| s.key(&r)).unwrap_or(SortKey::Missing);
                let id = r.id.clone();
                matched.push((key, id, hold.then_some(r)));
            }
        };
        match &hint {
            Some(h) => {
                let ids: Vec<String> = match kept {
                    Some(ids) => ids,
                    None if h.attr == "id" => vec![h.value.clone()],
                    None => {
                        let mut st = conn
                            .prepare_cached(
                                "SELECT id FROM eq_index WHERE tenant = ?1 AND kind = ?2 AND attr = ?3 AND key = ?4 ORDER BY id",
                            )
                            .map_err(db_err)?;
                        st.query_map(params![self.tenant, k, h.attr, crate::model::fold(&h.value)], |r| r.get(0))
                            .map_err(db_err)?
                            .collect::<rusqlite::Result<Vec<String>>>()
                            .map_err(db_err)?
                    }
                };
                for id in ids {
                    if let Some(r) = self.cached(&conn, kind, &id)? {
                        keep(r, true);
                    }
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
                    keep(Arc::new(r.map_err(db_err)?), false);
                }
            }
        }
        if query.sort.is_some() {
            matched.sort_by(|a, b| order(query.sort, (&a.0, &a.1), (&b.0, &b.1)));
        }
        let total = matched.len();
        let (start, end) = super::window_bounds(&query.window, query.sort, &matched, |(k, id, _)| (k, id.as_str()));
        let mut records = Vec::with_capacity(end - start);
        for (_, id, held) in matched.drain(start..end) {
            match held {
                Some(r) => records.push(r),
                None => records.extend(self.cached(&conn, kind, &id)?),
            }
        }
        Ok(Page { total, records, more_before: start > 0, more_after: end < total })
    }
}
