//! PATCH operations on a group's `members`, as a delta.
//!
//! A [`MemberPlan`] accumulates the operations of one request (add these, remove those, clear
//! all) and becomes one [`MemberChange`] for the store. Only a filter on members that names
//! more than `value` reads the current members.

use super::Op;
use crate::error::{Result, ScimError};
use crate::filter::eval::compile_element;
use crate::filter::{CompValue, CompareOp, Filter, PatchPath};
use crate::model::Mode;
use crate::model::normalize::member_input;
use crate::schema::ResourceType;
use crate::store::{MemberChange, MembersOf};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The membership change one PATCH request makes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberPlan {
    touched: bool,
    cleared: bool,
    add: Vec<(String, Option<String>)>,
    remove: BTreeSet<String>,
}

impl MemberPlan {
    /// The change for the store, if any operation touched members.
    pub fn into_change(self) -> Option<MemberChange> {
        if !self.touched {
            None
        } else if self.cleared {
            Some(MemberChange::Replace(self.add))
        } else {
            Some(MemberChange::Delta { add: self.add, remove: self.remove.into_iter().collect() })
        }
    }

    fn add(&mut self, value: &Value) -> Result<()> {
        let items: Vec<&Value> = match value {
            Value::Array(a) => a.iter().collect(),
            Value::Null => vec![],
            other => vec![other],
        };
        if self.add.len() + items.len() > crate::model::normalize::MAX_VALUES {
            return Err(crate::error::ScimError::bad_request(
                crate::error::ScimType::TooMany,
                format!("more than {} members added in one request", crate::model::normalize::MAX_VALUES),
            ));
        }
        for item in items {
            let m = member_input(item)?;
            self.remove.remove(&m.value);
            match self.add.iter_mut().find(|(id, _)| *id == m.value) {
                Some(existing) => existing.1 = m.display.or(existing.1.take()),
                None => self.add.push((m.value, m.display)),
            }
        }
        Ok(())
    }

    fn remove_ids(&mut self, ids: impl IntoIterator<Item = String>) {
        for id in ids {
            self.add.retain(|(a, _)| *a != id);
            if !self.cleared {
                self.remove.insert(id);
            }
        }
    }

    fn clear(&mut self) {
        self.cleared = true;
        self.add.clear();
        self.remove.clear();
    }

    /// Applies one operation whose path is `members`, `members[...]` (remove) or path-less.
    pub fn apply(
        &mut self,
        rt: &ResourceType,
        op: Op,
        path: &PatchPath,
        value: Option<&Value>,
        current: MembersOf<'_>,
        mode: Mode,
    ) -> Result<()> {
        self.touched = true;
        let sub = path.sub.as_deref().or(path.attr.sub.as_deref());
        if sub.is_some_and(|s| s.eq_ignore_ascii_case("value")) && op != Op::Remove {
            return Err(ScimError::bad_request(
                crate::error::ScimType::Mutability,
                "a member's value is immutable (RFC 7643 §4.2); add or remove the member instead",
            ));
        }
        if sub.is_some() {
            return Err(ScimError::invalid_path(
                "members are added, replaced or removed whole, e.g. members[value eq \"id\"]",
            ));
        }
        match (op, &path.filter) {
            (Op::Add, None) => self.add(value.expect("checked when parsed")),
            (Op::Replace, None) => {
                self.clear();
                self.add(value.expect("checked when parsed"))
            }
            (Op::Remove, None) => {
                match value {
                    // Entra without aadOptscim062020: remove exactly the listed members.
                    Some(v) if !v.is_null() && v != &json!([]) => {
                        let items: Vec<&Value> = match v {
                            Value::Array(a) => a.iter().collect(),
                            other => vec![other],
                        };
                        let ids =
                            items.into_iter().map(|i| member_input(i).map(|m| m.value)).collect::<Result<Vec<_>>>()?;
                        self.remove_ids(ids);
                    }
                    _ => self.clear(),
                }
                Ok(())
            }
            (Op::Remove, Some(f)) => {
                let ids = match value_ids(f) {
                    Some(ids) => ids,
                    None => {
                        let attr = rt.core.attribute("members").expect("groups have members");
                        let ef = compile_element(rt, attr, f, !mode.strict)
                            .map_err(|e| ScimError::invalid_path(e.detail))?;
                        current()
                            .into_iter()
                            .filter(|m| {
                                ef.matches(&json!({"value": m.value, "display": m.display, "type": m.kind.as_str()}))
                            })
                            .map(|m| m.value)
                            .collect()
                    }
                };
                self.remove_ids(ids);
                Ok(())
            }
            (Op::Add | Op::Replace, Some(_)) => {
                Err(ScimError::invalid_path("members cannot be changed through a value filter; add or remove them"))
            }
        }
    }
}

/// The ids named by `value eq "a"` or `value eq "a" or value eq "b"`.
fn value_ids(f: &Filter) -> Option<Vec<String>> {
    match f {
        Filter::Compare(p, CompareOp::Eq, CompValue::Str(v))
            if p.urn.is_none() && p.sub.is_none() && p.attr.eq_ignore_ascii_case("value") =>
        {
            Some(vec![v.to_string()])
        }
        Filter::Or(a, b) => {
            let mut ids = value_ids(a)?;
            ids.extend(value_ids(b)?);
            Some(ids)
        }
        _ => None,
    }
}
