//! Schema-aware filter evaluation (RFC 7644 §3.4.2.2).
//!
//! [`compile`] resolves every attribute path of a [`Filter`] against a resource type once:
//! unknown attributes, ordering operators on booleans or binary values, and values of the
//! wrong type are `invalidFilter` errors here, before any record is read. The compiled filter
//! then evaluates records without further errors: `caseExact` decides string comparison,
//! `dateTime` compares instants, numbers and booleans compare as such, multi-valued
//! attributes match when any value matches, and a complex attribute without a sub-attribute
//! compares its `value`.

use super::{AttrPath, CompValue, CompareOp, Filter};
use crate::clock::parse_datetime;
use crate::error::{Result, ScimError};
use crate::model::Record;
use crate::model::normalize::split_urn;
use crate::schema::registry::Location;
use crate::schema::{AttrType, Attribute, ResourceType};
use serde_json::Value;
use time::OffsetDateTime;

/// Where an attribute's values come from in a [`Record`].
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// `id`.
    Id,
    /// `meta.<sub>`: created, lastModified, version, resourceType.
    Meta,
    /// A top-level attribute in `Record::attrs`.
    Top(String),
    /// An attribute inside an extension object.
    Ext(String, String),
    /// A sub-attribute of the element of a value path (`emails[type eq ...]`).
    Element(String),
}

/// A resolved attribute path.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub source: Source,
    /// The canonical sub-attribute name, if any (for `Meta`, the meta field).
    pub sub: Option<String>,
    /// The definition of the value compared (the sub-attribute's when there is one).
    pub ty: AttrType,
    pub case_exact: bool,
    /// The canonical dotted name, e.g. `emails.value` (for index hints and messages).
    pub name: String,
    /// The resource type's name (for `meta.resourceType`).
    resource_type: String,
}

/// A comparison value prepared for the attribute's type.
#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Null,
    Str(String),
    Bool(bool),
    Num(f64),
    Date(OffsetDateTime),
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    /// An attribute the resource type does not have (root queries only): no value, no match.
    Absent,
    /// `members.value eq "x"` on a Group, `groups.value eq "x"` on a User: related to `x` in
    /// the member relation. Answered by [`Compiled::bind_related`] before evaluation.
    Related(String),
    /// The ids a `Related` node stands for, once bound.
    IdIn(std::sync::Arc<std::collections::HashSet<String>>),
    Present(Target),
    Compare(Target, CompareOp, Operand),
    ValuePath(Target, Box<Node>),
    Not(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
}

/// A filter ready to evaluate against records of one resource type.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    root: Node,
}

/// An equality on an indexed attribute that every match must satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexHint {
    /// `id`, `userName`, `externalId`, `displayName` or `emails.value`.
    pub attr: String,
    pub value: String,
}

/// The attributes the stores index for equality.
pub const INDEXED: &[&str] = &["id", "userName", "externalId", "displayName", "emails.value"];

/// Resolves a filter against a resource type. `lenient` allows unquoted or mistyped values
/// where they can be read as the attribute's type.
pub fn compile(rt: &ResourceType, f: &Filter, lenient: bool) -> Result<Compiled> {
    Ok(Compiled { root: node(rt, f, None, Ctx { lenient, absent_ok: false })? })
}

/// Like [`compile`], for a query across resource types (RFC 7644 §3.4.2.1): an attribute this
/// type does not have is treated as having no value instead of being an error.
pub fn compile_for_root(rt: &ResourceType, f: &Filter, lenient: bool) -> Result<Compiled> {
    Ok(Compiled { root: node(rt, f, None, Ctx { lenient, absent_ok: true })? })
}

#[derive(Debug, Clone, Copy)]
struct Ctx {
    lenient: bool,
    absent_ok: bool,
}

fn node(rt: &ResourceType, f: &Filter, parent: Option<&Attribute>, cx: Ctx) -> Result<Node> {
    let lenient = cx.lenient;
    Ok(match f {
        Filter::Present(p) | Filter::Compare(p, ..) | Filter::ValuePath(p, _)
            if cx.absent_ok && parent.is_none() && resolve(rt, p).is_err() =>
        {
            Node::Absent
        }
        Filter::Compare(p, CompareOp::Eq, CompValue::Str(v)) if parent.is_none() && is_relation(rt, p, true) => {
            Node::Related(v.to_string())
        }
        Filter::ValuePath(p, inner) if parent.is_none() && p.sub.is_none() && is_relation(rt, p, true) => {
            match &**inner {
                Filter::Compare(q, CompareOp::Eq, CompValue::Str(v))
                    if q.urn.is_none() && q.sub.is_none() && q.attr.eq_ignore_ascii_case("value") =>
                {
                    Node::Related(v.to_string())
                }
                _ => return Err(relation_only(p)),
            }
        }
        Filter::Present(p) => Node::Present(target(rt, p, parent)?),
        Filter::Compare(p, op, v) => {
            let t = target(rt, p, parent)?;
            let operand = operand(&t, *op, v, lenient)?;
            Node::Compare(t, *op, operand)
        }
        Filter::ValuePath(p, inner) => {
            if parent.is_some() {
                return Err(ScimError::invalid_filter("value filters cannot be nested"));
            }
            let t = target(rt, p, None)?;
            let attr = resolve(rt, p)?;
            if attr.ty != AttrType::Complex {
                return Err(ScimError::invalid_filter(format!("'{p}' is not complex; it has no value filter")));
            }
            Node::ValuePath(t, Box::new(node(rt, inner, Some(attr), cx)?))
        }
        Filter::Not(inner) => Node::Not(Box::new(node(rt, inner, parent, cx)?)),
        Filter::And(l, r) => Node::And(Box::new(node(rt, l, parent, cx)?), Box::new(node(rt, r, parent, cx)?)),
        Filter::Or(l, r) => Node::Or(Box::new(node(rt, l, parent, cx)?), Box::new(node(rt, r, parent, cx)?)),
    })
}

/// Whether a path names the member relation: `members` of a Group, `groups` of a User (with
/// `value` as its sub-attribute, or none when `bare` is allowed).
fn is_relation(rt: &ResourceType, p: &AttrPath, bare: bool) -> bool {
    let name = if rt.is_group() { "members" } else { "groups" };
    p.urn.is_none()
        && p.attr.eq_ignore_ascii_case(name)
        && match &p.sub {
            Some(s) => s.eq_ignore_ascii_case("value"),
            None => bare,
        }
}

fn relation_only(p: &AttrPath) -> ScimError {
    ScimError::invalid_filter(format!(
        "on '{p}' only equality on the member id is supported: {p}.value eq \"id\" or {p}[value eq \"id\"]"
    ))
}

/// The top-level attribute a path names.
fn resolve<'r>(rt: &'r ResourceType, p: &AttrPath) -> Result<&'r Attribute> {
    let (urn, attr) = match &p.urn {
        Some(u) => (Some(u.as_str()), p.attr.as_str()),
        None => split_urn(rt, &p.attr),
    };
    rt.resolve(urn, attr)
        .map(|r| r.attr)
        .ok_or_else(|| ScimError::invalid_filter(format!("{} has no attribute '{p}'", rt.name)))
}

pub(crate) fn target(rt: &ResourceType, p: &AttrPath, parent: Option<&Attribute>) -> Result<Target> {
    let unknown = || ScimError::invalid_filter(format!("{} has no attribute '{p}'", rt.name));
    if let Some(parent) = parent {
        // Inside `emails[...]`: names are sub-attributes of `emails`.
        if p.urn.is_some() || p.sub.is_some() {
            return Err(ScimError::invalid_filter(format!("'{p}' inside a value filter must be a sub-attribute name")));
        }
        let sub = parent.sub(&p.attr).ok_or_else(unknown)?;
        return Ok(Target {
            source: Source::Element(sub.name.clone()),
            sub: None,
            ty: sub.ty,
            case_exact: sub.is_case_exact(),
            name: format!("{}.{}", parent.name, sub.name),
            resource_type: rt.name.clone(),
        });
    }
    let (urn, attr_name) = match &p.urn {
        Some(u) => (Some(u.as_str()), p.attr.as_str()),
        None => split_urn(rt, &p.attr),
    };
    let resolved = rt.resolve(urn, attr_name).ok_or_else(unknown)?;
    let attr = resolved.attr;
    if rt.is_group() && attr.name == "members" || !rt.is_group() && attr.name == "groups" {
        return Err(relation_only(p));
    }
    let sub_def = match &p.sub {
        Some(s) => Some(attr.sub(s).ok_or_else(unknown)?),
        // A multi-valued complex attribute without a sub-attribute compares its `value`.
        None if attr.ty == AttrType::Complex && attr.multi_valued => attr.sub("value"),
        None => None,
    };
    let def = sub_def.unwrap_or(attr);
    let source = match (resolved.location, attr.name.as_str()) {
        (Location::Top, "id") => Source::Id,
        (Location::Top, "meta") => Source::Meta,
        (Location::Top, n) => Source::Top(n.to_owned()),
        (Location::Extension(u), n) => Source::Ext(u.to_owned(), n.to_owned()),
    };
    let sub = sub_def.map(|s| s.name.clone());
    let name = match &sub {
        Some(s) => format!("{}.{s}", attr.name),
        None => attr.name.clone(),
    };
    Ok(Target { source, sub, ty: def.ty, case_exact: def.is_case_exact(), name, resource_type: rt.name.clone() })
}

fn operand(t: &Target, op: CompareOp, v: &CompValue, lenient: bool) -> Result<Operand> {
    let bad = |why: &str| ScimError::invalid_filter(format!("'{}' {} {v}: {why}", t.name, op.as_str()));
    if matches!(v, CompValue::Null) {
        return if matches!(op, CompareOp::Eq | CompareOp::Ne) {
            Ok(Operand::Null)
        } else {
            Err(bad("null can only be compared with eq or ne"))
        };
    }
    let text = match v {
        CompValue::Str(s) => s.to_string(),
        other => other.to_string(),
    };
    let substring = matches!(op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew);
    match t.ty {
        AttrType::Complex => Err(bad("a complex attribute can only be tested with pr, or through a sub-attribute")),
        AttrType::Boolean => {
            if op.is_ordering() || substring {
                return Err(bad("booleans can only be compared with eq or ne"));
            }
            match v {
                CompValue::Bool(b) => Ok(Operand::Bool(*b)),
                CompValue::Str(s) if lenient && s.eq_ignore_ascii_case("true") => Ok(Operand::Bool(true)),
                CompValue::Str(s) if lenient && s.eq_ignore_ascii_case("false") => Ok(Operand::Bool(false)),
                _ => Err(bad("the attribute is a boolean")),
            }
        }
        AttrType::Binary if op.is_ordering() => Err(bad("binary values cannot be ordered")),
        AttrType::Integer | AttrType::Decimal => {
            if substring {
                return Err(bad("numbers cannot be compared with co, sw or ew"));
            }
            match v {
                CompValue::Number(n) => Ok(Operand::Num(n.as_f64().unwrap_or(f64::NAN))),
                CompValue::Str(s) if lenient => {
                    s.parse().map(Operand::Num).map_err(|_| bad("the attribute is a number"))
                }
                _ => Err(bad("the attribute is a number")),
            }
        }
        AttrType::DateTime => {
            if substring {
                return Err(bad("dateTime values cannot be compared with co, sw or ew"));
            }
            match v {
                CompValue::Str(s) => parse_datetime(s).map(Operand::Date).ok_or_else(|| bad("not an xsd:dateTime")),
                _ => Err(bad("the attribute is a dateTime; quote an RFC 3339 date")),
            }
        }
        AttrType::String | AttrType::Reference | AttrType::Binary => {
            if !matches!(v, CompValue::Str(_)) && !lenient {
                return Err(bad("the attribute is a string; quote the value"));
            }
            Ok(Operand::Str(if t.case_exact { text } else { crate::model::fold(&text) }))
        }
    }
}

impl Compiled {
    /// Whether the record matches.
    pub fn matches(&self, r: &Record) -> bool {
        eval(&self.root, r, None)
    }

    /// An equality on an indexed attribute that every match satisfies (for index lookups).
    pub fn index_hint(&self) -> Option<IndexHint> {
        hint(&self.root)
    }

    /// The ids named by member-relation conditions (`members.value eq "x"`), to be bound.
    pub fn related_ids(&self) -> Vec<String> {
        fn walk(n: &Node, out: &mut Vec<String>) {
            match n {
                Node::Related(id) => out.push(id.clone()),
                Node::Not(a) => walk(a, out),
                Node::And(a, b) | Node::Or(a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&self.root, &mut out);
        out
    }

    /// Replaces each member-relation condition by the set of resource ids it holds for.
    pub fn bind_related(&mut self, ids: &dyn Fn(&str) -> std::collections::HashSet<String>) {
        fn walk(n: &mut Node, ids: &dyn Fn(&str) -> std::collections::HashSet<String>) {
            match n {
                Node::Related(id) => *n = Node::IdIn(std::sync::Arc::new(ids(id))),
                Node::Not(a) => walk(a, ids),
                Node::And(a, b) | Node::Or(a, b) => {
                    walk(a, ids);
                    walk(b, ids);
                }
                _ => {}
            }
        }
        walk(&mut self.root, ids);
    }
}

fn hint(n: &Node) -> Option<IndexHint> {
    match n {
        Node::Compare(t, CompareOp::Eq, Operand::Str(_)) if INDEXED.contains(&t.name.as_str()) => {
            let Node::Compare(_, _, Operand::Str(v)) = n else { return None };
            Some(IndexHint { attr: t.name.clone(), value: v.clone() })
        }
        Node::And(l, r) => hint(l).or_else(|| hint(r)),
        _ => None,
    }
}

fn eval(n: &Node, r: &Record, element: Option<&Value>) -> bool {
    match n {
        Node::Absent | Node::Related(_) => false,
        Node::IdIn(ids) => ids.contains(&r.id),
        Node::Present(t) => values(t, r, element).iter().any(present),
        Node::Compare(t, op, operand) => {
            let vals = values(t, r, element);
            match (op, operand) {
                (CompareOp::Eq, Operand::Null) => !vals.iter().any(present),
                (CompareOp::Ne, Operand::Null) => vals.iter().any(present),
                (CompareOp::Ne, _) => !vals.iter().any(|v| compare(t, CompareOp::Eq, operand, v)),
                _ => vals.iter().any(|v| compare(t, *op, operand, v)),
            }
        }
        Node::ValuePath(t, inner) => match lookup(t, r) {
            Some(Value::Array(items)) => items.iter().any(|item| eval(inner, r, Some(item))),
            Some(v @ Value::Object(_)) => eval(inner, r, Some(v)),
            _ => false,
        },
        Node::Not(inner) => !eval(inner, r, element),
        Node::And(a, b) => eval(a, r, element) && eval(b, r, element),
        Node::Or(a, b) => eval(a, r, element) || eval(b, r, element),
    }
}

/// `pr` is false for null, empty strings, empty arrays and empty objects.
fn present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

/// The top-level value of a target in a record (`id` and `meta` are synthesised).
fn lookup<'r>(t: &Target, r: &'r Record) -> Option<&'r Value> {
    match &t.source {
        Source::Top(n) => r.attrs.get(n),
        Source::Ext(u, n) => r.attrs.get(u)?.get(n),
        Source::Id | Source::Meta | Source::Element(_) => None,
    }
}

/// Every value a target denotes, flattened across multi-valued attributes.
pub fn values(t: &Target, r: &Record, element: Option<&Value>) -> Vec<Value> {
    match &t.source {
        Source::Id => vec![Value::from(r.id.as_str())],
        Source::Meta => match t.sub.as_deref() {
            Some("created") => vec![Value::from(r.created.as_str())],
            Some("lastModified") => vec![Value::from(r.last_modified.as_str())],
            Some("version") => vec![Value::from(r.etag())],
            Some("resourceType") => vec![Value::from(t.resource_type.as_str())],
            _ => vec![Value::Bool(true)],
        },
        Source::Element(sub) => element.and_then(|e| e.get(sub)).cloned().into_iter().collect(),
        _ => {
            let Some(v) = lookup(t, r) else { return vec![] };
            let items: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            match &t.sub {
                Some(s) => items.into_iter().filter_map(|i| i.get(s)).cloned().collect(),
                None => items.into_iter().cloned().collect(),
            }
        }
    }
}

fn compare(t: &Target, op: CompareOp, operand: &Operand, v: &Value) -> bool {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (operand, v) {
        (Operand::Str(want), Value::String(have)) => {
            let have = if t.case_exact { have.clone() } else { crate::model::fold(have) };
            match op {
                CompareOp::Co => return have.contains(want.as_str()),
                CompareOp::Sw => return have.starts_with(want.as_str()),
                CompareOp::Ew => return have.ends_with(want.as_str()),
                _ => Some(have.as_str().cmp(want.as_str())),
            }
        }
        (Operand::Bool(want), Value::Bool(have)) => Some(have.cmp(want)),
        (Operand::Num(want), Value::Number(have)) => have.as_f64().and_then(|h| h.partial_cmp(want)),
        (Operand::Date(want), Value::String(have)) => parse_datetime(have).map(|h| h.cmp(want)),
        _ => None,
    };
    let Some(ord) = ord else { return false };
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

/// A value filter compiled for the elements of one multi-valued complex attribute, as in the
/// PATCH path `emails[type eq "work"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementFilter {
    node: Node,
}

/// Compiles `f` with its names resolved as sub-attributes of `attr`.
pub fn compile_element(rt: &ResourceType, attr: &Attribute, f: &Filter, lenient: bool) -> Result<ElementFilter> {
    Ok(ElementFilter { node: node(rt, f, Some(attr), Ctx { lenient, absent_ok: false })? })
}

impl ElementFilter {
    /// Whether one element (a JSON object) matches.
    pub fn matches(&self, element: &Value) -> bool {
        static NO_RECORD: std::sync::LazyLock<Record> = std::sync::LazyLock::new(|| Record {
            id: String::new(),
            attrs: serde_json::Map::new(),
            created: String::new(),
            last_modified: String::new(),
            version: 0,
        });
        eval(&self.node, &NO_RECORD, Some(element))
    }
}
