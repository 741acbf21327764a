//! `Then` steps: assertions on the last response. Each checks what its words say and nothing
//! more; cross-cutting rules (the `schemas` attribute, a string `status`, content types,
//! itemsPerPage) are scenarios of their own, so one defect fails the scenario about it.
//! Failures say what was expected and what came, in words, followed by the exchange.

use crate::suite::validate;
use crate::suite::world::{ScimWorld, json_path};
use cucumber::{given, then};
use serde_json::Value;

#[given(expr = "the response status is {int}")]
#[then(expr = "the response status is {int}")]
async fn status_is(w: &mut ScimWorld, code: u16) {
    let ex = w.last();
    assert_eq!(ex.status, code, "expected status {code}, got {}\n{ex}", ex.status);
}

#[given(regex = r"^the response status is one of ([0-9, ]+)$")]
#[then(regex = r"^the response status is one of ([0-9, ]+)$")]
async fn status_one_of(w: &mut ScimWorld, codes: String) {
    let ex = w.last();
    let codes: Vec<u16> = codes.split(',').filter_map(|c| c.trim().parse().ok()).collect();
    assert!(codes.contains(&ex.status), "expected status {}, got {}\n{ex}", words(&codes), ex.status);
}

#[then(expr = "the request is refused with a 4xx status")]
async fn refused(w: &mut ScimWorld) {
    let ex = w.last();
    assert!(
        (400..500).contains(&ex.status),
        "expected the request to be refused (4xx), got status {}\n{ex}",
        ex.status
    );
}

/// Whether a failed request changed nothing (atomicity) can only be seen when the request
/// meant to fail did fail. Any refusal lets the scenario go on, whatever its status (a 501 or
/// a 500 instead of Table 9's 400 is not an atomicity failure); an accepted request leaves
/// the scenario inconclusive.
#[then(expr = "the request was not accepted")]
async fn not_accepted(w: &mut ScimWorld) {
    let ex = w.last();
    if (200..300).contains(&ex.status) {
        crate::suite::world::inconclusive(format!(
            "the server accepted ({}) the request meant to fail, so whether a failed request changes nothing cannot be seen",
            ex.status
        ));
    }
}

fn words(codes: &[u16]) -> String {
    match codes {
        [one] => one.to_string(),
        [rest @ .., last] => {
            format!("{} or {last}", rest.iter().map(u16::to_string).collect::<Vec<_>>().join(", "))
        }
        [] => "nothing".into(),
    }
}

/// The HTTP status and, when named, the `scimType` of an error. The body's own `schemas` and
/// `status` are checked by the scenarios about them.
#[then(regex = r#"^the response is a SCIM error with status "(\d{3})"(?: and scimType "([A-Za-z]+)")?$"#)]
async fn scim_error(w: &mut ScimWorld, status: String, scim_type: String) {
    let ex = w.last().clone();
    assert_eq!(ex.status.to_string(), status, "expected status {status}, got {}\n{ex}", ex.status);
    if !scim_type.is_empty() {
        let Some(body) = &ex.json else {
            panic!("expected a SCIM error body with scimType \"{scim_type}\", got a body that is not JSON\n{ex}");
        };
        let got = body.get("scimType").map(|v| v.to_string()).unwrap_or_else(|| "no scimType".into());
        assert_eq!(
            body["scimType"],
            Value::from(scim_type.clone()),
            "expected scimType \"{scim_type}\", got {got}\n{ex}"
        );
    }
}

/// RFC 7644 §3.12 makes `scimType` OPTIONAL: where only Table 9 names the keyword, an error
/// without one passes and only a different keyword fails.
#[then(
    regex = r#"^the response is a SCIM error with status "(\d{3})" and, if it names one, scimType "([A-Za-z]+)"(?: or "([A-Za-z]+)")?$"#
)]
async fn scim_error_optional_type(w: &mut ScimWorld, status: String, a: String, b: String) {
    let ex = w.last().clone();
    assert_eq!(ex.status.to_string(), status, "expected status {status}, got {}\n{ex}", ex.status);
    let got = ex.json.as_ref().and_then(|j| j.get("scimType")).cloned().unwrap_or(Value::Null);
    let ok = got.is_null() || got == a.as_str() || (!b.is_empty() && got == b.as_str());
    let want = if b.is_empty() { format!("\"{a}\"") } else { format!("\"{a}\" or \"{b}\"") };
    assert!(ok, "expected scimType {want} or none, got {got}\n{ex}");
}

/// RFC 7644 §3.12: the error body is JSON, names the Error schema and carries the status as a string.
#[then(expr = "the body is a SCIM Error message")]
async fn error_message(w: &mut ScimWorld) {
    let ex = w.last().clone();
    let body = w.body();
    assert_eq!(
        validate::schema_for(body),
        Some("Error"),
        "expected \"schemas\" to hold urn:ietf:params:scim:api:messages:2.0:Error, got {}\n{ex}",
        body.get("schemas").map(Value::to_string).unwrap_or_else(|| "no schemas".into())
    );
}

#[then(expr = "if the response is an error, the body is a SCIM Error message")]
async fn error_message_if_error(w: &mut ScimWorld) {
    if w.last().status >= 400 {
        error_message(w).await;
    }
}

#[then(expr = "the body's status is the string {string}")]
async fn error_status_string(w: &mut ScimWorld, status: String) {
    let ex = w.last().clone();
    let got = w.body().get("status").cloned().unwrap_or(Value::Null);
    assert_eq!(got, Value::from(status.clone()), "expected \"status\": \"{status}\" (a JSON string), got {got}\n{ex}");
}

#[then(expr = "the body's detail is not empty")]
async fn error_detail(w: &mut ScimWorld) {
    let ex = w.last().clone();
    let detail = w.body()["detail"].as_str().unwrap_or("");
    assert!(!detail.trim().is_empty(), "expected a non-empty \"detail\", got none\n{ex}");
}

#[then(expr = "the response matches the {string} schema")]
async fn matches_schema(w: &mut ScimWorld, name: String) {
    let body = w.body().clone();
    if let Err(errors) = validate::against(&name, &body) {
        panic!(
            "expected a body that follows the {name} JSON Schema; it breaks it at:\n  {}\n{}",
            errors.join("\n  "),
            w.last()
        );
    }
}

#[given(regex = r#"^the JSON at "([^"]*)" is ((?:"|\{|\[|-?[0-9]|true|false|null|\$\{).*)$"#)]
#[then(regex = r#"^the JSON at "([^"]*)" is ((?:"|\{|\[|-?[0-9]|true|false|null|\$\{).*)$"#)]
async fn json_is(w: &mut ScimWorld, path: String, expected: String) {
    let expected: Value = serde_json::from_str(&w.expand_json(&expected))
        .unwrap_or_else(|e| panic!("the expected value {expected} is not JSON: {e}"));
    let actual = json_path(w.body(), &w.expand(&path));
    assert_eq!(actual, Some(&expected), "expected {expected} at '{path}', got {}\n{}", shown(actual), w.last());
}

#[then(regex = r#"^the JSON at "([^"]*)" is not ("(?:[^"\\]|\\.)*")$"#)]
async fn json_is_not(w: &mut ScimWorld, path: String, other: String) {
    let other: Value = serde_json::from_str(&w.expand_json(&other)).expect("a JSON string");
    let actual = json_path(w.body(), &w.expand(&path));
    assert!(
        actual.is_some_and(|a| a != &other),
        "expected a value other than {other} at '{path}', got {}\n{}",
        shown(actual),
        w.last()
    );
}

fn shown(v: Option<&Value>) -> String {
    v.map(Value::to_string).unwrap_or_else(|| "nothing".into())
}

/// RFC 7643 §2.5: unassigned, null and an empty array are the same state.
pub fn unassigned(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    }
}

#[then(regex = r#"^the JSON at "([^"]*)" (exists|does not exist|is not empty|is a number|is a string|is an array)$"#)]
async fn json_shape(w: &mut ScimWorld, path: String, what: String) {
    let v = json_path(w.body(), &w.expand(&path));
    let ok = match what.as_str() {
        "exists" => !unassigned(v),
        "does not exist" => unassigned(v),
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
    assert!(ok, "expected the JSON at '{path}' {what}, got {}\n{}", shown(v), w.last());
}

#[given(regex = r#"^the JSON at "([^"]*)" has (\d+|\$\{\w+\}) items?$"#)]
#[then(regex = r#"^the JSON at "([^"]*)" has (\d+|\$\{\w+\}) items?$"#)]
async fn json_len(w: &mut ScimWorld, path: String, n: String) {
    let n: usize = w.expand(&n).parse().unwrap_or_else(|_| panic!("'{n}' is not a count"));
    let v = json_path(w.body(), &w.expand(&path));
    let len = v.and_then(Value::as_array).map(Vec::len).unwrap_or(0);
    assert_eq!(len, n, "expected {n} item(s) at '{path}', got {len}\n{}", w.last());
}

#[given(regex = r#"^the JSON at "([^"]*)" (contains|does not contain) (.+)$"#)]
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
    assert_eq!(found, how == "contains", "expected '{path}' {how} {expected}; it is {}\n{}", shown(v), w.last());
}

/// `item` contains `expected`: equal, or (objects) every expected key present with a contained value.
fn contains(item: &Value, expected: &Value) -> bool {
    match (item, expected) {
        (Value::Object(i), Value::Object(e)) => e.iter().all(|(k, ev)| i.get(k).is_some_and(|iv| contains(iv, ev))),
        _ => item == expected,
    }
}

#[then(regex = r#"^the JSON at "([^"]*)" equals the JSON at "([^"]*)"$"#)]
async fn json_equals_json(w: &mut ScimWorld, a: String, b: String) {
    let body = w.body();
    let (va, vb) = (json_path(body, &a), json_path(body, &b));
    assert!(
        va.is_some() && va == vb,
        "expected '{a}' to equal '{b}', got {} and {}\n{}",
        shown(va),
        shown(vb),
        w.last()
    );
}

#[then(regex = r#"^the JSON at "([^"]*)" has no item whose "([^"]*)" starts with "([^"]*)"$"#)]
async fn no_item_starting(w: &mut ScimWorld, path: String, key: String, prefix: String) {
    let items = json_path(w.body(), &path).and_then(Value::as_array).cloned().unwrap_or_default();
    let bad: Vec<&str> = items.iter().filter_map(|i| i[&key].as_str()).filter(|v| v.starts_with(&prefix)).collect();
    assert!(bad.is_empty(), "expected no '{key}' starting with \"{prefix}\" in '{path}', got {bad:?}\n{}", w.last());
}

#[then(regex = r#"^the JSON at "([^"]*)" lists each value once$"#)]
async fn no_duplicates(w: &mut ScimWorld, path: String) {
    let items = json_path(w.body(), &path).and_then(Value::as_array).cloned().unwrap_or_default();
    let lower: Vec<String> = items.iter().map(|v| v.to_string().to_lowercase()).collect();
    let dup = lower.iter().enumerate().find(|(i, v)| lower[..*i].contains(v)).map(|(_, v)| v.clone());
    assert!(dup.is_none(), "expected each value once in '{path}', got {} twice\n{}", dup.unwrap_or_default(), w.last());
}

#[then(regex = r#"^the header "([^"]*)" (is|is not|starts with|equals the JSON at) "([^"]*)"$"#)]
async fn header_is(w: &mut ScimWorld, name: String, how: String, expected: String) {
    let actual =
        w.header(&name).unwrap_or_else(|| panic!("expected a '{name}' header, got none\n{}", w.last())).to_owned();
    let expected = match how.as_str() {
        "equals the JSON at" => json_path(w.body(), &expected)
            .and_then(Value::as_str)
            .unwrap_or_else(|| {
                panic!("expected a string at '{expected}' to compare with '{name}', got none\n{}", w.last())
            })
            .to_owned(),
        _ => w.expand(&expected),
    };
    let ok = match how.as_str() {
        "starts with" => actual.starts_with(&expected),
        "is not" => actual != expected,
        // Both may be relative references (RFC 7643 §2.3.7): compare what they resolve to.
        "equals the JSON at" => {
            let url = &w.last().url;
            crate::suite::world::resolve(url, &actual) == crate::suite::world::resolve(url, &expected)
        }
        _ => actual == expected,
    };
    assert!(
        ok,
        "expected header '{name}' to {} '{expected}', got '{actual}'\n{}",
        how.replacen("is", "be", 1),
        w.last()
    );
}

#[then(regex = r#"^if the header "([^"]*)" is present, it equals the JSON at "([^"]*)"$"#)]
async fn header_if_present(w: &mut ScimWorld, name: String, path: String) {
    if let Some(h) = w.header(&name).map(str::to_owned) {
        let v = json_path(w.body(), &path).and_then(Value::as_str).unwrap_or("");
        assert_eq!(h, v, "expected header '{name}' to equal '{path}' ({v}), got '{h}'\n{}", w.last());
    }
}

#[then(regex = r#"^a 401 response carries a "([^"]*)" header$"#)]
async fn challenge_on_401(w: &mut ScimWorld, name: String) {
    let ex = w.last();
    if ex.status == 401 {
        assert!(
            w.header(&name).is_some_and(|v| !v.trim().is_empty()),
            "expected a 401 to carry '{name}', got none\n{ex}"
        );
    }
}

#[then(expr = "the response has no body")]
async fn no_body(w: &mut ScimWorld) {
    let ex = w.last();
    assert!(ex.response_body.trim().is_empty(), "expected no body, got {} bytes\n{ex}", ex.response_body.len());
}

/// The page's resources and the total; `itemsPerPage` and `startIndex` have scenarios of their own.
#[then(expr = "the response is a list of {int} resources out of {int}")]
async fn list_of(w: &mut ScimWorld, n: usize, total: usize) {
    let body = w.body();
    let len = body.get("Resources").and_then(Value::as_array).map(Vec::len).unwrap_or(0);
    let got_total = body.get("totalResults").map(Value::to_string).unwrap_or_else(|| "none".into());
    assert!(
        len == n && body["totalResults"].as_u64() == Some(total as u64),
        "expected {n} resource(s) out of totalResults {total}, got {len} out of {got_total}\n{}",
        w.last()
    );
}

/// RFC 7644 §3.5.2: a successful PATCH is 200 with a resource, or 204 with no body.
#[then(expr = "the PATCH succeeded")]
async fn patch_succeeded(w: &mut ScimWorld) {
    let ex = w.last().clone();
    match ex.status {
        200 => assert!(
            ex.json.as_ref().is_some_and(|b| b.get("id").is_some()),
            "expected a 200 PATCH response to carry the resource, got a body without an id\n{ex}"
        ),
        204 => assert!(ex.response_body.trim().is_empty(), "expected a 204 PATCH response without a body\n{ex}"),
        s => panic!("expected the PATCH to succeed with 200 or 204, got status {s}\n{ex}"),
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
    assert!(unassigned(v), "expected '{path}' to be left out of the response, got {}\n{ex}", shown(v));
}

/// `User.groups` is optional for a service provider (RFC 7643 §4.1.2); when shown, it must be right.
#[then(regex = r#"^if the user shows groups, they include "([^"]*)"$"#)]
async fn groups_if_shown(w: &mut ScimWorld, id: String) {
    let id = w.expand(&id);
    let body = w.body().clone();
    if let Some(groups) = body.get("groups").and_then(Value::as_array) {
        assert!(
            groups.iter().any(|g| g["value"] == id.as_str()),
            "expected 'groups' to include {id}, got {}\n{}",
            body["groups"],
            w.last()
        );
    }
}

#[then(regex = r#"^the JSON at "([^"]*)" is one of (.+)$"#)]
async fn json_one_of(w: &mut ScimWorld, path: String, options: String) {
    let v = json_path(w.body(), &w.expand(&path)).cloned();
    let options: Vec<Value> =
        options.split(", ").map(|o| serde_json::from_str(o.trim()).expect("JSON options")).collect();
    assert!(
        v.as_ref().is_some_and(|v| options.contains(v)),
        "expected '{path}' to be one of {}, got {}\n{}",
        options.iter().map(Value::to_string).collect::<Vec<_>>().join(", "),
        shown(v.as_ref()),
        w.last()
    );
}
