//! `Then` steps: assertions on the last response. Every step that reads the body first checks
//! it against its JSON Schema (see [`ScimWorld::body`]).

use crate::suite::validate;
use crate::suite::world::{ScimWorld, json_path};
use cucumber::then;
use serde_json::Value;

#[then(expr = "the response status is {int}")]
async fn status_is(w: &mut ScimWorld, code: u16) {
    let ex = w.last();
    assert_eq!(ex.status, code, "unexpected status\n{ex}");
}

#[then(regex = r"^the response status is one of ([0-9, ]+)$")]
async fn status_one_of(w: &mut ScimWorld, codes: String) {
    let ex = w.last();
    let codes: Vec<u16> = codes.split(',').filter_map(|c| c.trim().parse().ok()).collect();
    assert!(codes.contains(&ex.status), "status {} is not one of {codes:?}\n{ex}", ex.status);
}

#[then(regex = r#"^the response is a SCIM error with status "(\d{3})"(?: and scimType "([A-Za-z]+)")?$"#)]
async fn scim_error(w: &mut ScimWorld, status: String, scim_type: String) {
    let ex = w.last().clone();
    assert_eq!(ex.status.to_string(), status, "unexpected status\n{ex}");
    let body = w.body();
    assert_eq!(validate::schema_for(body), Some("Error"), "not a SCIM Error body\n{ex}");
    assert_eq!(body["status"], Value::from(status.clone()), "'status' must be the string \"{status}\"\n{ex}");
    let detail = body["detail"].as_str().unwrap_or("");
    assert!(!detail.trim().is_empty(), "the error has no useful 'detail'\n{ex}");
    if !scim_type.is_empty() {
        assert_eq!(body["scimType"], Value::from(scim_type), "unexpected scimType\n{ex}");
    }
    let ct = w.header("content-type").unwrap_or("");
    assert!(ct.starts_with("application/scim+json"), "errors must be application/scim+json, got '{ct}'\n{ex}");
}

#[then(expr = "the response matches the {string} schema")]
async fn matches_schema(w: &mut ScimWorld, name: String) {
    let body = w.body().clone();
    if let Err(errors) = validate::against(&name, &body) {
        panic!("the body does not match the {name} schema:\n  {}\n{}", errors.join("\n  "), w.last());
    }
}

#[then(regex = r#"^the JSON at "([^"]*)" is ((?:"|\{|\[|-?[0-9]|true|false|null).*)$"#)]
async fn json_is(w: &mut ScimWorld, path: String, expected: String) {
    let expected: Value = serde_json::from_str(&w.expand_json(&expected))
        .unwrap_or_else(|e| panic!("the expected value {expected} is not JSON: {e}"));
    let actual = json_path(w.body(), &w.expand(&path));
    assert_eq!(actual, Some(&expected), "unexpected value at '{path}'\n{}", w.last());
}

#[then(regex = r#"^the JSON at "([^"]*)" (exists|does not exist|is not empty|is a number|is a string|is an array)$"#)]
async fn json_shape(w: &mut ScimWorld, path: String, what: String) {
    let v = json_path(w.body(), &w.expand(&path));
    let ok = match what.as_str() {
        "exists" => v.is_some(),
        "does not exist" => v.is_none() || v == Some(&Value::Null),
        "is not empty" => v.is_some_and(|v| match v {
            Value::Null => false,
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
            _ => true,
        }),
        "is a number" => v.is_some_and(Value::is_number),
        "is a string" => v.is_some_and(Value::is_string),
        "is an array" => v.is_some_and(Value::is_array),
        _ => unreachable!("the regex allows only the listed checks"),
    };
    assert!(ok, "the JSON at '{path}' {what}: expected, but found {v:?}\n{}", w.last());
}

#[then(regex = r#"^the JSON at "([^"]*)" has (\d+) items?$"#)]
async fn json_len(w: &mut ScimWorld, path: String, n: usize) {
    let v = json_path(w.body(), &w.expand(&path));
    let len = v.and_then(Value::as_array).map(Vec::len).unwrap_or(0);
    assert_eq!(len, n, "unexpected number of items at '{path}'\n{}", w.last());
}

#[then(regex = r#"^the JSON at "([^"]*)" (contains|does not contain) (.+)$"#)]
async fn json_contains(w: &mut ScimWorld, path: String, how: String, expected: String) {
    let expected: Value = serde_json::from_str(&w.expand_json(&expected))
        .unwrap_or_else(|e| panic!("the expected value {expected} is not JSON: {e}"));
    let v = json_path(w.body(), &w.expand(&path));
    let found = match v {
        Some(Value::Array(items)) => items.iter().any(|i| contains(i, &expected)),
        Some(Value::String(s)) => expected.as_str().is_some_and(|e| s.contains(e)),
        _ => false,
    };
    assert_eq!(found, how == "contains", "'{path}' {how} {expected}: not so\n{}", w.last());
}

/// `item` contains `expected`: equal, or (objects) every expected key present with a contained value.
fn contains(item: &Value, expected: &Value) -> bool {
    match (item, expected) {
        (Value::Object(i), Value::Object(e)) => e.iter().all(|(k, ev)| i.get(k).is_some_and(|iv| contains(iv, ev))),
        _ => item == expected,
    }
}

#[then(regex = r#"^the header "([^"]*)" (is|starts with|equals the JSON at) "([^"]*)"$"#)]
async fn header_is(w: &mut ScimWorld, name: String, how: String, expected: String) {
    let actual = w.header(&name).unwrap_or_else(|| panic!("no '{name}' header\n{}", w.last())).to_owned();
    let expected = match how.as_str() {
        "equals the JSON at" => json_path(w.body(), &expected)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no string at '{expected}'\n{}", w.last()))
            .to_owned(),
        _ => w.expand(&expected),
    };
    let ok = match how.as_str() {
        "starts with" => actual.starts_with(&expected),
        _ => actual == expected,
    };
    assert!(ok, "header '{name}' is '{actual}', expected it {how} '{expected}'\n{}", w.last());
}

#[then(expr = "the response has no body")]
async fn no_body(w: &mut ScimWorld) {
    let ex = w.last();
    assert!(ex.response_body.trim().is_empty(), "expected no body\n{ex}");
}

#[then(expr = "the response is a list of {int} resources out of {int}")]
async fn list_of(w: &mut ScimWorld, n: usize, total: usize) {
    let body = w.body();
    assert_eq!(validate::schema_for(body), Some("ListResponse"), "not a ListResponse\n{}", w.last());
    let len = body["Resources"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!((len, body["totalResults"].as_u64()), (n, Some(total as u64)), "unexpected page\n{}", w.last());
    assert_eq!(body["itemsPerPage"].as_u64(), Some(n as u64), "itemsPerPage must equal the page size\n{}", w.last());
}

/// RFC 7644 §3.5.2: a successful PATCH is 200 with the whole resource, or 204 with no body.
#[then(expr = "the PATCH succeeded")]
async fn patch_succeeded(w: &mut ScimWorld) {
    let ex = w.last().clone();
    match ex.status {
        200 => {
            let body = w.body();
            assert!(body.get("id").is_some(), "a 200 PATCH response must carry the resource\n{ex}");
        }
        204 => assert!(ex.response_body.trim().is_empty(), "a 204 PATCH response has no body\n{ex}"),
        _ => panic!("PATCH failed: expected 200 or 204\n{ex}"),
    }
}

/// For checks on an optional response body (a PATCH may answer 204).
#[then(regex = r#"^if a resource was returned, the JSON at "([^"]*)" does not exist$"#)]
async fn if_returned_absent(w: &mut ScimWorld, path: String) {
    let ex = w.last().clone();
    if ex.status == 204 {
        return;
    }
    let v = json_path(w.body(), &w.expand(&path));
    assert!(v.is_none() || v == Some(&Value::Null), "'{path}' should not be in the response\n{ex}");
}

/// `User.groups` is optional for a service provider (RFC 7643 §4.1.2); when shown, it must be right.
#[then(regex = r#"^if the user shows groups, they include "([^"]*)"$"#)]
async fn groups_if_shown(w: &mut ScimWorld, id: String) {
    let id = w.expand(&id);
    let body = w.body().clone();
    if let Some(groups) = body.get("groups").and_then(Value::as_array) {
        assert!(groups.iter().any(|g| g["value"] == id.as_str()), "'groups' lacks {id}\n{}", w.last());
    }
}

#[then(regex = r#"^the JSON at "([^"]*)" is one of (.+)$"#)]
async fn json_one_of(w: &mut ScimWorld, path: String, options: String) {
    let v = json_path(w.body(), &w.expand(&path)).cloned();
    let options: Vec<Value> =
        options.split(", ").map(|o| serde_json::from_str(o.trim()).expect("JSON options")).collect();
    assert!(v.as_ref().is_some_and(|v| options.contains(v)), "'{path}' is {v:?}, not one of {options:?}\n{}", w.last());
}
