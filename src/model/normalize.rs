//! From a client's JSON body to canonical attributes (RFC 7643 §2, RFC 7644 §3.3 and §3.5.1).
//!
//! What this does, driven only by attribute characteristics:
//! - names are matched case-insensitively and written in the schema's spelling (§2.1);
//! - readOnly attributes (`id`, `meta`, `User.groups`, ...) are ignored, never applied (§2.2);
//! - values are checked against their type; booleans sent as `"True"`/`"false"` are read as
//!   booleans (lenient mode, for Entra ID);
//! - unknown attributes and schema URNs are ignored, or rejected with `invalidSyntax` in strict mode;
//! - required attributes must be present and non-empty (`invalidValue`).
//!
//! Group `members` are returned apart from the attributes: the store keeps them as a relation.

use crate::error::{Result, ScimError};
use crate::model::UniqueKey;
use crate::schema::registry::Location;
use crate::schema::{AttrType, Attribute, Mutability, ResourceType};
use serde_json::{Map, Value};

/// The longest string value accepted in an attribute, in bytes.
pub const MAX_STRING_BYTES: usize = 64 * 1024;

/// The most values a multi-valued attribute (or a member list) may have in one request.
pub const MAX_VALUES: usize = 10_000;

/// How forgiving to be with input that real IdPs send but the RFC does not allow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mode {
    pub strict: bool,
}

/// A member as a client sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberInput {
    pub value: String,
    pub display: Option<String>,
}

/// A request body made canonical.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    pub attrs: Map<String, Value>,
    /// `Some` when the body carried `members` (a group's full membership).
    pub members: Option<Vec<MemberInput>>,
}

/// Normalizes a whole resource body (POST or PUT) for a resource type.
pub fn normalize(rt: &ResourceType, body: &Value, mode: Mode) -> Result<Normalized> {
    let Value::Object(input) = body else {
        return Err(ScimError::invalid_syntax("the request body must be a JSON object"));
    };
    check_schemas(rt, input, mode)?;
    let mut attrs = Map::new();
    let mut members = None;
    for (key, value) in input {
        if key.eq_ignore_ascii_case("schemas") {
            continue;
        }
        if let Some(ext) = rt.extension(key) {
            let Value::Object(inner) = value else {
                if value.is_null() {
                    continue;
                }
                return Err(ScimError::invalid_value(format!("extension '{}' must be an object", ext.id)));
            };
            let mut out = Map::new();
            for (k, v) in inner {
                match ext.attribute(k) {
                    Some(attr) => put(&mut out, attr, v, mode)?,
                    None => unknown(&format!("{}:{k}", ext.id), mode)?,
                }
            }
            if !out.is_empty() {
                attrs.insert(ext.id.clone(), Value::Object(out));
            }
            continue;
        }
        let (urn, name) = split_urn(rt, key);
        let Some(resolved) = rt.resolve(urn, name) else {
            unknown(key, mode)?;
            continue;
        };
        if rt.is_group() && resolved.attr.name == "members" {
            members = Some(member_inputs(value)?);
            continue;
        }
        match resolved.location {
            Location::Top => put(&mut attrs, resolved.attr, value, mode)?,
            Location::Extension(urn) => {
                let slot = attrs.entry(urn.to_owned()).or_insert_with(|| Value::Object(Map::new()));
                put(slot.as_object_mut().expect("extension slot is an object"), resolved.attr, value, mode)?;
            }
        }
    }
    attrs.retain(|_, v| !matches!(v, Value::Object(m) if m.is_empty()));
    check_required(rt, &attrs)?;
    Ok(Normalized { attrs, members })
}

/// Splits `urn:...:User:userName` into the schema URN and the attribute name, when the prefix is
/// one of the resource type's schemas. Other keys are returned whole.
pub fn split_urn<'k>(rt: &ResourceType, key: &'k str) -> (Option<&'k str>, &'k str) {
    if key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")) {
        for urn in rt.schema_urns() {
            if key.len() > urn.len() + 1
                && key.is_char_boundary(urn.len())
                && key[..urn.len()].eq_ignore_ascii_case(urn)
                && key.as_bytes()[urn.len()] == b':'
            {
                return (Some(&key[..urn.len()]), &key[urn.len() + 1..]);
            }
        }
    }
    (None, key)
}

fn check_schemas(rt: &ResourceType, input: &Map<String, Value>, mode: Mode) -> Result<()> {
    let Some((_, schemas)) = input.iter().find(|(k, _)| k.eq_ignore_ascii_case("schemas")) else {
        return if mode.strict {
            Err(ScimError::invalid_syntax("the 'schemas' attribute is required"))
        } else {
            Ok(())
        };
    };
    let Some(list) = schemas.as_array() else {
        return Err(ScimError::invalid_syntax("'schemas' must be an array of schema URNs"));
    };
    for urn in list {
        let Some(urn) = urn.as_str() else {
            return Err(ScimError::invalid_syntax("'schemas' must contain only strings"));
        };
        if mode.strict && !rt.schema_urns().any(|u| u.eq_ignore_ascii_case(urn)) {
            return Err(ScimError::invalid_syntax(format!("unknown schema URN '{urn}' for {}", rt.name)));
        }
    }
    if mode.strict && !list.iter().any(|u| u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(&rt.core.id))) {
        return Err(ScimError::invalid_syntax(format!("'schemas' must contain '{}'", rt.core.id)));
    }
    Ok(())
}

fn unknown(name: &str, mode: Mode) -> Result<()> {
    if mode.strict { Err(ScimError::invalid_syntax(format!("unknown attribute '{name}'"))) } else { Ok(()) }
}

/// Coerces and stores one attribute value under its canonical name; readOnly and writeOnly
/// `returned: never` values are dropped (the server keeps no password).
pub fn put(out: &mut Map<String, Value>, attr: &Attribute, value: &Value, mode: Mode) -> Result<()> {
    if attr.is_read_only() || attr.mutability == Mutability::WriteOnly {
        // writeOnly attributes must still be well-typed, so that bad input is reported.
        if attr.mutability == Mutability::WriteOnly {
            coerce(attr, value, mode, &attr.name)?;
        }
        return Ok(());
    }
    match coerce(attr, value, mode, &attr.name)? {
        Some(v) => {
            out.insert(attr.name.clone(), v);
        }
        None => {
            out.remove(&attr.name);
        }
    }
    Ok(())
}

/// Checks and converts a value for an attribute. `None` means "no value" (null, empty string,
/// empty array or object), which clears the attribute.
pub fn coerce(attr: &Attribute, value: &Value, mode: Mode, path: &str) -> Result<Option<Value>> {
    if value.is_null() {
        return Ok(None);
    }
    if attr.multi_valued {
        let items: Vec<&Value> = match value {
            Value::Array(a) => a.iter().collect(),
            // One object where a list belongs, as IdPs send in PATCH values; never a bare scalar
            // for a complex attribute (`"emails": "x"` is a type error).
            other if !mode.strict && (other.is_object() || attr.ty != AttrType::Complex) => vec![other],
            _ => return Err(ScimError::invalid_value(format!("'{path}' is multi-valued and must be an array"))),
        };
        if items.len() > MAX_VALUES {
            return Err(ScimError::bad_request(
                crate::error::ScimType::TooMany,
                format!("'{path}' has {} values; the limit is {MAX_VALUES}", items.len()),
            ));
        }
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            if let Some(v) = coerce_single(attr, item, mode, path)?
                && !out.contains(&v)
            {
                out.push(v);
            }
        }
        let primaries = out.iter().filter(|v| v.get("primary") == Some(&Value::Bool(true))).count();
        if primaries > 1 {
            return Err(ScimError::invalid_value(format!(
                "at most one value of '{path}' may have primary set to true"
            )));
        }
        return Ok(if out.is_empty() { None } else { Some(Value::Array(out)) });
    }
    coerce_single(attr, value, mode, path)
}

/// Checks and converts one (non-array) value.
pub fn coerce_single(attr: &Attribute, value: &Value, mode: Mode, path: &str) -> Result<Option<Value>> {
    let wrong = |what: &str| ScimError::invalid_value(format!("'{path}' must be {what}, got {value}"));
    let v = match (attr.ty, value) {
        (_, Value::Null) => return Ok(None),
        (AttrType::String | AttrType::Reference | AttrType::Binary, Value::String(s)) => {
            if s.is_empty() {
                return Ok(None);
            }
            if s.len() > MAX_STRING_BYTES {
                return Err(ScimError::invalid_value(format!(
                    "'{path}' is {} bytes long; the limit is {MAX_STRING_BYTES}",
                    s.len()
                )));
            }
            value.clone()
        }
        (AttrType::String | AttrType::Reference | AttrType::Binary, _) => return Err(wrong("a string")),
        (AttrType::Boolean, Value::Bool(_)) => value.clone(),
        (AttrType::Boolean, Value::String(s)) if !mode.strict => match s.to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "" => return Ok(None),
            _ => return Err(wrong("a boolean")),
        },
        (AttrType::Boolean, _) => return Err(wrong("a boolean")),
        (AttrType::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => value.clone(),
        (AttrType::Integer, _) => return Err(wrong("an integer")),
        (AttrType::Decimal, Value::Number(_)) => value.clone(),
        (AttrType::Decimal, _) => return Err(wrong("a decimal number")),
        (AttrType::DateTime, Value::String(s)) => {
            if s.is_empty() {
                return Ok(None);
            }
            if crate::clock::parse_datetime(s).is_none() {
                return Err(wrong("an xsd:dateTime such as 2026-01-02T03:04:05Z"));
            }
            value.clone()
        }
        (AttrType::DateTime, _) => return Err(wrong("a dateTime string")),
        (AttrType::Complex, Value::Object(fields)) => {
            let mut out = Map::new();
            for (k, v) in fields {
                match attr.sub(k) {
                    Some(sub) if sub.is_read_only() && !attr.is_read_only() => {}
                    Some(sub) => {
                        if let Some(v) = coerce(sub, v, mode, &format!("{path}.{}", sub.name))? {
                            out.insert(sub.name.clone(), v);
                        }
                    }
                    None => unknown(&format!("{path}.{k}"), mode)?,
                }
            }
            for sub in attr.subs().iter().filter(|s| s.required && !s.is_read_only()) {
                if !out.contains_key(&sub.name) && !out.is_empty() {
                    return Err(ScimError::invalid_value(format!("'{path}.{}' is required", sub.name)));
                }
            }
            if out.is_empty() {
                return Ok(None);
            }
            Value::Object(out)
        }
        // A bare id for a reference-like complex attribute (Entra's enterprise `manager`).
        (AttrType::Complex, Value::String(s)) if !mode.strict && !attr.multi_valued && attr.sub("value").is_some() => {
            if s.is_empty() {
                return Ok(None);
            }
            serde_json::json!({"value": s})
        }
        (AttrType::Complex, _) => return Err(wrong("an object")),
    };
    Ok(Some(v))
}

fn member_inputs(value: &Value) -> Result<Vec<MemberInput>> {
    let items: Vec<&Value> = match value {
        Value::Null => vec![],
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    if items.len() > MAX_VALUES {
        return Err(ScimError::bad_request(
            crate::error::ScimType::TooMany,
            format!("{} members in one request; the limit is {MAX_VALUES} (add the rest with PATCH)", items.len()),
        ));
    }
    let mut out: Vec<MemberInput> = Vec::with_capacity(items.len());
    for item in items {
        let m = member_input(item)?;
        if !out.iter().any(|o| o.value == m.value) {
            out.push(m);
        }
    }
    Ok(out)
}

/// One member value: `{"value": id, "display": ...}` or, leniently, a bare id string.
pub fn member_input(item: &Value) -> Result<MemberInput> {
    match item {
        Value::String(s) if !s.is_empty() => Ok(MemberInput { value: s.clone(), display: None }),
        Value::Object(o) => {
            let get = |name: &str| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v);
            let value = match get("value") {
                Some(Value::String(s)) if !s.is_empty() => s.clone(),
                _ => return Err(ScimError::invalid_value("each member needs a non-empty string 'value'")),
            };
            let display = get("display").or_else(|| get("displayName")).and_then(Value::as_str).map(str::to_owned);
            Ok(MemberInput { value, display })
        }
        _ => Err(ScimError::invalid_value(format!("a member must be an object with a 'value', got {item}"))),
    }
}

/// Every required, client-writable attribute must have a value (RFC 7643 §2.2 "required").
pub fn check_required(rt: &ResourceType, attrs: &Map<String, Value>) -> Result<()> {
    for attr in rt.core.attributes.iter().filter(|a| a.required && !a.is_read_only()) {
        if rt.is_group() && attr.name == "members" {
            continue;
        }
        if !attrs.contains_key(&attr.name) {
            return Err(ScimError::invalid_value(format!("attribute '{}' is required", attr.name)));
        }
    }
    for (ext, required) in &rt.extensions {
        let inner = attrs.get(&ext.id).and_then(Value::as_object);
        if *required && inner.is_none() {
            return Err(ScimError::invalid_value(format!("extension '{}' is required", ext.id)));
        }
        for attr in ext.attributes.iter().filter(|a| a.required && !a.is_read_only()) {
            if inner.is_some_and(|m| !m.contains_key(&attr.name)) {
                return Err(ScimError::invalid_value(format!("attribute '{}:{}' is required", ext.id, attr.name)));
            }
        }
    }
    Ok(())
}

/// The values that must be unique among resources of this type (uniqueness `server`/`global`).
pub fn unique_keys(rt: &ResourceType, attrs: &Map<String, Value>) -> Vec<UniqueKey> {
    rt.core
        .attributes
        .iter()
        .filter(|a| a.is_unique() && !a.is_read_only())
        .filter_map(|a| {
            let s = attrs.get(&a.name)?.as_str()?;
            let key = if a.is_case_exact() { s.to_owned() } else { super::fold(s) };
            Some(UniqueKey { attr: a.name.clone(), key })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Registry;
    use serde_json::json;

    fn user() -> ResourceType {
        Registry::embedded().resource_type("User").unwrap().clone()
    }

    #[test]
    fn canonical_names_coercion_and_read_only() {
        let body = json!({"SCHEMAS": ["urn:ietf:params:scim:schemas:core:2.0:User"], "USERNAME": "bjensen",
            "id": "x", "meta": {"created": "04-12-2018 00:00:00"}, "groups": [], "Active": "False",
            "emails": [{"Value": "b@example.com", "Primary": "True"}], "password": "pw", "adreses": 1,
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"Department": "R&D"}});
        let n = normalize(&user(), &body, Mode::default()).unwrap();
        assert_eq!(
            Value::Object(n.attrs),
            json!({"userName": "bjensen", "active": false,
                   "emails": [{"value": "b@example.com", "primary": true}],
                   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D"}})
        );
    }

    /// Found by the `router` fuzz target: a non-ASCII key made `split_urn` slice inside a character.
    #[test]
    fn regression_fuzz_router_non_ascii_key() {
        let body: Value =
            serde_json::from_slice(b"{\"\xe8\xae\x8c\xe8\xa6\xb1W\":\"x\",\"userName\":\"u@example.com\"}").unwrap();
        assert!(normalize(&user(), &body, Mode::default()).is_ok());
        assert_eq!(split_urn(&user(), "urn\u{e9}:x"), (None, "urn\u{e9}:x"));
    }

    #[test]
    fn strict_mode_rejects_unknown_attributes() {
        let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a", "adreses": 1});
        let e = normalize(&user(), &body, Mode { strict: true }).unwrap_err();
        assert_eq!(e.scim_type, Some(crate::error::ScimType::InvalidSyntax));
    }

    #[test]
    fn missing_required_and_bad_types() {
        let e = normalize(&user(), &json!({"displayName": "x"}), Mode::default()).unwrap_err();
        assert_eq!((e.status, e.detail.as_str()), (400, "attribute 'userName' is required"));
        let e = normalize(&user(), &json!({"userName": 5}), Mode::default()).unwrap_err();
        assert!(e.detail.contains("must be a string"), "{e}");
        let e = normalize(&user(), &json!({"userName": "a", "active": "maybe"}), Mode::default()).unwrap_err();
        assert!(e.detail.contains("boolean"), "{e}");
    }
}
