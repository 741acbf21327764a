//! PATCH operations on ordinary attributes (everything but a group's `members`).
//!
//! The target is resolved from the path's characteristics: singular or multi-valued, simple or
//! complex, with or without a sub-attribute or a value filter. Values go through the same
//! coercion as POST and PUT bodies (`model::normalize::coerce`), so string booleans and bare
//! manager ids are read the same way everywhere.

use super::Op;
use crate::error::{Result, ScimError, ScimType};
use crate::filter::eval::compile_element;
use crate::filter::{CompValue, CompareOp, Filter, PatchPath};
use crate::model::Mode;
use crate::model::normalize::{coerce, coerce_single, split_urn};
use crate::schema::registry::Location;
use crate::schema::{AttrType, Attribute, Mutability, ResourceType};
use serde_json::{Map, Value};

/// Applies one operation on an attribute path to the resource's attributes.
pub fn apply(
    rt: &ResourceType,
    doc: &mut Map<String, Value>,
    op: Op,
    path: &PatchPath,
    value: Option<&Value>,
    mode: Mode,
) -> Result<()> {
    let (urn, name) = match &path.attr.urn {
        Some(u) => (Some(u.as_str()), path.attr.attr.as_str()),
        None => split_urn(rt, &path.attr.attr),
    };
    let resolved = rt
        .resolve(urn, name)
        .ok_or_else(|| ScimError::invalid_path(format!("{} has no attribute '{}'", rt.name, path.attr)))?;
    let attr = resolved.attr;
    if attr.mutability == Mutability::ReadOnly {
        return Err(ScimError::mutability(format!("attribute '{}' is readOnly", attr.name)));
    }
    let holder: &mut Map<String, Value> = match resolved.location {
        Location::Top => doc,
        Location::Extension(u) => {
            let slot = doc.entry(u.to_owned()).or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            slot.as_object_mut().expect("made an object above")
        }
    };
    let sub_name = path.attr.sub.as_deref();
    let result = match (&path.filter, sub_name) {
        (None, None) => whole(holder, attr, op, value, mode),
        (None, Some(sub)) => sub_of_single(holder, attr, sub, op, value, mode),
        (Some(f), _) => filtered(rt, holder, attr, f, path.sub.as_deref(), op, value, mode),
    };
    if let Location::Extension(u) = resolved.location
        && doc.get(u).and_then(Value::as_object).is_some_and(Map::is_empty)
    {
        doc.remove(u);
    }
    result
}

fn path_of(attr: &Attribute, sub: Option<&str>) -> String {
    match sub {
        Some(s) => format!("{}.{s}", attr.name),
        None => attr.name.clone(),
    }
}

/// `path = attr`: the whole attribute.
fn whole(holder: &mut Map<String, Value>, attr: &Attribute, op: Op, value: Option<&Value>, mode: Mode) -> Result<()> {
    match op {
        Op::Remove => match (attr.multi_valued, value) {
            // Entra (without aadOptscim062020) removes listed values: never remove all then.
            (true, Some(v)) if !v.is_null() => remove_listed(holder, attr, v, mode),
            _ => {
                holder.remove(&attr.name);
                Ok(())
            }
        },
        Op::Add | Op::Replace => {
            let v = value.expect("checked when parsed");
            let new = coerce(attr, v, mode, &attr.name)?;
            match (attr.multi_valued, attr.ty, new, holder.get_mut(&attr.name)) {
                (_, _, None, _) => {
                    holder.remove(&attr.name);
                }
                (true, _, Some(Value::Array(items)), Some(Value::Array(existing))) if op == Op::Add => {
                    let first_new = existing.len();
                    for item in items {
                        merge_into(existing, item);
                    }
                    let preferred = (first_new..existing.len()).rev().find(|i| is_primary(&existing[*i]));
                    single_primary(existing, preferred);
                }
                // Replacing a complex singular attribute sets the given sub-attributes and keeps
                // the others (RFC 7644 §3.5.2.3); adding does the same.
                (false, AttrType::Complex, Some(Value::Object(fields)), Some(Value::Object(existing))) => {
                    for (k, v) in fields {
                        existing.insert(k, v);
                    }
                }
                (_, _, Some(v), _) => {
                    holder.insert(attr.name.clone(), v);
                }
            }
            Ok(())
        }
    }
}

/// Adds a value to a multi-valued list unless an equal one (same `value` and `type`) is there,
/// in which case the new sub-attributes are merged into it.
fn merge_into(existing: &mut Vec<Value>, item: Value) {
    let same = |a: &Value| match (a, &item) {
        (Value::Object(x), Value::Object(y)) if x.contains_key("value") || y.contains_key("value") => {
            x.get("value") == y.get("value") && x.get("type") == y.get("type")
        }
        _ => *a == item,
    };
    match existing.iter_mut().position(|a| same(a)) {
        Some(i) => {
            if let (Value::Object(x), Value::Object(y)) = (&mut existing[i], item) {
                x.extend(y);
            }
        }
        None => existing.push(item),
    }
}

fn is_primary(v: &Value) -> bool {
    v.get("primary") == Some(&Value::Bool(true))
}

/// At most one value may be primary: keep `preferred` (or the last one set), clear the others.
fn single_primary(items: &mut [Value], preferred: Option<usize>) {
    let keep = preferred.filter(|i| is_primary(&items[*i])).or_else(|| items.iter().rposition(is_primary));
    for (i, item) in items.iter_mut().enumerate() {
        if Some(i) != keep
            && let Some(o) = item.as_object_mut()
            && o.get("primary") == Some(&Value::Bool(true))
        {
            o.remove("primary");
        }
    }
}

/// Entra's `{"op":"Remove","path":"emails","value":[...]}`: removes exactly the listed values.
fn remove_listed(holder: &mut Map<String, Value>, attr: &Attribute, v: &Value, mode: Mode) -> Result<()> {
    let listed = coerce(attr, v, mode, &attr.name)?.unwrap_or(Value::Array(vec![]));
    let listed = listed.as_array().cloned().unwrap_or_default();
    if let Some(Value::Array(items)) = holder.get_mut(&attr.name) {
        items.retain(|item| {
            !listed.iter().any(|l| match (l.get("value"), item.get("value")) {
                (Some(a), Some(b)) => a == b,
                _ => l == item,
            })
        });
        if items.is_empty() {
            holder.remove(&attr.name);
        }
    }
    Ok(())
}

/// `path = attr.sub` on a singular complex attribute (`name.givenName`).
fn sub_of_single(
    holder: &mut Map<String, Value>,
    attr: &Attribute,
    sub: &str,
    op: Op,
    value: Option<&Value>,
    mode: Mode,
) -> Result<()> {
    let sub_def = attr
        .sub(sub)
        .ok_or_else(|| ScimError::invalid_path(format!("'{}' has no sub-attribute '{sub}'", attr.name)))?;
    if sub_def.mutability == Mutability::ReadOnly {
        return Err(ScimError::mutability(format!("'{}' is readOnly", path_of(attr, Some(&sub_def.name)))));
    }
    if attr.multi_valued {
        return Err(ScimError::invalid_path(format!(
            "'{}' is multi-valued: select values with a filter, e.g. {}[type eq \"work\"].{}",
            attr.name, attr.name, sub_def.name
        )));
    }
    let obj = holder.entry(attr.name.clone()).or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(obj) = obj else {
        return Err(ScimError::invalid_path(format!("'{}' is not complex", attr.name)));
    };
    match op {
        Op::Remove => {
            obj.remove(&sub_def.name);
        }
        Op::Add | Op::Replace => {
            let v = value.expect("checked when parsed");
            match coerce(sub_def, v, mode, &path_of(attr, Some(&sub_def.name)))? {
                Some(v) => {
                    obj.insert(sub_def.name.clone(), v);
                }
                None => {
                    obj.remove(&sub_def.name);
                }
            }
        }
    }
    if obj.is_empty() {
        holder.remove(&attr.name);
    }
    Ok(())
}

/// `path = attr[filter]` or `attr[filter].sub` on a multi-valued complex attribute.
#[allow(clippy::too_many_arguments)]
fn filtered(
    rt: &ResourceType,
    holder: &mut Map<String, Value>,
    attr: &Attribute,
    f: &Filter,
    sub: Option<&str>,
    op: Op,
    value: Option<&Value>,
    mode: Mode,
) -> Result<()> {
    if !attr.multi_valued || attr.ty != AttrType::Complex {
        return Err(ScimError::invalid_path(format!("'{}' is not a multi-valued complex attribute", attr.name)));
    }
    let ef = compile_element(rt, attr, f, !mode.strict).map_err(|e| ScimError::invalid_path(e.detail))?;
    let sub_def = match sub {
        Some(s) => {
            let d = attr
                .sub(s)
                .ok_or_else(|| ScimError::invalid_path(format!("'{}' has no sub-attribute '{s}'", attr.name)))?;
            if d.mutability == Mutability::ReadOnly {
                return Err(ScimError::mutability(format!("'{}' is readOnly", path_of(attr, Some(&d.name)))));
            }
            Some(d)
        }
        None => None,
    };
    let mut items = match holder.remove(&attr.name) {
        Some(Value::Array(a)) => a,
        Some(other) => vec![other],
        None => vec![],
    };
    let matched: Vec<usize> = items.iter().enumerate().filter(|(_, v)| ef.matches(v)).map(|(i, _)| i).collect();
    let mut preferred = None;
    match (op, sub_def) {
        (Op::Remove, None) => {
            let mut i = 0;
            items.retain(|_| {
                i += 1;
                !matched.contains(&(i - 1))
            });
        }
        (Op::Remove, Some(d)) => {
            for &i in &matched {
                if let Some(o) = items[i].as_object_mut() {
                    o.remove(&d.name);
                }
            }
        }
        (Op::Add | Op::Replace, None) => {
            let v = value.expect("checked when parsed");
            let Some(Value::Object(fields)) = coerce_single(attr, v, mode, &attr.name)? else {
                return Err(ScimError::invalid_value(format!("the value for '{}[...]' must be an object", attr.name)));
            };
            if matched.is_empty() {
                if op == Op::Replace {
                    holder.insert(attr.name.clone(), Value::Array(items));
                    return Err(ScimError::bad_request(
                        ScimType::NoTarget,
                        format!("no value of '{}' matches [{f}]", attr.name),
                    ));
                }
                let mut new = template(f).unwrap_or_default();
                new.extend(fields.clone());
                items.push(Value::Object(new));
                preferred = Some(items.len() - 1);
            }
            for &i in &matched {
                if let Some(o) = items[i].as_object_mut() {
                    o.extend(fields.clone());
                }
                preferred = Some(i);
            }
        }
        (Op::Add | Op::Replace, Some(d)) => {
            let v = value.expect("checked when parsed");
            let new = coerce(d, v, mode, &path_of(attr, Some(&d.name)))?;
            if matched.is_empty() {
                // Entra expects `emails[type eq "work"].value` to create the work email.
                let Some(mut element) = template(f) else {
                    holder.insert(attr.name.clone(), Value::Array(items));
                    return Err(ScimError::bad_request(
                        ScimType::NoTarget,
                        format!("no value of '{}' matches [{f}]", attr.name),
                    ));
                };
                if let Some(v) = new.clone() {
                    element.insert(d.name.clone(), v);
                    items.push(Value::Object(element));
                    preferred = Some(items.len() - 1);
                }
            }
            for &i in &matched {
                if let Some(o) = items[i].as_object_mut() {
                    match &new {
                        Some(v) => o.insert(d.name.clone(), v.clone()),
                        None => o.remove(&d.name),
                    };
                }
                preferred = Some(i);
            }
        }
    }
    items.retain(|v| !matches!(v, Value::Object(o) if o.is_empty()));
    single_primary(&mut items, preferred);
    if !items.is_empty() {
        holder.insert(attr.name.clone(), Value::Array(items));
    }
    Ok(())
}

/// The element a filter of equalities describes: `type eq "work" and primary eq true` →
/// `{"type": "work", "primary": true}`. `None` when the filter is not such a conjunction.
fn template(f: &Filter) -> Option<Map<String, Value>> {
    let mut out = Map::new();
    fn walk(f: &Filter, out: &mut Map<String, Value>) -> Option<()> {
        match f {
            Filter::And(a, b) => {
                walk(a, out)?;
                walk(b, out)
            }
            Filter::Compare(p, CompareOp::Eq, v) if p.urn.is_none() && p.sub.is_none() => {
                let v = match v {
                    CompValue::Str(s) => Value::from(s.as_str()),
                    CompValue::Bool(b) => Value::Bool(*b),
                    CompValue::Number(n) => Value::Number(n.clone()),
                    CompValue::Null => return None,
                };
                out.insert(p.attr.to_string(), v);
                Some(())
            }
            _ => None,
        }
    }
    walk(f, &mut out)?;
    Some(out)
}
