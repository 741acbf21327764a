//! `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5), combined with each attribute's
//! `returned` characteristic (RFC 7643 §7).
//!
//! A [`Projection`] is parsed once from the request and then applied to every rendered
//! resource. [`Projection::wants`] lets the server skip reading data nobody will see (for
//! example group members under `excludedAttributes=members`).

use crate::error::Result;
use crate::model::normalize::split_urn;
use crate::schema::registry::Location;
use crate::schema::{Attribute, ResourceType, Returned, Schema};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// One selected attribute: where it lives, its canonical name and an optional sub-attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Selector {
    ext: Option<String>,
    attr: String,
    sub: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Select {
    #[default]
    Default,
    Include(Vec<Selector>),
    Exclude(Vec<Selector>),
}

/// Which attributes a response shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Projection {
    select: Select,
}

impl Projection {
    /// Builds a projection from the two query parameters (comma-separated attribute paths).
    /// `attributes` wins when both are given. Names the resource type does not have are ignored.
    pub fn parse(rt: &ResourceType, attributes: Option<&str>, excluded: Option<&str>) -> Result<Projection> {
        let list = |s: &str| -> Vec<Selector> {
            s.split(',').map(str::trim).filter(|p| !p.is_empty()).filter_map(|p| selector(rt, p)).collect()
        };
        let select = match (attributes, excluded) {
            (Some(a), _) if !a.trim().is_empty() => Select::Include(list(a)),
            (_, Some(e)) if !e.trim().is_empty() => Select::Exclude(list(e)),
            _ => Select::Default,
        };
        Ok(Projection { select })
    }

    /// Whether a top-level attribute will appear at all (before reading it from the store).
    pub fn wants(&self, rt: &ResourceType, name: &str) -> bool {
        let Some(r) = rt.resolve(None, name) else { return false };
        self.keep(None, r.attr).is_some()
    }

    /// What this projection and `returned` leave of a rendered resource's attributes, in the
    /// order given: values it leaves whole stay borrowed, and `schemas` names the core schema
    /// and the extensions still present.
    pub fn project<'a>(
        &self,
        rt: &ResourceType,
        attrs: impl Iterator<Item = (&'a str, Cow<'a, Value>)>,
    ) -> Vec<(&'a str, Cow<'a, Value>)> {
        let mut out: Vec<(&'a str, Cow<'a, Value>)> = attrs
            .filter_map(|(key, value)| {
                if key == "schemas" {
                    return Some((key, value));
                }
                if let Some(ext) = rt.extension(key) {
                    return self.project_extension(ext, value).map(|v| (key, v));
                }
                let r = rt.resolve(None, key)?;
                self.project_value(None, r.attr, value).map(|v| (key, v))
            })
            .collect();
        let absent: Vec<&str> =
            rt.extensions.iter().map(|(s, _)| s.id.as_str()).filter(|u| !out.iter().any(|(k, _)| k == u)).collect();
        if let Some((_, schemas)) = out.iter_mut().find(|(k, _)| *k == "schemas")
            && schemas.as_array().is_some_and(|a| a.iter().any(|s| absent.iter().any(|u| Some(*u) == s.as_str())))
            && let Value::Array(list) = schemas.to_mut()
        {
            list.retain(|s| !absent.iter().any(|u| Some(*u) == s.as_str()));
        }
        out
    }

    /// An extension's object, keeping its attributes the projection keeps (and any it does not
    /// know); gone when nothing is left.
    fn project_extension<'a>(&self, ext: &Schema, value: Cow<'a, Value>) -> Option<Cow<'a, Value>> {
        let keep = |name: &str, v: Cow<'a, Value>| match ext.attribute(name) {
            Some(attr) => self.project_value(Some(&ext.id), attr, v),
            None => Some(v),
        };
        match value {
            Cow::Borrowed(whole @ Value::Object(inner)) => {
                let kept: Vec<(&String, Cow<'a, Value>)> =
                    inner.iter().filter_map(|(name, v)| keep(name, Cow::Borrowed(v)).map(|k| (name, k))).collect();
                if kept.is_empty() {
                    None
                } else if kept.len() == inner.len() && kept.iter().all(|(_, k)| matches!(k, Cow::Borrowed(_))) {
                    Some(Cow::Borrowed(whole))
                } else {
                    Some(Cow::Owned(Value::Object(
                        kept.into_iter().map(|(n, k)| (n.clone(), k.into_owned())).collect(),
                    )))
                }
            }
            Cow::Owned(Value::Object(inner)) => {
                let kept: Map<String, Value> = inner
                    .into_iter()
                    .filter_map(|(name, v)| Some((name.clone(), keep(&name, Cow::Owned(v))?.into_owned())))
                    .collect();
                (!kept.is_empty()).then_some(Cow::Owned(Value::Object(kept)))
            }
            other => Some(other),
        }
    }

    /// An attribute's value trimmed to the sub-attributes it keeps (borrowed when nothing is
    /// trimmed), or `None` when the attribute goes.
    fn project_value<'a>(&self, ext: Option<&str>, attr: &Attribute, value: Cow<'a, Value>) -> Option<Cow<'a, Value>> {
        let subs = self.keep(ext, attr)?;
        let exclude = self.is_exclude();
        let value = match value {
            Cow::Borrowed(v) if !trims(attr, v, &subs, exclude) => Cow::Borrowed(v),
            v => {
                let mut v = v.into_owned();
                filter_subs(attr, &mut v, &subs, exclude);
                Cow::Owned(v)
            }
        };
        let keep = match &*value {
            Value::Object(m) => !m.is_empty(),
            Value::Array(a) => !a.is_empty() || subs.is_empty(),
            _ => true,
        };
        keep.then_some(value)
    }

    fn is_exclude(&self) -> bool {
        matches!(self.select, Select::Exclude(_))
    }

    /// `None`: drop the attribute. `Some(subs)`: keep it, restricted to (or, when excluding,
    /// without) the listed sub-attributes; an empty list means the whole attribute.
    fn keep(&self, ext: Option<&str>, attr: &Attribute) -> Option<Vec<String>> {
        match attr.returned {
            Returned::Never => return None,
            Returned::Always => return Some(vec![]),
            _ => {}
        }
        let matching = |sels: &[Selector]| -> Vec<Selector> {
            sels.iter()
                .filter(|s| s.attr == attr.name && s.ext.as_deref().map(str::to_owned) == ext.map(str::to_owned))
                .cloned()
                .collect()
        };
        match &self.select {
            Select::Default => (attr.returned == Returned::Default).then(Vec::new),
            Select::Include(sels) => {
                let m = matching(sels);
                if m.is_empty() {
                    None
                } else if m.iter().any(|s| s.sub.is_none()) {
                    Some(vec![])
                } else {
                    Some(m.into_iter().filter_map(|s| s.sub).collect())
                }
            }
            Select::Exclude(sels) => {
                if attr.returned == Returned::Request {
                    return None;
                }
                let m = matching(sels);
                if m.iter().any(|s| s.sub.is_none()) {
                    None
                } else {
                    Some(m.into_iter().filter_map(|s| s.sub).collect())
                }
            }
        }
    }
}

/// Whether a sub-attribute stays.
fn keeps_sub(attr: &Attribute, name: &str, subs: &[String], exclude: bool) -> bool {
    match attr.sub(name).map(|d| d.returned) {
        Some(Returned::Never) => false,
        Some(Returned::Always) => true,
        _ if subs.is_empty() => true,
        _ => subs.iter().any(|s| s.eq_ignore_ascii_case(name)) != exclude,
    }
}

/// Whether [`filter_subs`] would change `value`.
fn trims(attr: &Attribute, value: &Value, subs: &[String], exclude: bool) -> bool {
    let drops = |m: &Map<String, Value>| m.keys().any(|k| !keeps_sub(attr, k, subs, exclude));
    match value {
        Value::Object(m) => drops(m),
        Value::Array(items) => items.iter().any(|i| matches!(i, Value::Object(m) if m.is_empty() || drops(m))),
        _ => false,
    }
}

fn filter_subs(attr: &Attribute, value: &mut Value, subs: &[String], exclude: bool) {
    let one = |m: &mut Map<String, Value>| m.retain(|k, _| keeps_sub(attr, k, subs, exclude));
    match value {
        Value::Object(m) => one(m),
        Value::Array(items) => {
            for item in items.iter_mut() {
                if let Value::Object(m) = item {
                    one(m);
                }
            }
            items.retain(|i| !matches!(i, Value::Object(m) if m.is_empty()));
        }
        _ => {}
    }
}

fn selector(rt: &ResourceType, path: &str) -> Option<Selector> {
    let (urn, rest) = split_urn(rt, path);
    let (name, sub) = match rest.split_once('.') {
        Some((n, s)) => (n, Some(s)),
        None => (rest, None),
    };
    let r = rt.resolve(urn, name)?;
    let sub = match sub {
        Some(s) => Some(r.attr.sub(s)?.name.clone()),
        None => None,
    };
    let ext = match r.location {
        Location::Top => None,
        Location::Extension(u) => Some(u.to_owned()),
    };
    Some(Selector { ext, attr: r.attr.name.clone(), sub })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Registry;
    use serde_json::json;

    const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    fn project(attributes: Option<&str>, excluded: Option<&str>) -> Value {
        let rt = Registry::embedded().resource_type("User").unwrap().clone();
        let resource = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "id": "1", "userName": "bjensen", "password": "pw", "notAnAttribute": 1,
            "emails": [{"value": "b@example.com", "type": "work"}, {"value": "c@example.com"}],
            ENTERPRISE: {"department": "R&D", "manager": {"value": "2", "displayName": "Boss"}},
        });
        let proj = Projection::parse(&rt, attributes, excluded).unwrap();
        let attrs = resource.as_object().unwrap().iter().map(|(k, v)| (k.as_str(), Cow::Borrowed(v)));
        Value::Object(proj.project(&rt, attrs).into_iter().map(|(k, v)| (k.to_owned(), v.into_owned())).collect())
    }

    /// By default: `returned: never` and unknown attributes go, the rest stays whole.
    #[test]
    fn the_default_drops_what_is_never_returned_and_what_is_unknown() {
        assert_eq!(
            project(None, None),
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE], "id": "1",
                "userName": "bjensen",
                "emails": [{"value": "b@example.com", "type": "work"}, {"value": "c@example.com"}],
                ENTERPRISE: {"department": "R&D", "manager": {"value": "2", "displayName": "Boss"}},
            })
        );
    }

    /// Sub-attributes are trimmed in place; an extension left empty goes, and with it its URN
    /// from `schemas`; `id` is returned always.
    #[test]
    fn included_sub_attributes_trim_in_place_and_empty_extensions_leave_schemas() {
        assert_eq!(
            project(Some("emails.type"), None),
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "1",
                   "emails": [{"type": "work"}]})
        );
        assert_eq!(
            project(None, Some(&format!("emails,{ENTERPRISE}:department,{ENTERPRISE}:manager.displayName"))),
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE], "id": "1",
                   "userName": "bjensen", ENTERPRISE: {"manager": {"value": "2"}}})
        );
        assert_eq!(
            project(None, Some(&format!("{ENTERPRISE}:department,{ENTERPRISE}:manager"))),
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "1", "userName": "bjensen",
                   "emails": [{"value": "b@example.com", "type": "work"}, {"value": "c@example.com"}]})
        );
    }
}
