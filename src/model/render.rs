//! From a stored [`Record`] to the JSON representation a client sees (RFC 7643 §3).

use crate::model::{GroupRef, Member, Projection, Record, etag};
use crate::schema::ResourceType;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};
use std::borrow::Cow;

/// The related resources of a record, when they were read: a group's members or a user's groups.
#[derive(Debug, Clone, Copy)]
pub enum Related<'a> {
    None,
    Members(&'a [Member]),
    Groups(&'a [GroupRef]),
}

/// A resource rendered from its stored record, ready to serialize: its attributes in the order
/// a JSON object keeps them here (by name), with the values the projection leaves whole borrowed
/// from the record, so that answering a read copies no stored value.
#[derive(Debug)]
pub struct Rendered<'a> {
    attrs: Vec<(&'a str, Cow<'a, Value>)>,
}

impl Rendered<'_> {
    /// The resource as a JSON value (copying what it borrows).
    pub fn into_value(self) -> Value {
        Value::Object(self.attrs.into_iter().map(|(k, v)| (k.to_owned(), v.into_owned())).collect())
    }
}

impl Serialize for Rendered<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.attrs.len()))?;
        for (k, v) in &self.attrs {
            map.serialize_entry(k, &**v)?;
        }
        map.end()
    }
}

/// Renders a resource: `schemas`, `id`, attributes, members or groups, `meta`; then the projection.
/// `base` is the absolute SCIM base URL, e.g. `http://127.0.0.1:8080/scim/v2`.
pub fn render<'a>(
    rt: &ResourceType,
    record: &'a Record,
    related: Related<'_>,
    base: &str,
    proj: &Projection,
) -> Rendered<'a> {
    // What the server adds, by name: a stored `schemas` or `id` (normalization drops both)
    // would win, as it always has; members, groups and meta are always the server's.
    let mut added: Vec<(&'static str, Value)> = Vec::with_capacity(5);
    if !record.attrs.contains_key("schemas") {
        let schemas = rt.schema_urns().enumerate().filter(|(i, urn)| *i == 0 || record.attrs.contains_key(*urn));
        added.push(("schemas", Value::Array(schemas.map(|(_, urn)| Value::from(urn)).collect())));
    }
    if !record.attrs.contains_key("id") {
        added.push(("id", Value::from(record.id.clone())));
    }
    match related {
        Related::None => {}
        Related::Members(members) if !members.is_empty() => {
            let list = members.iter().map(|m| {
                let mut o = json!({
                    "value": m.value,
                    "type": m.kind.as_str(),
                    "$ref": format!("{base}/{}/{}", m.kind.endpoint(), m.value),
                });
                if let Some(d) = &m.display {
                    o["display"] = Value::from(d.clone());
                }
                o
            });
            added.push(("members", Value::Array(list.collect())));
        }
        Related::Groups(groups) if !groups.is_empty() => {
            let list = groups.iter().map(|g| {
                let mut o = json!({"value": g.id, "$ref": format!("{base}/Groups/{}", g.id), "type": "direct"});
                if let Some(d) = &g.display {
                    o["display"] = Value::from(d.clone());
                }
                o
            });
            added.push(("groups", Value::Array(list.collect())));
        }
        Related::Members(_) | Related::Groups(_) => {}
    }
    added.push((
        "meta",
        json!({
            "resourceType": rt.name,
            "created": record.created,
            "lastModified": record.last_modified,
            "location": location(rt, record, base),
            "version": etag(record.version),
        }),
    ));
    added.sort_by_key(|(k, _)| *k);
    // Both lists are sorted by name: merge them, the server's entry replacing a stored one.
    let mut merged: Vec<(&'a str, Cow<'a, Value>)> = Vec::with_capacity(record.attrs.len() + added.len());
    let mut stored = record.attrs.iter().peekable();
    let mut added = added.into_iter().peekable();
    loop {
        let next = match (stored.peek(), added.peek()) {
            (None, None) => break,
            (Some((k, _)), Some((a, _))) if k.as_str() < *a => None,
            (Some(_), None) => None,
            (Some((k, _)), Some((a, _))) if k.as_str() == *a => {
                stored.next();
                added.next()
            }
            _ => added.next(),
        };
        match next {
            Some((k, v)) => merged.push((k, Cow::Owned(v))),
            None => {
                if let Some((k, v)) = stored.next() {
                    merged.push((k.as_str(), Cow::Borrowed(v)));
                }
            }
        }
    }
    Rendered { attrs: proj.project(rt, merged.into_iter()) }
}

/// The absolute URL of a resource (`meta.location`, and the `Location` header on 201).
pub fn location(rt: &ResourceType, record: &Record, base: &str) -> String {
    format!("{base}{}/{}", rt.endpoint, record.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Registry;

    const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    fn user() -> Record {
        let attrs = json!({
            "active": true, "displayName": "Babs", "emails": [{"value": "b@example.com", "type": "work"}],
            "groups": [{"value": "stale"}], "meta": {"resourceType": "stale"}, "password": "pw",
            "userName": "bjensen", "zzUnknown": 1, ENTERPRISE: {"department": "R&D"},
        });
        Record {
            id: "u1".into(),
            attrs: attrs.as_object().unwrap().clone(),
            created: "2026-01-01T00:00:00Z".into(),
            last_modified: "2026-01-02T00:00:00Z".into(),
            version: 3,
        }
    }

    /// The entries the server adds land where a JSON object keeps them (written and as a value
    /// the bytes are the same), and replace stored ones: groups from the relation, meta.
    #[test]
    fn a_rendered_resource_is_written_in_the_order_of_its_value_with_the_servers_entries() {
        let rt = Registry::embedded().resource_type("User").unwrap().clone();
        let groups = [GroupRef { id: "g1".into(), display: Some("Staff".into()) }];
        let base = "http://h/scim/v2";
        for (attributes, excluded) in [(None, None), (Some("emails.type,groups"), None), (None, Some("department"))] {
            let proj = Projection::parse(&rt, attributes, excluded).unwrap();
            let record = user();
            let written = serde_json::to_string(&render(&rt, &record, Related::Groups(&groups), base, &proj)).unwrap();
            let value = render(&rt, &record, Related::Groups(&groups), base, &proj).into_value();
            assert_eq!(written, value.to_string(), "{attributes:?} {excluded:?}");
        }
        let record = user();
        let v = render(&rt, &record, Related::Groups(&groups), base, &Projection::default()).into_value();
        assert_eq!(
            v["groups"],
            json!([{"value": "g1", "$ref": "http://h/scim/v2/Groups/g1", "type": "direct", "display": "Staff"}])
        );
        assert_eq!(v["meta"]["location"], "http://h/scim/v2/Users/u1");
        assert_eq!(v["meta"]["version"], "W/\"3\"");
        assert_eq!(v["id"], "u1");
        assert_eq!(v["schemas"], json!(["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE]));
        assert!(v.get("password").is_none() && v.get("zzUnknown").is_none(), "{v}");
        let proj = Projection::parse(&rt, Some("emails.type"), None).unwrap();
        let v = render(&rt, &record, Related::None, base, &proj).into_value();
        assert_eq!(
            v,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u1", "emails": [{"type": "work"}]})
        );
    }
}
