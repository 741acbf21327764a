//! `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5), combined with each attribute's
//! `returned` characteristic (RFC 7643 §7).
//!
//! A [`Projection`] is parsed once from the request and then applied to every rendered
//! resource. [`Projection::wants`] lets the server skip reading data nobody will see (for
//! example group members under `excludedAttributes=members`).

use crate::error::Result;
use crate::model::normalize::split_urn;
use crate::schema::registry::Location;
use crate::schema::{Attribute, ResourceType, Returned};
use serde_json::{Map, Value};

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

    /// Removes from a rendered resource what this projection and `returned` leave out.
    pub fn apply(&self, rt: &ResourceType, resource: &mut Map<String, Value>) {
        resource.retain(|key, value| {
            if key == "schemas" {
                return true;
            }
            if let Some(ext) = rt.extension(key) {
                if let Value::Object(inner) = value {
                    inner.retain(|name, v| match ext.attribute(name) {
                        Some(attr) => self.apply_one(Some(&ext.id), attr, v),
                        None => true,
                    });
                    return !inner.is_empty();
                }
                return true;
            }
            match rt.resolve(None, key) {
                Some(r) => self.apply_one(None, r.attr, value),
                None => false,
            }
        });
        // `schemas` names the core schema and the extensions still present after projection.
        let absent: Vec<&str> =
            rt.extensions.iter().map(|(s, _)| s.id.as_str()).filter(|u| !resource.contains_key(*u)).collect();
        if !absent.is_empty()
            && let Some(Value::Array(schemas)) = resource.get_mut("schemas")
        {
            schemas.retain(|s| !absent.iter().any(|u| Some(*u) == s.as_str()));
        }
    }

    /// Whether an attribute stays, after trimming `value` to the sub-attributes it keeps.
    fn apply_one(&self, ext: Option<&str>, attr: &Attribute, value: &mut Value) -> bool {
        let Some(subs) = self.keep(ext, attr) else { return false };
        filter_subs(attr, value, &subs, self.is_exclude());
        match value {
            Value::Object(m) => !m.is_empty(),
            Value::Array(a) => !a.is_empty() || subs.is_empty(),
            _ => true,
        }
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

fn filter_subs(attr: &Attribute, value: &mut Value, subs: &[String], exclude: bool) {
    let one = |m: &mut Map<String, Value>| {
        m.retain(|k, _| {
            let def = attr.sub(k);
            match def.map(|d| d.returned) {
                Some(Returned::Never) => false,
                Some(Returned::Always) => true,
                _ if subs.is_empty() => true,
                _ => subs.iter().any(|s| s.eq_ignore_ascii_case(k)) != exclude,
            }
        });
    };
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
        let mut resource = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "id": "1", "userName": "bjensen", "password": "pw", "notAnAttribute": 1,
            "emails": [{"value": "b@example.com", "type": "work"}, {"value": "c@example.com"}],
            ENTERPRISE: {"department": "R&D", "manager": {"value": "2", "displayName": "Boss"}},
        });
        let proj = Projection::parse(&rt, attributes, excluded).unwrap();
        proj.apply(&rt, resource.as_object_mut().unwrap());
        resource
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
