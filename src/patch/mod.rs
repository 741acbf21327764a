//! The PATCH engine (RFC 7644 §3.5.2), compatible with what Okta and Entra ID send.
//!
//! [`parse_request`] turns a PatchOp body into typed [`Operation`]s at the edge (`op` in any
//! case, paths parsed with the filter grammar). [`apply`] runs them, in order, on a copy of a
//! resource's attributes and returns the new attributes plus the change to a group's members;
//! nothing is written unless every operation succeeds. Group membership changes are computed as
//! a delta ([`members::MemberPlan`]) without reading the current members, so adding one member
//! costs the same in a group of ten or of a hundred thousand.

pub mod attrs;
pub mod members;

use crate::error::{Result, ScimError, ScimType};
use crate::filter::grammar::attr_path;
use crate::filter::{PatchPath, parse_path};
use crate::model::Mode;
use crate::model::normalize::check_required;
use crate::schema::registry::PATCH_OP_URN;
use crate::schema::{Mutability, ResourceType};
use crate::store::{MemberChange, MembersOf};
use serde_json::{Map, Value};

/// The most operations one PATCH request may carry.
pub const MAX_OPERATIONS: usize = 1000;

/// `op` (any case on input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Replace,
    Remove,
}

/// One PATCH operation, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub op: Op,
    pub path: Option<PatchPath>,
    pub value: Option<Value>,
}

/// The result of a PATCH: the new attributes and, for groups, how the members change.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub attrs: Map<String, Value>,
    pub members: Option<MemberChange>,
}

/// Parses a PatchOp message (RFC 7644 §3.5.2).
pub fn parse_request(body: &Value, mode: Mode) -> Result<Vec<Operation>> {
    let Value::Object(m) = body else {
        return Err(ScimError::invalid_syntax("a PATCH body must be a JSON object"));
    };
    let get = |n: &str| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v);
    match get("schemas") {
        Some(Value::Array(a)) if a.iter().any(|u| u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(PATCH_OP_URN))) => {
        }
        None if !mode.strict => {}
        _ => return Err(ScimError::invalid_syntax(format!("'schemas' must be [\"{PATCH_OP_URN}\"]"))),
    }
    let Some(Value::Array(raw)) = get("Operations") else {
        return Err(ScimError::invalid_syntax("'Operations' must be an array of operations"));
    };
    if raw.is_empty() {
        return Err(ScimError::invalid_value("'Operations' is empty"));
    }
    if raw.len() > MAX_OPERATIONS {
        return Err(ScimError::bad_request(
            ScimType::TooMany,
            format!("{} operations in one PATCH; the limit is {MAX_OPERATIONS}", raw.len()),
        ));
    }
    let ops: Vec<Operation> = raw.iter().enumerate().map(|(i, o)| operation(i, o)).collect::<Result<_>>()?;
    if mode.strict {
        strict_profile(&ops)?;
    }
    Ok(ops)
}

/// The interop profile's PATCH rules (draft-zollner-scim-interop-profile §6.5), enforced in
/// strict mode: every operation has a path, and a value filter in an add or replace targets a
/// sub-attribute.
fn strict_profile(ops: &[Operation]) -> Result<()> {
    for (i, op) in ops.iter().enumerate() {
        match &op.path {
            None => {
                return Err(ScimError::invalid_syntax(format!("operation {i} has no path (required in strict mode)")));
            }
            Some(p) if p.filter.is_some() && p.sub.is_none() && op.op != Op::Remove => {
                return Err(ScimError::invalid_path(format!(
                    "operation {i}: a value filter must select a sub-attribute, e.g. {}[...].value (strict mode)",
                    p.attr
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

fn operation(i: usize, raw: &Value) -> Result<Operation> {
    let Value::Object(m) = raw else {
        return Err(ScimError::invalid_syntax(format!("operation {i} must be an object")));
    };
    let get = |n: &str| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v);
    let op = match get("op").and_then(Value::as_str).map(str::to_ascii_lowercase).as_deref() {
        Some("add") => Op::Add,
        Some("replace") => Op::Replace,
        Some("remove") => Op::Remove,
        _ => return Err(ScimError::invalid_syntax(format!("operation {i}: 'op' must be add, replace or remove"))),
    };
    let path = match get("path") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) if p.trim().is_empty() => None,
        Some(Value::String(p)) => Some(parse_path(p).map_err(|e| {
            ScimError::invalid_path(format!("operation {i}: path '{p}' {}", e.detail.trim_start_matches("invalid ")))
        })?),
        Some(_) => return Err(ScimError::invalid_path(format!("operation {i}: 'path' must be a string"))),
    };
    let value = get("value").cloned();
    match (op, &path, &value) {
        (Op::Remove, None, _) => {
            Err(ScimError::bad_request(ScimType::NoTarget, format!("operation {i}: remove needs a path")))
        }
        (Op::Add | Op::Replace, _, None) => {
            Err(ScimError::invalid_value(format!("operation {i}: {op:?} needs a value").to_lowercase()))
        }
        (Op::Add | Op::Replace, None, Some(v)) if !v.is_object() => Err(ScimError::invalid_value(format!(
            "operation {i}: without a path the value must be an object of attributes"
        ))),
        _ => Ok(Operation { op, path, value }),
    }
}

/// Applies the operations to a copy of `current` (a resource's attributes). `id` is the
/// resource's id (Okta resends it in path-less values); `members` reads a group's current
/// members, and is only called for filters on members that name more than their `value`.
pub fn apply(
    rt: &ResourceType,
    id: &str,
    current: &Map<String, Value>,
    members: MembersOf<'_>,
    ops: &[Operation],
    mode: Mode,
) -> Result<Outcome> {
    let mut doc = current.clone();
    let mut plan = members::MemberPlan::default();
    for op in ops {
        match &op.path {
            Some(path) => one(rt, &mut doc, &mut plan, members, op.op, path, op.value.as_ref(), mode)?,
            None => {
                let Some(Value::Object(value)) = &op.value else { unreachable!("checked when parsed") };
                for (path, v) in expand_pathless(rt, id, value, mode)? {
                    one(rt, &mut doc, &mut plan, members, op.op, &path, Some(&v), mode)?;
                }
            }
        }
    }
    // RFC 7644 §3.5.2.2: removing a required attribute is a mutability error.
    check_required(rt, &doc).map_err(|e| {
        ScimError::bad_request(crate::error::ScimType::Mutability, format!("{}; a PATCH cannot remove it", e.detail))
    })?;
    check_immutable(rt, current, &doc)?;
    Ok(Outcome { attrs: doc, members: plan.into_change() })
}

#[allow(clippy::too_many_arguments)]
fn one(
    rt: &ResourceType,
    doc: &mut Map<String, Value>,
    plan: &mut members::MemberPlan,
    current_members: MembersOf<'_>,
    op: Op,
    path: &PatchPath,
    value: Option<&Value>,
    mode: Mode,
) -> Result<()> {
    if rt.is_group() && path.attr.urn.is_none() && path.attr.attr.eq_ignore_ascii_case("members") {
        return plan.apply(rt, op, path, value, current_members, mode);
    }
    attrs::apply(rt, doc, op, path, value, mode)
}

/// A path-less value `{"displayName": ..., "name.givenName": ..., "urn:...:User:employeeNumber": ...,
/// "urn:...:User": {...}}` as (path, value) pairs.
fn expand_pathless(
    rt: &ResourceType,
    id: &str,
    value: &Map<String, Value>,
    mode: Mode,
) -> Result<Vec<(PatchPath, Value)>> {
    let mut out = Vec::new();
    for (key, v) in value {
        if key.eq_ignore_ascii_case("schemas") {
            continue;
        }
        if let Some(ext) = rt.extension(key) {
            let Value::Object(inner) = v else {
                return Err(ScimError::invalid_value(format!("'{key}' must be an object")));
            };
            for (k, v) in inner {
                let path = whole(&format!("{}:{k}", ext.id))?;
                out.push((path, v.clone()));
            }
            continue;
        }
        let path = match attr_path(key) {
            Ok(("", p)) => PatchPath { attr: p, filter: None, sub: None },
            _ => return Err(ScimError::invalid_path(format!("'{key}' is not an attribute path"))),
        };
        let resolved = crate::model::normalize::split_urn(rt, &path.attr.attr);
        let urn = path.attr.urn.as_deref().or(resolved.0);
        let Some(r) = rt.resolve(urn, resolved.1) else {
            if mode.strict {
                return Err(ScimError::invalid_path(format!("{} has no attribute '{key}'", rt.name)));
            }
            continue;
        };
        if r.attr.name == "id" {
            // Okta's group rename resends the resource's own id; another id is an attempt to change it.
            if v.as_str() == Some(id) {
                continue;
            }
            return Err(ScimError::mutability("'id' is readOnly and cannot be changed"));
        }
        if r.attr.mutability == Mutability::ReadOnly && !mode.strict {
            continue;
        }
        out.push((path, v.clone()));
    }
    Ok(out)
}

fn whole(p: &str) -> Result<PatchPath> {
    parse_path(p)
}

/// An `immutable` attribute may be set once, never changed (RFC 7643 §7); PUT uses it too.
pub fn check_immutable(rt: &ResourceType, old: &Map<String, Value>, new: &Map<String, Value>) -> Result<()> {
    for attr in rt.core.attributes.iter().filter(|a| a.mutability == Mutability::Immutable) {
        if let Some(prev) = old.get(&attr.name)
            && new.get(&attr.name) != Some(prev)
        {
            return Err(ScimError::mutability(format!("attribute '{}' is immutable", attr.name)));
        }
    }
    Ok(())
}
