//! Checks response bodies against the generated JSON Schemas in `schemas/json/`.
//!
//! The schema is chosen from the body's own `schemas` list: an Error, a ListResponse (whose
//! resources are then checked one by one), or a resource or configuration URN.

use crate::schema::registry::*;
use include_dir::{Dir, include_dir};
use jsonschema::Validator;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

static JSON_SCHEMAS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/schemas/json");

fn validators() -> &'static HashMap<String, Validator> {
    static CELL: OnceLock<HashMap<String, Validator>> = OnceLock::new();
    CELL.get_or_init(|| {
        JSON_SCHEMAS
            .files()
            .filter_map(|f| {
                let name = f.path().file_name()?.to_str()?.strip_suffix(".schema.json")?.to_owned();
                let doc: Value = serde_json::from_slice(f.contents()).ok()?;
                let v = jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .should_validate_formats(true)
                    .build(&doc)
                    .ok()?;
                Some((name, v))
            })
            .collect()
    })
}

/// The names of the available JSON Schemas (for messages and tests).
pub fn names() -> Vec<String> {
    let mut n: Vec<String> = validators().keys().cloned().collect();
    n.sort();
    n
}

/// Validates `doc` against the named schema; the violations as `"<pointer>: <message>"` lines.
pub fn against(name: &str, doc: &Value) -> Result<(), Vec<String>> {
    let Some(v) = validators().get(name) else {
        return Err(vec![format!("no JSON Schema named '{name}' (run `cargo xtask schemas`)")]);
    };
    let errors: Vec<String> = v.iter_errors(doc).map(|e| format!("{}: {e}", e.instance_path())).collect();
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// The schema a body claims to follow, from its `schemas` list.
pub fn schema_for(doc: &Value) -> Option<&'static str> {
    let urns: Vec<&str> = doc.get("schemas")?.as_array()?.iter().filter_map(Value::as_str).collect();
    let has = |u: &str| urns.iter().any(|x| x.eq_ignore_ascii_case(u));
    [
        (crate::error::ERROR_URN, "Error"),
        (LIST_RESPONSE_URN, "ListResponse"),
        (USER_URN, "User"),
        (GROUP_URN, "Group"),
        (SPC_URN, "ServiceProviderConfig"),
        (RESOURCE_TYPE_URN, "ResourceType"),
        (SCHEMA_URN, "Schema"),
        (BULK_RESPONSE_URN, "BulkResponse"),
    ]
    .into_iter()
    .find(|(u, _)| has(u))
    .map(|(_, n)| n)
}

/// Validates a response body by what it claims to be; list resources are checked one by one.
pub fn body(doc: &Value) -> Result<(), Vec<String>> {
    let Some(name) = schema_for(doc) else {
        return Err(vec!["the body has no recognised 'schemas' value".into()]);
    };
    let mut errors = against(name, doc).err().unwrap_or_default();
    if name == "ListResponse" {
        for (i, r) in doc.get("Resources").and_then(Value::as_array).into_iter().flatten().enumerate() {
            if let Some(n) = schema_for(r)
                && let Err(e) = against(n, r)
            {
                errors.extend(e.into_iter().map(|m| format!("/Resources/{i}{m}")));
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}
