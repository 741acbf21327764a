//! From a stored [`Record`] to the JSON representation a client sees (RFC 7643 §3).

use crate::model::{GroupRef, Member, Projection, Record, etag};
use crate::schema::ResourceType;
use serde_json::{Value, json};

/// The related resources of a record, when they were read: a group's members or a user's groups.
#[derive(Debug, Clone, Copy)]
pub enum Related<'a> {
    None,
    Members(&'a [Member]),
    Groups(&'a [GroupRef]),
}

/// Renders a resource: `schemas`, `id`, attributes, members or groups, `meta`; then the projection.
/// `base` is the absolute SCIM base URL, e.g. `http://127.0.0.1:8080/scim/v2`.
pub fn render(rt: &ResourceType, record: &Record, related: Related<'_>, base: &str, proj: &Projection) -> Value {
    // Cloning the stored map whole is much cheaper than inserting its entries one by one; a
    // stored `schemas` or `id` (normalization drops both) would still win, as it always has.
    let mut out = record.attrs.clone();
    out.entry("schemas").or_insert_with(|| {
        let schemas = rt.schema_urns().enumerate().filter(|(i, urn)| *i == 0 || record.attrs.contains_key(*urn));
        Value::Array(schemas.map(|(_, urn)| Value::from(urn)).collect())
    });
    out.entry("id").or_insert_with(|| Value::from(record.id.clone()));
    match related {
        Related::None => {}
        Related::Members(members) => {
            let list: Vec<Value> = members
                .iter()
                .map(|m| {
                    let mut o = json!({
                        "value": m.value,
                        "type": m.kind.as_str(),
                        "$ref": format!("{base}/{}/{}", m.kind.endpoint(), m.value),
                    });
                    if let Some(d) = &m.display {
                        o["display"] = Value::from(d.clone());
                    }
                    o
                })
                .collect();
            if !list.is_empty() {
                out.insert("members".into(), Value::Array(list));
            }
        }
        Related::Groups(groups) => {
            let list: Vec<Value> = groups
                .iter()
                .map(|g| {
                    let mut o = json!({"value": g.id, "$ref": format!("{base}/Groups/{}", g.id), "type": "direct"});
                    if let Some(d) = &g.display {
                        o["display"] = Value::from(d.clone());
                    }
                    o
                })
                .collect();
            if !list.is_empty() {
                out.insert("groups".into(), Value::Array(list));
            }
        }
    }
    out.insert(
        "meta".into(),
        json!({
            "resourceType": rt.name,
            "created": record.created,
            "lastModified": record.last_modified,
            "location": location(rt, record, base),
            "version": etag(record.version),
        }),
    );
    proj.apply(rt, &mut out);
    Value::Object(out)
}

/// The absolute URL of a resource (`meta.location`, and the `Location` header on 201).
pub fn location(rt: &ResourceType, record: &Record, base: &str) -> String {
    format!("{base}{}/{}", rt.endpoint, record.id)
}
