//! JSON Schema (draft 2020-12) documents generated from the SCIM schema definitions.
//!
//! `cargo xtask schemas` writes them to `schemas/json/`; a test fails when the committed files
//! differ from what [`generate`] produces. They describe resources and messages *as a service
//! provider returns them*: `returned: never` attributes (such as `password`) must be absent, the
//! attribute names must have the schema's spelling, and each document is self-contained.

use super::registry::*;
use super::{AttrType, Attribute, Registry, Returned, Schema};
use serde_json::{Map, Value, json};

const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";
const ID_BASE: &str = "https://scimcheck.dev/json-schema/";

/// Every generated document, as `(file name, document)`, in a fixed order.
pub fn generate(reg: &Registry) -> Vec<(String, Value)> {
    let schema = |urn: &str| reg.schema(urn).expect("embedded schema exists");
    let mut out = vec![
        ("User".to_owned(), resource(reg, "User")),
        ("Group".to_owned(), resource(reg, "Group")),
        ("EnterpriseUser".to_owned(), document("EnterpriseUser", object(&schema(ENTERPRISE_URN).attributes))),
        ("ServiceProviderConfig".to_owned(), config_doc("ServiceProviderConfig", schema(SPC_URN))),
        ("ResourceType".to_owned(), config_doc("ResourceType", schema(RESOURCE_TYPE_URN))),
        ("Schema".to_owned(), config_doc("Schema", schema(SCHEMA_URN))),
    ];
    out.extend(messages());
    out.into_iter().map(|(n, v)| (format!("{n}.schema.json"), v)).collect()
}

fn document(name: &str, body: Value) -> Value {
    let mut doc = json!({"$schema": DRAFT, "$id": format!("{ID_BASE}{name}.schema.json"), "title": name});
    if let (Value::Object(d), Value::Object(b)) = (&mut doc, body) {
        d.extend(b);
    }
    doc
}

/// A resource type's representation: common attributes, core schema, extensions inline.
fn resource(reg: &Registry, rt_id: &str) -> Value {
    let rt = reg.resource_type(rt_id).expect("embedded resource type exists");
    let mut attrs: Vec<Attribute> = rt.common.iter().cloned().collect();
    attrs.extend(rt.core.attributes.iter().cloned());
    let mut body = object(&attrs);
    let props = body["properties"].as_object_mut().expect("object has properties");
    props.insert("schemas".into(), schemas_property(&rt.core.id));
    for (ext, _) in &rt.extensions {
        props.insert(ext.id.clone(), object(&ext.attributes));
    }
    // A projection (`attributes=...`) may leave out any attribute but those returned always, so
    // only `schemas` and `id` are required; steps check required attributes where they must be.
    body["required"] = json!(["schemas", "id"]);
    document(rt_id, body)
}

/// A configuration resource (no common `id`/`meta` required).
fn config_doc(name: &str, schema: &Schema) -> Value {
    let mut body = object(&schema.attributes);
    body["properties"]["schemas"] = schemas_property(&schema.id);
    body["properties"]["meta"] = json!({"type": "object"});
    body["required"].as_array_mut().expect("object has required").insert(0, Value::from("schemas"));
    document(name, body)
}

fn schemas_property(urn: &str) -> Value {
    json!({"type": "array", "items": {"type": "string"}, "contains": {"const": urn}})
}

/// An object whose properties are the attributes; required ones that a server must return.
fn object(attrs: &[Attribute]) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for a in attrs {
        let returned_always = a.returned == Returned::Always;
        let must = (a.required && a.returned != Returned::Never && a.returned != Returned::Request) || returned_always;
        // RFC 7643 §2.5: null is an unassigned value, so an attribute that may be absent may be null.
        let schema = attribute(a);
        let schema =
            if must || a.returned == Returned::Never { schema } else { json!({"anyOf": [schema, {"type": "null"}]}) };
        props.insert(a.name.clone(), schema);
        if must {
            required.push(Value::from(a.name.clone()));
        }
    }
    json!({"type": "object", "properties": props, "required": required})
}

fn attribute(a: &Attribute) -> Value {
    if a.returned == Returned::Never {
        return json!({"description": format!("{} is never returned", a.name), "not": {}});
    }
    let single = match a.ty {
        AttrType::String | AttrType::Binary | AttrType::Reference => json!({"type": "string"}),
        AttrType::Boolean => json!({"type": "boolean"}),
        AttrType::Integer => json!({"type": "integer"}),
        AttrType::Decimal => json!({"type": "number"}),
        AttrType::DateTime => json!({"type": "string", "format": "date-time"}),
        AttrType::Complex => object(a.subs()),
    };
    let mut v = if a.multi_valued { json!({"type": "array", "items": single}) } else { single };
    if !a.description.is_empty() {
        v["description"] = Value::from(a.description.clone());
    }
    v
}

/// The protocol messages of RFC 7644 §3.
fn messages() -> Vec<(String, Value)> {
    let scim_types = [
        "invalidFilter",
        "tooMany",
        "uniqueness",
        "mutability",
        "invalidSyntax",
        "invalidPath",
        "noTarget",
        "invalidValue",
        "invalidVers",
        "sensitive",
        "invalidCursor",
        "expiredCursor",
        "invalidCount",
    ];
    let doc = |name: &str, body: Value| (name.to_owned(), document(name, body));
    vec![
        doc(
            "ListResponse",
            json!({
                "type": "object",
                "required": ["schemas", "totalResults"],
                "properties": {
                    "schemas": schemas_property(LIST_RESPONSE_URN),
                    "totalResults": {"type": "integer", "minimum": 0},
                    "startIndex": {"type": "integer", "minimum": 1},
                    "itemsPerPage": {"type": "integer", "minimum": 0},
                    "nextCursor": {"type": "string"},
                    "previousCursor": {"type": "string"},
                    "Resources": {"type": "array", "items": {"type": "object", "required": ["schemas"]}},
                },
            }),
        ),
        doc(
            "Error",
            json!({
                "type": "object",
                "required": ["schemas", "status"],
                "properties": {
                    "schemas": schemas_property(crate::error::ERROR_URN),
                    "status": {"type": "string", "pattern": "^[1-5][0-9][0-9]$"},
                    "scimType": {"enum": scim_types},
                    "detail": {"type": "string"},
                },
            }),
        ),
        doc(
            "PatchOp",
            json!({
                "type": "object",
                "required": ["schemas", "Operations"],
                "properties": {
                    "schemas": schemas_property(PATCH_OP_URN),
                    "Operations": {"type": "array", "minItems": 1, "items": {
                        "type": "object",
                        "required": ["op"],
                        "properties": {
                            "op": {"type": "string", "pattern": "^([Aa][Dd][Dd]|[Rr][Ee][Mm][Oo][Vv][Ee]|[Rr][Ee][Pp][Ll][Aa][Cc][Ee])$"},
                            "path": {"type": "string"},
                            "value": {},
                        },
                    }},
                },
            }),
        ),
        doc(
            "BulkRequest",
            json!({
                "type": "object",
                "required": ["schemas", "Operations"],
                "properties": {
                    "schemas": schemas_property(BULK_REQUEST_URN),
                    "failOnErrors": {"type": "integer", "minimum": 0},
                    "Operations": {"type": "array", "items": {
                        "type": "object",
                        "required": ["method", "path"],
                        "properties": {
                            "method": {"enum": ["POST", "PUT", "PATCH", "DELETE"]},
                            "bulkId": {"type": "string"},
                            "version": {"type": "string"},
                            "path": {"type": "string"},
                            "data": {},
                        },
                    }},
                },
            }),
        ),
        doc(
            "BulkResponse",
            json!({
                "type": "object",
                "required": ["schemas", "Operations"],
                "properties": {
                    "schemas": schemas_property(BULK_RESPONSE_URN),
                    "Operations": {"type": "array", "items": {
                        "type": "object",
                        "required": ["method", "status"],
                        "properties": {
                            "method": {"enum": ["POST", "PUT", "PATCH", "DELETE"]},
                            "bulkId": {"type": "string"},
                            "version": {"type": "string"},
                            "location": {"type": "string"},
                            "status": {"type": "string", "pattern": "^[1-5][0-9][0-9]$"},
                            "response": {"type": "object"},
                        },
                    }},
                },
            }),
        ),
        doc(
            "SearchRequest",
            json!({
                "type": "object",
                "required": ["schemas"],
                "properties": {
                    "schemas": schemas_property(SEARCH_REQUEST_URN),
                    "attributes": {"type": "array", "items": {"type": "string"}},
                    "excludedAttributes": {"type": "array", "items": {"type": "string"}},
                    "filter": {"type": "string"},
                    "sortBy": {"type": "string"},
                    "sortOrder": {"enum": ["ascending", "descending"]},
                    "startIndex": {"type": "integer"},
                    "count": {"type": "integer"},
                    "cursor": {"type": "string"},
                },
            }),
        ),
    ]
}

/// The file contents for a generated document: pretty JSON with a trailing newline.
pub fn to_file_contents(doc: &Value) -> String {
    let mut s = serde_json::to_string_pretty(doc).expect("JSON serialises");
    s.push('\n');
    s
}
