//! The in-memory store: everything behind one lock, so every write is trivially atomic.

use super::{Change, ListQuery, MemberChange, NewResource, Page, Store, Update, if_match_ok, order};
use crate::audit::Event;
use crate::clock;
use crate::error::{Result, ScimError};
use crate::filter::sort::SortKey;
use crate::model::{GroupRef, Kind, Member, Record, UniqueKey};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, RwLock};

/// A store that lives and dies with the process.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: RwLock<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    users: BTreeMap<String, Arc<Record>>,
    groups: BTreeMap<String, Arc<Record>>,
    unique: HashMap<(Kind, UniqueKey), String>,
    /// (kind, indexed attribute, lower-cased value) → ids, for `eq` filters.
    eq_index: HashMap<(Kind, &'static str, String), BTreeSet<String>>,
    /// group id → member id → display sent by the client.
    members: HashMap<String, BTreeMap<String, Option<String>>>,
    /// member id → groups it belongs to.
    member_of: HashMap<String, BTreeSet<String>>,
    version: u64,
    /// The outbox: changes not yet acknowledged, oldest first, and the last `seq` given.
    changes: Vec<Change>,
    change_seq: u64,
    /// The audit log, written under the same lock as the change it records.
    audit: crate::audit::Log,
}

impl Inner {
    fn record_change(&mut self, mut c: Change) {
        self.change_seq += 1;
        c.seq = self.change_seq;
        self.changes.push(c);
    }
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Inner {
    fn table(&self, kind: Kind) -> &BTreeMap<String, Arc<Record>> {
        match kind {
            Kind::User => &self.users,
            Kind::Group => &self.groups,
        }
    }
    fn table_mut(&mut self, kind: Kind) -> &mut BTreeMap<String, Arc<Record>> {
        match kind {
            Kind::User => &mut self.users,
            Kind::Group => &mut self.groups,
        }
    }
    fn next_version(&mut self) -> u64 {
        self.version += 1;
        self.version
    }
    fn check_unique(&self, kind: Kind, keys: &[UniqueKey], except: Option<&str>) -> Result<()> {
        for k in keys {
            if let Some(owner) = self.unique.get(&(kind, k.clone()))
                && Some(owner.as_str()) != except
            {
                return Err(super::clash(kind, k));
            }
        }
        Ok(())
    }
    fn index(&mut self, kind: Kind, r: &Record) {
        for (attr, key) in index_entries(&r.attrs) {
            self.eq_index.entry((kind, attr, key)).or_default().insert(r.id.clone());
        }
    }
    fn unindex(&mut self, kind: Kind, r: &Record) {
        for (attr, key) in index_entries(&r.attrs) {
            if let Some(ids) = self.eq_index.get_mut(&(kind, attr, key.clone())) {
                ids.remove(&r.id);
                if ids.is_empty() {
                    self.eq_index.remove(&(kind, attr, key));
                }
            }
        }
    }
    fn kind_of(&self, id: &str) -> Option<Kind> {
        if self.users.contains_key(id) {
            Some(Kind::User)
        } else if self.groups.contains_key(id) {
            Some(Kind::Group)
        } else {
            None
        }
    }
    fn check_members(&self, group_id: &str, ids: &[&str]) -> Result<()> {
        for id in ids {
            if *id == group_id {
                return Err(ScimError::invalid_value("a group cannot be a member of itself"));
            }
            if self.kind_of(id).is_none() {
                return Err(ScimError::invalid_value(format!("member '{id}' does not exist")));
            }
        }
        Ok(())
    }
    fn add_member(&mut self, group: &str, member: &str, display: Option<String>) {
        self.members.entry(group.to_owned()).or_default().insert(member.to_owned(), display);
        self.member_of.entry(member.to_owned()).or_default().insert(group.to_owned());
    }
    fn remove_member(&mut self, group: &str, member: &str) {
        if let Some(m) = self.members.get_mut(group) {
            m.remove(member);
        }
        if let Some(g) = self.member_of.get_mut(member) {
            g.remove(group);
            if g.is_empty() {
                self.member_of.remove(member);
            }
        }
    }
    fn members_of(&self, group: &str) -> Vec<Member> {
        self.members
            .get(group)
            .map(|m| {
                m.iter()
                    .map(|(id, display)| Member {
                        value: id.clone(),
                        display: display.clone(),
                        kind: self.kind_of(id).unwrap_or(Kind::User),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Store for MemoryStore {
    fn create(&self, kind: Kind, res: NewResource) -> Result<Record> {
        let mut inner = self.inner.write().map_err(|_| ScimError::internal("store lock poisoned"))?;
        inner.check_unique(kind, &res.unique, None)?;
        let id = uuid::Uuid::now_v7().to_string();
        inner.check_members(&id, &res.members.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>())?;
        let now = clock::now();
        let record = Record {
            id: id.clone(),
            attrs: res.attrs,
            created: now.clone(),
            last_modified: now,
            version: inner.next_version(),
        };
        for k in res.unique {
            inner.unique.insert((kind, k), id.clone());
        }
        let added = MemberChange::Delta { add: res.members, remove: vec![] };
        inner.audit.append(Event::of_write(&res.actor, kind, &id, "create", None, Some(&record.attrs), Some(&added)));
        if let MemberChange::Delta { add, .. } = added {
            for (m, display) in add {
                inner.add_member(&id, &m, display);
            }
        }
        inner.index(kind, &record);
        let members = inner.members.get(&id).is_some_and(|m| !m.is_empty());
        inner.record_change(Change::of(kind, &id, "create", record.version, None, Some(&record.attrs), members));
        inner.table_mut(kind).insert(id, Arc::new(record.clone()));
        Ok(record)
    }

    fn get(&self, kind: Kind, id: &str) -> Result<Option<Arc<Record>>> {
        let inner = self.inner.read().map_err(|_| ScimError::internal("store lock poisoned"))?;
        Ok(inner.table(kind).get(id).cloned())
    }

    fn update(
        &self,
        kind: Kind,
        id: &str,
        if_match: Option<&str>,
        f: &mut dyn FnMut(&Record, super::MembersOf<'_>) -> Result<Update>,
    ) -> Result<Record> {
        let mut inner = self.inner.write().map_err(|_| ScimError::internal("store lock poisoned"))?;
        let current = inner.table(kind).get(id).cloned().ok_or_else(|| not_found(kind, id))?;
        if let Some(h) = if_match
            && !if_match_ok(h, &current.etag())
        {
            return Err(ScimError::precondition_failed(format!(
                "If-Match {h} does not match the current version {}",
                current.etag()
            )));
        }
        let update = {
            let view = &*inner;
            f(&current, &|| view.members_of(id))?
        };
        inner.check_unique(kind, &update.unique, Some(id))?;
        if let Some(change) = &update.members {
            let ids: Vec<&str> = match change {
                MemberChange::Replace(all) => all.iter().map(|(m, _)| m.as_str()).collect(),
                MemberChange::Delta { add, .. } => add.iter().map(|(m, _)| m.as_str()).collect(),
            };
            inner.check_members(id, &ids)?;
        }
        let group = inner.members.get(id);
        let is_member = |m: &str| group.is_some_and(|g| g.contains_key(m));
        if super::is_noop(&current, &update, &is_member, &|| group.map_or(0, |g| g.len())) {
            return Ok(Arc::unwrap_or_clone(current));
        }
        // Validation is over; from here on nothing fails.
        inner.unique.retain(|(k, _), owner| !(*k == kind && owner == id));
        for k in update.unique {
            inner.unique.insert((kind, k), id.to_owned());
        }
        let members_changed = update.members.is_some();
        let op = if update.put { "put" } else { "patch" };
        let event = Event::of_write(
            &update.actor,
            kind,
            id,
            op,
            Some(&current.attrs),
            Some(&update.attrs),
            update.members.as_ref(),
        );
        inner.audit.append(event);
        match update.members {
            None => {}
            Some(MemberChange::Replace(all)) => {
                let old: Vec<String> = inner.members.get(id).map(|m| m.keys().cloned().collect()).unwrap_or_default();
                for m in old.iter().filter(|o| !all.iter().any(|(n, _)| n == *o)) {
                    inner.remove_member(id, m);
                }
                for (m, display) in all {
                    inner.add_member(id, &m, display);
                }
            }
            Some(MemberChange::Delta { add, remove }) => {
                for m in remove {
                    inner.remove_member(id, &m);
                }
                for (m, display) in add {
                    inner.add_member(id, &m, display);
                }
            }
        }
        let version = inner.next_version();
        let record = Record {
            id: id.to_owned(),
            attrs: update.attrs,
            created: current.created.clone(),
            last_modified: clock::now(),
            version,
        };
        inner.unindex(kind, &current);
        inner.index(kind, &record);
        inner.record_change(Change::of(
            kind,
            id,
            op,
            version,
            Some(&current.attrs),
            Some(&record.attrs),
            members_changed,
        ));
        inner.table_mut(kind).insert(id.to_owned(), Arc::new(record.clone()));
        Ok(record)
    }

    fn delete(&self, kind: Kind, id: &str, if_match: Option<&str>, actor: &str) -> Result<()> {
        let mut inner = self.inner.write().map_err(|_| ScimError::internal("store lock poisoned"))?;
        let current = inner.table(kind).get(id).ok_or_else(|| not_found(kind, id))?;
        if let Some(h) = if_match
            && !if_match_ok(h, &current.etag())
        {
            return Err(ScimError::precondition_failed(format!("If-Match {h} does not match the current version")));
        }
        let version = current.version;
        let event = Event::of_write(actor, kind, id, "delete", Some(&current.attrs), None, None);
        inner.audit.append(event);
        if let Some(old) = inner.table_mut(kind).remove(id) {
            inner.unindex(kind, &old);
        }
        inner.record_change(Change::of(kind, id, "delete", version, None, None, false));
        inner.unique.retain(|(k, _), owner| !(*k == kind && owner == id));
        let groups: Vec<String> = inner.member_of.get(id).map(|g| g.iter().cloned().collect()).unwrap_or_default();
        for g in groups {
            inner.remove_member(&g, id);
        }
        if let Some(members) = inner.members.remove(id) {
            for m in members.keys() {
                if let Some(g) = inner.member_of.get_mut(m) {
                    g.remove(id);
                }
            }
        }
        Ok(())
    }

    fn changes(&self, after: u64, limit: usize) -> Result<Vec<Change>> {
        let inner = self.inner.read().map_err(|_| ScimError::internal("store lock poisoned"))?;
        Ok(inner.changes.iter().filter(|c| c.seq > after).take(limit).cloned().collect())
    }

    fn forget_changes(&self, seqs: &[u64]) -> Result<()> {
        let mut inner = self.inner.write().map_err(|_| ScimError::internal("store lock poisoned"))?;
        inner.changes.retain(|c| !seqs.contains(&c.seq));
        Ok(())
    }

    fn record_changes(&self, changes: Vec<Change>) -> Result<()> {
        let mut inner = self.inner.write().map_err(|_| ScimError::internal("store lock poisoned"))?;
        for c in changes {
            inner.record_change(c);
        }
        Ok(())
    }

    fn audit(&self, event: Event) -> Result<u64> {
        let mut inner = self.inner.write().map_err(|_| ScimError::internal("store lock poisoned"))?;
        Ok(inner.audit.append(event))
    }

    fn audit_after(&self, after: u64, limit: usize) -> Result<(Vec<Event>, bool)> {
        let inner = self.inner.read().map_err(|_| ScimError::internal("store lock poisoned"))?;
        Ok(inner.audit.after(after, limit))
    }

    fn list(&self, kind: Kind, query: &ListQuery<'_>) -> Result<Page> {
        let inner = self.inner.read().map_err(|_| ScimError::internal("store lock poisoned"))?;
        let table = inner.table(kind);
        let hint = query.filter.and_then(|f| f.index_hint());
        let candidates: Box<dyn Iterator<Item = &Arc<Record>>> = match &hint {
            Some(h) if h.attr == "id" => Box::new(table.get(&h.value).into_iter()),
            Some(h) => {
                let key = (kind, indexed_name(&h.attr), crate::model::fold(&h.value));
                Box::new(inner.eq_index.get(&key).into_iter().flatten().filter_map(|id| table.get(id)))
            }
            None => Box::new(table.values()),
        };
        let mut matched: Vec<(SortKey, &Arc<Record>)> = candidates
            .filter(|r| query.filter.is_none_or(|f| f.matches(r)))
            .map(|r| (query.sort.map(|s| s.key(r)).unwrap_or(SortKey::Missing), r))
            .collect();
        if query.sort.is_some() {
            matched.sort_by(|a, b| order(query.sort, (&a.0, &a.1.id), (&b.0, &b.1.id)));
        }
        let total = matched.len();
        let (start, end) = super::window_bounds(&query.window, query.sort, &matched, |(k, r)| (k, r.id.as_str()));
        Ok(Page {
            total,
            records: matched[start..end].iter().map(|(_, r)| Arc::clone(r)).collect(),
            more_before: start > 0,
            more_after: end < total,
        })
    }

    fn members(&self, group_id: &str) -> Result<Vec<Member>> {
        let inner = self.inner.read().map_err(|_| ScimError::internal("store lock poisoned"))?;
        Ok(inner.members_of(group_id))
    }

    fn groups_of(&self, member_id: &str) -> Result<Vec<GroupRef>> {
        let inner = self.inner.read().map_err(|_| ScimError::internal("store lock poisoned"))?;
        Ok(inner
            .member_of
            .get(member_id)
            .map(|gs| {
                gs.iter()
                    .map(|g| GroupRef {
                        id: g.clone(),
                        display: inner
                            .groups
                            .get(g)
                            .and_then(|r| r.attrs.get("displayName"))
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }
}

/// The values a record is indexed under: `(attribute, lower-cased value)`.
pub(crate) fn index_entries(attrs: &serde_json::Map<String, Value>) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for name in ["userName", "externalId", "displayName"] {
        if let Some(s) = attrs.get(name).and_then(Value::as_str) {
            out.push((indexed_name(name), crate::model::fold(s)));
        }
    }
    for e in attrs.get("emails").and_then(Value::as_array).into_iter().flatten() {
        if let Some(s) = e.get("value").and_then(Value::as_str) {
            out.push(("emails.value", crate::model::fold(s)));
        }
    }
    out
}

/// The static name of an indexed attribute.
pub(crate) fn indexed_name(attr: &str) -> &'static str {
    crate::filter::eval::INDEXED.iter().find(|a| **a == attr).copied().unwrap_or("")
}

fn not_found(kind: Kind, id: &str) -> ScimError {
    ScimError::not_found(format!("{} '{id}' not found", kind.as_str()))
}
