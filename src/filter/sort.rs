//! `sortBy` and `sortOrder` (RFC 7644 §3.4.2.3).
//!
//! A [`SortSpec`] resolves `sortBy` once; [`SortSpec::key`] extracts a record's [`SortKey`]:
//! the attribute's value, or for a multi-valued attribute its primary (else first) value,
//! case-folded unless the attribute is `caseExact`. Records without a value sort last when
//! ascending. Ties are broken by `id` so pages are stable.

use super::eval::{Source, Target, target};
use crate::clock::parse_datetime;
use crate::error::{Result, ScimError};
use crate::model::Record;
use crate::schema::{AttrType, ResourceType};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::cmp::Ordering;

/// A resolved sort order.
#[derive(Debug, Clone, PartialEq)]
pub struct SortSpec {
    target: Target,
    pub descending: bool,
    /// The canonical attribute name (for cursors).
    pub name: String,
}

/// A record's position in a sort order. `Missing` sorts after every value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v")]
pub enum SortKey {
    Bool(bool),
    Num(f64),
    /// Nanoseconds since the Unix epoch.
    Date(i128),
    Str(String),
    Missing,
}

impl SortKey {
    fn rank(&self) -> u8 {
        match self {
            SortKey::Bool(_) => 0,
            SortKey::Num(_) => 1,
            SortKey::Date(_) => 2,
            SortKey::Str(_) => 3,
            SortKey::Missing => 4,
        }
    }
}

impl Eq for SortKey {}

impl PartialOrd for SortKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SortKey {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (SortKey::Bool(a), SortKey::Bool(b)) => a.cmp(b),
            (SortKey::Num(a), SortKey::Num(b)) => a.total_cmp(b),
            (SortKey::Date(a), SortKey::Date(b)) => a.cmp(b),
            (SortKey::Str(a), SortKey::Str(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl SortSpec {
    /// Resolves `sortBy` and `sortOrder` (`ascending` by default; any case).
    pub fn parse(rt: &ResourceType, sort_by: &str, order: Option<&str>) -> Result<SortSpec> {
        let (rest, path) = super::grammar::attr_path(sort_by.trim())
            .map_err(|_| ScimError::invalid_value(format!("sortBy '{sort_by}' is not an attribute path")))?;
        if !rest.is_empty() {
            return Err(ScimError::invalid_value(format!("sortBy '{sort_by}' is not an attribute path")));
        }
        let t = target(rt, &path, None).map_err(|e| ScimError::invalid_value(e.detail))?;
        if t.ty == AttrType::Complex {
            return Err(ScimError::invalid_value(format!(
                "sortBy '{sort_by}' names a complex attribute; name a sub-attribute"
            )));
        }
        let descending = match order.map(str::trim) {
            None | Some("") => false,
            Some(o) if o.eq_ignore_ascii_case("ascending") => false,
            Some(o) if o.eq_ignore_ascii_case("descending") => true,
            Some(o) => {
                return Err(ScimError::invalid_value(format!(
                    "sortOrder must be 'ascending' or 'descending', got '{o}'"
                )));
            }
        };
        Ok(SortSpec { name: t.name.clone(), target: t, descending })
    }

    /// The record's sort key.
    pub fn key(&self, r: &Record) -> SortKey {
        let t = &self.target;
        let value: Option<Value> = match &t.source {
            Source::Top(_) | Source::Ext(..) => {
                let raw = match &t.source {
                    Source::Top(n) => r.attrs.get(n),
                    Source::Ext(u, n) => r.attrs.get(u).and_then(|e| e.get(n)),
                    _ => None,
                };
                match raw {
                    Some(Value::Array(items)) => {
                        let chosen =
                            items.iter().find(|i| i.get("primary") == Some(&Value::Bool(true))).or(items.first());
                        match &t.sub {
                            Some(s) => chosen.and_then(|c| c.get(s)).cloned(),
                            None => chosen.cloned(),
                        }
                    }
                    Some(v) => match &t.sub {
                        Some(s) => v.get(s).cloned(),
                        None => Some(v.clone()),
                    },
                    None => None,
                }
            }
            _ => super::eval::values(t, r, None).into_iter().next(),
        };
        match (t.ty, value) {
            (_, None | Some(Value::Null)) => SortKey::Missing,
            (_, Some(Value::Bool(b))) => SortKey::Bool(b),
            (_, Some(Value::Number(n))) => n.as_f64().map(SortKey::Num).unwrap_or(SortKey::Missing),
            (AttrType::DateTime, Some(Value::String(s))) => {
                parse_datetime(&s).map(|d| SortKey::Date(d.unix_timestamp_nanos())).unwrap_or(SortKey::Missing)
            }
            (_, Some(Value::String(s))) => SortKey::Str(if t.case_exact { s } else { crate::model::fold(&s) }),
            _ => SortKey::Missing,
        }
    }

    /// Orders two (key, id) positions in this sort order; `Missing` stays last when ascending.
    pub fn compare(&self, a: (&SortKey, &str), b: (&SortKey, &str)) -> Ordering {
        let ord = a.0.cmp(b.0).then_with(|| a.1.cmp(b.1));
        if self.descending { ord.reverse() } else { ord }
    }
}
