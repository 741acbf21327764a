//! Every body fits the target. All resource bodies the suite sends (the fixtures of `Given`
//! steps, the bodies written inline in feature files, the `data` of bulk operations) pass
//! through [`Discovery::adapt`] on their way out, which reads the target's /Schemas and
//! /ResourceTypes:
//!
//! - every required, writable attribute still missing gets a valid value of its type, and so
//!   does every required sub-attribute of a complex value the body carries (`name.formatted`,
//!   an email's `type`, a member's `$ref`);
//! - an extension the resource type does not declare is not sent;
//! - required extensions are added, and every extension sent is named in `schemas`.
//!
//! What a scenario deliberately leaves out or gets wrong stays as it is: the attribute that
//! names the resource (`userName`, a group's `displayName`) is never filled, and a value of the
//! wrong type is never corrected. A body that needs no change is sent byte for byte.

use super::discovery::{Discovery, ENTERPRISE_URN, GROUP_URN, USER_URN};
use serde_json::{Map, Value, json};

impl Discovery {
    /// The body of a fixture of `kind` ("User" or "Group"): `base` (the suite's realistic
    /// default) with the user's `--fixtures` template merged over it, adapted to the target.
    pub fn fixture(&self, kind: &str, base: Value, prefix: &str) -> Value {
        let mut body = base;
        if let Some(template) = self.fixtures.get(kind) {
            merge(&mut body, template.clone());
        }
        self.adapt_resource(kind, &mut body, "", prefix);
        body
    }

    /// Adapts a request body about to be sent with `method` to `rel_path` (relative to the SCIM
    /// base `base`). `None` when the body needs no change (or is not a resource body).
    pub fn adapt(&self, method: &str, rel_path: &str, body: &str, base: &str, prefix: &str) -> Option<String> {
        let path = rel_path.split('?').next().unwrap_or("").trim_matches('/');
        let mut json: Value = serde_json::from_str(body).ok()?;
        let before = json.clone();
        match (method, kind_of(path)) {
            ("POST" | "PUT", Some(kind)) if !path.ends_with(".search") => {
                self.adapt_resource(kind, &mut json, base, prefix)
            }
            ("POST", None) if path.eq_ignore_ascii_case("Bulk") => {
                for op in json.get_mut("Operations").and_then(Value::as_array_mut).into_iter().flatten() {
                    let method = op.get("method").and_then(Value::as_str).unwrap_or("").to_ascii_uppercase();
                    let kind = op.get("path").and_then(Value::as_str).and_then(|p| kind_of(p.trim_matches('/')));
                    if let (true, Some(kind), Some(data)) =
                        (method == "POST" || method == "PUT", kind, op.get_mut("data"))
                    {
                        self.adapt_resource(kind, data, base, prefix);
                    }
                }
            }
            _ => return None,
        }
        (json != before).then(|| json.to_string())
    }

    /// Fills what the target requires and drops the extensions it does not declare.
    fn adapt_resource(&self, kind: &str, body: &mut Value, base: &str, prefix: &str) {
        let Some(obj) = body.as_object_mut() else { return };
        let core = if kind == "Group" { GROUP_URN } else { USER_URN };
        let naming = if kind == "Group" { "displayName" } else { "userName" };
        if let Some(schema) = self.schema(core) {
            fill(obj, schema, prefix, base, Some(naming));
        }
        let declared: Option<Vec<(String, bool)>> = self.resource_type(kind).map(|rt| {
            rt["schemaExtensions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| Some((e["schema"].as_str()?.to_owned(), e["required"] == Value::Bool(true))))
                .collect()
        });
        if let Some(declared) = &declared {
            let undeclared = |urn: &str| !declared.iter().any(|(d, _)| d.eq_ignore_ascii_case(urn));
            if kind == "User" && undeclared(ENTERPRISE_URN) {
                obj.retain(|k, _| !k.eq_ignore_ascii_case(ENTERPRISE_URN));
                if let Some(list) = obj.get_mut("schemas").and_then(Value::as_array_mut) {
                    list.retain(|u| !u.as_str().is_some_and(|s| s.eq_ignore_ascii_case(ENTERPRISE_URN)));
                }
            }
            for (urn, _) in declared.iter().filter(|(_, required)| *required) {
                if !obj.keys().any(|k| k.eq_ignore_ascii_case(urn)) {
                    obj.insert(urn.clone(), json!({}));
                }
            }
        }
        let urns: Vec<String> = obj.keys().filter(|k| k.starts_with("urn:")).cloned().collect();
        for urn in &urns {
            if let (Some(schema), Some(ext)) = (self.schema(urn), obj.get_mut(urn).and_then(Value::as_object_mut)) {
                fill(ext, schema, prefix, base, None);
            }
        }
        for urn in &urns {
            add_schema_urn(body, urn);
        }
    }
}

/// The resource type a path addresses (`Users`, `Users/{id}`, `Groups/{id}`).
fn kind_of(path: &str) -> Option<&'static str> {
    let first = path.split('/').next().unwrap_or("");
    if first.eq_ignore_ascii_case("Users") {
        Some("User")
    } else if first.eq_ignore_ascii_case("Groups") {
        Some("Group")
    } else {
        None
    }
}

/// Adds `urn` to the body's `schemas` unless it is there.
pub fn add_schema_urn(body: &mut Value, urn: &str) {
    if let Some(list) = body.get_mut("schemas").and_then(Value::as_array_mut)
        && !list.iter().any(|u| u.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)))
    {
        list.push(Value::from(urn));
    }
}

/// Deep merge: objects merge key by key, anything else replaces.
fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

/// Fills every required, writable attribute of `schema` missing from `obj` (except `naming`),
/// and every required sub-attribute missing from the complex values `obj` carries.
fn fill(obj: &mut Map<String, Value>, schema: &Value, prefix: &str, base: &str, naming: Option<&str>) {
    for attr in schema["attributes"].as_array().into_iter().flatten() {
        let Some(name) = attr["name"].as_str() else { continue };
        let writable = !attr["mutability"].as_str().is_some_and(|m| m.eq_ignore_ascii_case("readOnly"));
        if !writable {
            continue;
        }
        let key = obj.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned();
        match key {
            None if attr["required"] == Value::Bool(true) && !naming.is_some_and(|n| n.eq_ignore_ascii_case(name)) => {
                obj.insert(name.to_owned(), sample(attr, prefix));
            }
            Some(key) if attr["type"].as_str().is_some_and(|t| t.eq_ignore_ascii_case("complex")) => {
                let subs = json!({"attributes": attr["subAttributes"].clone()});
                let values: Vec<&mut Value> = match obj.get_mut(&key) {
                    Some(Value::Array(items)) => items.iter_mut().collect(),
                    Some(v @ Value::Object(_)) => vec![v],
                    _ => vec![],
                };
                for v in values {
                    if let Some(item) = v.as_object_mut() {
                        fill_refs(item, attr, base);
                        fill(item, &subs, prefix, base, None);
                    }
                }
            }
            _ => {}
        }
    }
}

/// A required `$ref` of a member-like value (one with a `value`) points at the resource it names.
fn fill_refs(item: &mut Map<String, Value>, attr: &Value, base: &str) {
    let subs = attr["subAttributes"].as_array().cloned().unwrap_or_default();
    let required_ref = subs.iter().any(|s| s["name"] == "$ref" && s["required"] == Value::Bool(true));
    if !required_ref || item.contains_key("$ref") || base.is_empty() {
        return;
    }
    if let Some(id) = item.get("value").and_then(Value::as_str) {
        let endpoint = match item.get("type").and_then(Value::as_str) {
            Some(t) if t.eq_ignore_ascii_case("Group") => "Groups",
            _ => "Users",
        };
        let r = format!("{}/{endpoint}/{id}", base.trim_end_matches('/'));
        item.insert("$ref".to_owned(), Value::from(r));
    }
}

/// A valid value for an attribute definition.
fn sample(attr: &Value, prefix: &str) -> Value {
    let name = attr["name"].as_str().unwrap_or("x");
    let one = if let Some(first) = attr["canonicalValues"].as_array().and_then(|c| c.first()) {
        first.clone()
    } else {
        match attr["type"].as_str().unwrap_or("string").to_ascii_lowercase().as_str() {
            "boolean" => json!(true),
            "integer" => json!(1),
            "decimal" => json!(1.5),
            "datetime" => json!("2024-01-01T00:00:00Z"),
            "binary" => json!("c2NpbWNoZWNr"),
            "reference" => json!("https://example.com/scimcheck"),
            "complex" => {
                let mut sub = Map::new();
                let subs = attr["subAttributes"].as_array().cloned().unwrap_or_default();
                fill(&mut sub, &json!({"attributes": subs}), prefix, "", None);
                if sub.is_empty()
                    && let Some(first) = subs.iter().find(|s| s["name"] == "value").or(subs.first())
                {
                    sub.insert(first["name"].as_str().unwrap_or("value").to_owned(), sample(first, prefix));
                }
                Value::Object(sub)
            }
            _ if name.eq_ignore_ascii_case("emails") || name.eq_ignore_ascii_case("value") => {
                json!(format!("{prefix}{name}@example.com"))
            }
            _ => json!(format!("{prefix}{name}")),
        }
    };
    if attr["multiValued"] == Value::Bool(true) { json!([one]) } else { one }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> Discovery {
        Discovery {
            schemas: Some(vec![
                json!({"id": USER_URN, "attributes": [
                    {"name": "userName", "type": "string", "required": true},
                    {"name": "employeeType", "type": "string", "required": true, "canonicalValues": ["staff", "contractor"]},
                    {"name": "id", "type": "string", "required": true, "mutability": "readOnly"},
                    {"name": "name", "type": "complex", "subAttributes": [
                        {"name": "formatted", "type": "string", "required": true},
                        {"name": "givenName", "type": "string"}]},
                    {"name": "badge", "type": "complex", "required": true, "multiValued": true,
                     "subAttributes": [{"name": "value", "type": "integer"}]}]}),
                json!({"id": GROUP_URN, "attributes": [
                    {"name": "displayName", "type": "string", "required": true},
                    {"name": "members", "type": "complex", "multiValued": true, "subAttributes": [
                        {"name": "value", "type": "string", "required": true},
                        {"name": "$ref", "type": "reference", "required": true, "referenceTypes": ["User", "Group"]}]}]}),
                json!({"id": "urn:example:ext", "attributes": [{"name": "costCode", "type": "string", "required": true}]}),
            ]),
            resource_types: Some(vec![json!({"name": "User", "endpoint": "/Users",
                "schemaExtensions": [{"schema": "urn:example:ext", "required": true}]})]),
            ..Discovery::default()
        }
    }

    #[test]
    fn fixtures_fill_declared_required_attributes_sub_attributes_and_extensions() {
        let d = strict();
        let body = d.fixture("User", json!({"schemas": [USER_URN], "userName": "u", "name": {"givenName": "g"}}), "p-");
        assert_eq!(body["userName"], "u");
        assert_eq!(body["employeeType"], "staff");
        assert!(body.get("id").is_none());
        assert_eq!(body["badge"], json!([{"value": 1}]));
        assert_eq!(body["name"], json!({"givenName": "g", "formatted": "p-formatted"}));
        assert_eq!(body["urn:example:ext"]["costCode"], "p-costCode");
        assert_eq!(body["schemas"], json!([USER_URN, "urn:example:ext"]));
    }

    #[test]
    fn inline_bodies_are_adapted_but_what_a_scenario_leaves_out_on_purpose_is_not() {
        let d = strict();
        let base = "http://h/scim/v2";
        // The naming attribute is never filled: a scenario without userName means it.
        let out = d.adapt("POST", "/Users", r#"{"schemas":[]}"#, base, "p-").unwrap();
        assert!(!out.contains("userName"), "{out}");
        // A value of the wrong type stays wrong.
        let out = d.adapt("POST", "/Users", r#"{"userName":"u","name":"oops"}"#, base, "p-").unwrap();
        assert!(out.contains(r#""name":"oops""#), "{out}");
        // A member gets the $ref the target requires; the enterprise extension it does not declare is dropped.
        let out =
            d.adapt("PUT", "/Groups/g1", r#"{"displayName":"g","members":[{"value":"u1"}]}"#, base, "p-").unwrap();
        assert!(out.contains(r#""$ref":"http://h/scim/v2/Users/u1""#), "{out}");
        let body = format!(r#"{{"schemas":["{USER_URN}","{ENTERPRISE_URN}"],"userName":"u","{ENTERPRISE_URN}":{{}}}}"#);
        let out = d.adapt("POST", "/Users", &body, base, "p-").unwrap();
        assert!(!out.contains("enterprise"), "{out}");
        // Not a resource body: sent as it is.
        assert_eq!(d.adapt("PATCH", "/Users/x", r#"{"Operations":[]}"#, base, "p-"), None);
        assert_eq!(d.adapt("POST", "/Users/.search", r#"{"filter":"x"}"#, base, "p-"), None);
        // Bulk data is adapted per operation.
        let bulk = r#"{"Operations":[{"method":"POST","path":"/Groups","data":{"displayName":"g","members":[{"value":"u"}]}}]}"#;
        assert!(d.adapt("POST", "/Bulk", bulk, base, "p-").unwrap().contains("$ref"));
    }

    #[test]
    fn a_body_that_fits_is_sent_unchanged_and_templates_merge() {
        let mut d = Discovery::default();
        assert_eq!(d.adapt("POST", "/Users", r#"{"userName":"u"}"#, "b", "p-"), None);
        d.fixtures.insert("User".into(), json!({"name": {"familyName": "FromTemplate"}, "title": "${alias}"}));
        let body =
            d.fixture("User", json!({"schemas": [USER_URN], "name": {"givenName": "g", "familyName": "f"}}), "p-");
        assert_eq!(body["name"], json!({"givenName": "g", "familyName": "FromTemplate"}));
        assert_eq!(body["title"], "${alias}");
        let body = d.fixture("User", json!({"schemas": [USER_URN], ENTERPRISE_URN: {"department": "x"}}), "p-");
        assert_eq!(body["schemas"], json!([USER_URN, ENTERPRISE_URN]));
    }
}
