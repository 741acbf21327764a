//! `Then` steps that compare more than one value: a response with one remembered earlier, a
//! resource with the server's own declared schema, a bulk operation's result.

use crate::suite::discovery::find_ci;
use crate::suite::world::{AuthMode, ScimWorld};
use cucumber::{then, when};
use serde_json::Value;

/// Remembered whole responses are kept under this prefix in the scenario's variables.
const SAVED: &str = "\u{0}response:";

#[when(expr = "I remember the response as {string}")]
#[then(expr = "I remember the response as {string}")]
async fn remember_response(w: &mut ScimWorld, name: String) {
    let text = match w.last().status {
        204 => String::new(),
        _ => w.body().to_string(),
    };
    w.vars.insert(format!("{SAVED}{name}"), text);
}

/// RFC 7644 §3.5.2: a 200 PATCH response carries the entire resource, so it equals what a GET
/// returns right after (a 204 response, remembered as empty, passes).
#[then(expr = "the response equals the remembered {string}, if that was a resource")]
async fn equals_remembered(w: &mut ScimWorld, name: String) {
    let saved =
        w.vars.get(&format!("{SAVED}{name}")).cloned().unwrap_or_else(|| panic!("no response remembered as '{name}'"));
    if saved.is_empty() {
        return;
    }
    let saved: Value = serde_json::from_str(&saved).expect("remembered JSON");
    let now = w.body().clone();
    let missing: Vec<&String> = now
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| saved.get(k.as_str()).is_none())
        .map(|(k, _)| k)
        .collect();
    let differ: Vec<&String> = now
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| saved.get(k.as_str()).is_some_and(|s| s != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        missing.is_empty() && differ.is_empty(),
        "expected the remembered '{name}' response to carry the whole resource as read back; it lacks {missing:?} and differs in {differ:?}\nremembered: {saved}\n{}",
        w.last()
    );
}

/// Every attribute of the returned resource follows the server's own /Schemas: declared, of the
/// declared type and plurality; required ones present; returned=never ones absent.
#[then(expr = "the resource follows the server's declared schemas")]
async fn follows_declared(w: &mut ScimWorld) {
    let body = w.body().clone();
    let d = w.target.discovery.clone();
    let mut errors = Vec::new();
    let urns: Vec<String> =
        body["schemas"].as_array().into_iter().flatten().filter_map(|u| u.as_str().map(str::to_owned)).collect();
    let Some(core) =
        urns.iter().find(|u| d.schema(u).is_some_and(|_| !body.get(u.as_str()).is_some_and(Value::is_object)))
    else {
        panic!("expected the resource's \"schemas\" to name a schema declared in /Schemas, got {urns:?}\n{}", w.last());
    };
    let common = ["schemas", "id", "externalId", "meta"];
    let obj = body.as_object().cloned().unwrap_or_default();
    for (key, value) in &obj {
        // RFC 7643 §2.5: null is an unassigned value, which no schema needs to declare.
        if value.is_null() || common.iter().any(|c| c.eq_ignore_ascii_case(key)) {
            continue;
        }
        if let Some(ext) = d.schema(key) {
            check_object(value, ext, key, &mut errors);
            continue;
        }
        match declared(d.schema(core).expect("found above"), key) {
            Some(def) => check_value(value, def, key, &mut errors),
            None => errors.push(format!("'{key}' is not declared by {core} or an extension in /Schemas")),
        }
    }
    check_required(&body, d.schema(core).expect("found above"), "", &mut errors);
    assert!(
        errors.is_empty(),
        "expected the resource to follow the server's declared schemas; it does not:\n  {}\n{}",
        errors.join("\n  "),
        w.last()
    );
}

/// RFC 7643 §6: an extension a resource type marks required is in every resource's `schemas`.
#[then(expr = "the resource names every schema extension its resource type requires")]
async fn required_extensions(w: &mut ScimWorld) {
    let body = w.body().clone();
    let kind = body["meta"]["resourceType"].as_str().unwrap_or("User").to_owned();
    let required: Vec<String> = w
        .target
        .discovery
        .resource_types
        .iter()
        .flatten()
        .filter(|rt| rt["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(&kind)))
        .flat_map(|rt| rt["schemaExtensions"].as_array().cloned().unwrap_or_default())
        .filter(|e| e["required"] == Value::Bool(true))
        .filter_map(|e| e["schema"].as_str().map(str::to_owned))
        .collect();
    let schemas: Vec<&str> = body["schemas"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let missing: Vec<&String> =
        required.iter().filter(|r| !schemas.iter().any(|s| s.eq_ignore_ascii_case(r))).collect();
    assert!(
        missing.is_empty(),
        "expected \"schemas\" to name the required extensions {missing:?}, got {schemas:?}\n{}",
        w.last()
    );
}

fn declared<'v>(schema: &'v Value, name: &str) -> Option<&'v Value> {
    schema["attributes"].as_array()?.iter().find(|a| a["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
}

fn check_object(value: &Value, schema: &Value, at: &str, errors: &mut Vec<String>) {
    let Some(obj) = value.as_object() else {
        errors.push(format!("'{at}' should be an object (a schema extension)"));
        return;
    };
    for (k, v) in obj.iter().filter(|(_, v)| !v.is_null()) {
        match declared(schema, k) {
            Some(def) => check_value(v, def, &format!("{at}:{k}"), errors),
            None => errors.push(format!("'{at}:{k}' is not declared by its schema")),
        }
    }
}

fn check_value(value: &Value, def: &Value, at: &str, errors: &mut Vec<String>) {
    if value.is_null() {
        return;
    }
    if def["returned"].as_str().is_some_and(|r| r.eq_ignore_ascii_case("never")) {
        errors.push(format!("'{at}' is declared returned=never but was returned"));
    }
    let multi = def["multiValued"] == Value::Bool(true);
    let items: Vec<&Value> = match (multi, value) {
        (true, Value::Array(a)) => a.iter().collect(),
        (true, _) => {
            errors.push(format!("'{at}' is declared multi-valued but is not an array"));
            return;
        }
        (false, Value::Array(_)) => {
            errors.push(format!("'{at}' is declared single-valued but is an array"));
            return;
        }
        (false, v) => vec![v],
    };
    let ty = def["type"].as_str().unwrap_or("string").to_ascii_lowercase();
    for v in items {
        let ok = match ty.as_str() {
            "boolean" => v.is_boolean(),
            "integer" => v.is_i64() || v.is_u64(),
            "decimal" => v.is_number(),
            "complex" => v.is_object(),
            _ => v.is_string(),
        };
        if !ok {
            errors.push(format!("'{at}' is declared {ty} but holds {v}"));
        } else if ty == "complex" {
            for (k, sv) in v.as_object().into_iter().flatten() {
                let subs = serde_json::json!({"attributes": def["subAttributes"].clone()});
                match declared(&subs, k) {
                    Some(sdef) => check_value(sv, sdef, &format!("{at}.{k}"), errors),
                    None => errors.push(format!("'{at}.{k}' is not a declared sub-attribute")),
                }
            }
        }
    }
}

fn check_required(body: &Value, schema: &Value, at: &str, errors: &mut Vec<String>) {
    for def in schema["attributes"].as_array().into_iter().flatten() {
        let name = def["name"].as_str().unwrap_or("");
        let returned = def["returned"].as_str().unwrap_or("default").to_ascii_lowercase();
        let shown_by_default = returned == "always" || returned == "default";
        let present = find_ci(body, &format!("/{name}")).is_some_and(|v| !v.is_null());
        if def["required"] == Value::Bool(true) && shown_by_default && !present && !name.eq_ignore_ascii_case("id") {
            errors.push(format!("'{at}{name}' is declared required but is missing"));
        }
    }
}

#[then(regex = r#"^the JSON at "([^"]*)" is a dateTime$"#)]
async fn is_datetime(w: &mut ScimWorld, path: String) {
    let v = crate::suite::world::json_path(w.body(), &path).cloned();
    let ok = v
        .as_ref()
        .and_then(Value::as_str)
        .is_some_and(|s| time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok());
    assert!(
        ok,
        "expected an xsd:dateTime with date, time and offset at '{path}', got {}\n{}",
        v.map(|v| v.to_string()).unwrap_or("nothing".into()),
        w.last()
    );
}

#[then(regex = r#"^at most one value of "([^"]*)" is primary$"#)]
async fn one_primary(w: &mut ScimWorld, path: String) {
    let n = crate::suite::world::json_path(w.body(), &path)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter(|v| v["primary"] == Value::Bool(true)).count())
        .unwrap_or(0);
    assert!(n <= 1, "expected at most one primary value in '{path}', got {n}\n{}", w.last());
}

/// A dateTime moved by `minutes` and written in another offset, so that its text sorts on the
/// other side of the original from its instant (a server comparing text gets it wrong).
#[then(
    regex = r#"^I remember the JSON at "([^"]*)" (\d+) minutes (earlier|later) in offset "([+-]\d\d:\d\d)" as "(\w+)"$"#
)]
async fn shifted_datetime(w: &mut ScimWorld, path: String, minutes: i64, way: String, offset: String, name: String) {
    use time::format_description::well_known::Rfc3339;
    let text = crate::suite::world::json_path(w.body(), &path).and_then(Value::as_str).unwrap_or_default().to_owned();
    let t = time::OffsetDateTime::parse(&text, &Rfc3339)
        .unwrap_or_else(|e| panic!("expected a dateTime at '{path}', got \"{text}\" ({e})\n{}", w.last()));
    let delta = time::Duration::minutes(if way == "earlier" { -minutes } else { minutes });
    let (h, m) = offset[1..].split_once(':').expect("the regex checks the offset");
    let secs = (h.parse::<i32>().expect("hours") * 3600 + m.parse::<i32>().expect("minutes") * 60)
        * if offset.starts_with('-') { -1 } else { 1 };
    let off = time::UtcOffset::from_whole_seconds(secs).expect("a valid offset");
    let shifted = (t + delta).to_offset(off).format(&Rfc3339).expect("formats");
    w.vars.insert(name, shifted);
}

/// RFC 7644 §3.4.2.2: a filter on a defaulted attribute uses the value the client was shown.
#[then(regex = r#"^a filter on "(\w+)" agrees with what the remembered "(\w+)" showed$"#)]
async fn defaulted_filter(w: &mut ScimWorld, attr: String, name: String) {
    let saved =
        w.vars.get(&format!("{SAVED}{name}")).cloned().unwrap_or_else(|| panic!("no response remembered as '{name}'"));
    let saved: Value = serde_json::from_str(&saved).expect("remembered JSON");
    let user = saved["userName"].as_str().expect("a userName in the remembered response").to_owned();
    let (filter, want) = match saved.get(&attr) {
        Some(v) if !v.is_null() => (format!("userName eq \"{user}\" and {attr} eq {v}"), 1),
        _ => (format!("userName eq \"{user}\" and {attr} pr"), 0),
    };
    w.send("GET", &format!("/Users?filter={filter}"), None, &[], AuthMode::Default).await;
    let got = w.body()["totalResults"].as_u64();
    assert_eq!(
        got,
        Some(want),
        "expected `{filter}` to match {want} user(s), as the create response showed {attr} = {}; got {got:?}\n{}",
        saved.get(&attr).map(Value::to_string).unwrap_or("nothing".into()),
        w.last()
    );
}

/// The ids of a list in one of the given orders of remembered aliases.
#[then(regex = r#"^the ids at "([^"]*)" are in one of the orders "([^"]+)" or "([^"]+)"$"#)]
async fn ids_in_order(w: &mut ScimWorld, path: String, a: String, b: String) {
    let got: Vec<String> = crate::suite::world::json_path(w.body(), &path)
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(|r| r["id"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let order = |aliases: &str| -> Vec<String> {
        aliases.split(',').map(|x| w.expand(&format!("${{{}}}", x.trim()))).collect()
    };
    let (oa, ob) = (order(&a), order(&b));
    assert!(got == oa || got == ob, "expected the order {a} ({oa:?}) or {b} ({ob:?}), got {got:?}\n{}", w.last());
}

/// RFC 7644 §3.7.4: a 413 names the limit it enforces, by its name or its advertised value.
#[then(expr = "the error names the limit {string}")]
async fn names_limit(w: &mut ScimWorld, name: String) {
    let detail = w.last().response_body.clone();
    let value = w.vars.get(&name).cloned().unwrap_or_default();
    assert!(
        detail.contains(&name) || (!value.is_empty() && detail.contains(&value)),
        "expected the 413 to name the limit {name} (or its value {value}), got {detail}\n{}",
        w.last()
    );
}

/// A check that applies only when an operation changed nothing: a duplicate added is a change
/// (and the defect of another scenario), after which a new timestamp is right.
#[then(regex = r#"^if the JSON at "([^"]*)" still has (\d+) items?, the JSON at "([^"]*)" is "([^"]*)"$"#)]
async fn if_unchanged(w: &mut ScimWorld, list: String, n: usize, path: String, expected: String) {
    let body = w.body().clone();
    let len = crate::suite::world::json_path(&body, &list).and_then(Value::as_array).map_or(0, Vec::len);
    if len != n {
        return;
    }
    let expected = w.expand(&expected);
    let got = crate::suite::world::json_path(&body, &path).cloned();
    assert_eq!(
        got,
        Some(Value::from(expected.clone())),
        "expected \"{expected}\" at '{path}' (nothing changed), got {got:?}\n{}",
        w.last()
    );
}

/// A slow answer to a GET is asked again, twice at most, and the fastest counts: the suite's
/// own concurrent scenarios queue in front of a single-threaded server, and a verdict must not
/// depend on what other scenarios were doing at that moment.
#[then(expr = "the response took less than {int} ms")]
async fn took_less(w: &mut ScimWorld, ms: u64) {
    let first = w.last().clone();
    let mut best = first.elapsed_ms;
    if first.method == "GET" {
        for _ in 0..2 {
            if best < ms {
                break;
            }
            let (method, url) = (first.method.clone(), first.url.clone());
            w.send(&method, &url, None, &[], crate::suite::world::AuthMode::Default).await;
            best = best.min(w.last().elapsed_ms);
        }
    }
    assert!(best < ms, "expected an answer within {ms} ms, the fastest of up to three took {best} ms\n{first}");
}

/// Root queries are optional (RFC 7644 §3.4.2.1): a server may refuse one; one it answers must
/// be right.
#[then(regex = r#"^if the root query was answered, the JSON at "([^"]*)" is (\d+)$"#)]
async fn root_answered(w: &mut ScimWorld, path: String, n: u64) {
    let ex = w.last().clone();
    if ex.status != 200 {
        assert!(
            ex.status >= 400,
            "expected the root query to be answered (200) or refused (4xx/501), got {}\n{ex}",
            ex.status
        );
        return;
    }
    let got = crate::suite::world::json_path(w.body(), &path).cloned();
    assert_eq!(
        got,
        Some(Value::from(n)),
        "expected {n} at '{path}', got {}\n{ex}",
        got.as_ref().map(|v| v.to_string()).unwrap_or("nothing".into())
    );
}

/// The status code of bulk operation `n`: RFC 7644 §3.7.3 shows it as a string (`"201"`) and
/// describes it as a `code` attribute; both are read.
fn bulk_status(body: &Value, n: usize) -> Option<u16> {
    let status = &body["Operations"][n]["status"];
    let code = status.get("code").unwrap_or(status);
    code.as_str().and_then(|s| s.parse().ok()).or_else(|| code.as_u64().map(|c| c as u16))
}

#[then(regex = r"^bulk operation (\d+) has status (\d{3})$")]
async fn bulk_op_status(w: &mut ScimWorld, n: usize, code: u16) {
    let got = bulk_status(w.body(), n);
    assert_eq!(
        got,
        Some(code),
        "expected operation {n} to have status {code}, got {}\n{}",
        got.map(|c| c.to_string()).unwrap_or("none".into()),
        w.last()
    );
}

#[then(regex = r"^bulk operation (\d+) has status (\d{3}) or (\d{3})$")]
async fn bulk_op_status_either(w: &mut ScimWorld, n: usize, a: u16, b: u16) {
    let got = bulk_status(w.body(), n);
    assert!(
        got == Some(a) || got == Some(b),
        "expected operation {n} to have status {a} or {b}, got {got:?}\n{}",
        w.last()
    );
}

#[then(regex = r"^bulk operation (\d+) explains its error$")]
async fn bulk_op_explains(w: &mut ScimWorld, n: usize) {
    let op = &w.body()["Operations"][n];
    let text = op["response"]["detail"].as_str().or_else(|| op["status"]["description"].as_str()).unwrap_or("");
    assert!(
        !text.trim().is_empty(),
        "expected operation {n} to explain its error (response.detail or status.description), got none\n{}",
        w.last()
    );
}

#[then(regex = r"^bulk operation (\d+) carries a SCIM error response$")]
async fn bulk_op_error(w: &mut ScimWorld, n: usize) {
    let op = w.body()["Operations"][n].clone();
    let urn_ok = op["response"]["schemas"]
        .as_array()
        .is_some_and(|s| s.iter().any(|u| u == "urn:ietf:params:scim:api:messages:2.0:Error"));
    assert!(
        urn_ok && op["response"].get("status").is_some(),
        "expected operation {n}'s \"response\" to be a SCIM Error (schemas and status), got {}\n{}",
        op["response"],
        w.last()
    );
}

/// RFC 7644 §3.7.1: circular references are resolved, or the server stops and answers 409.
#[then(expr = "the circular groups reference each other by id, or were refused with 409")]
async fn circular(w: &mut ScimWorld) {
    let body = w.body().clone();
    let codes = [bulk_status(&body, 0), bulk_status(&body, 1)];
    if codes.contains(&Some(409)) {
        return;
    }
    assert_eq!(
        codes,
        [Some(201), Some(201)],
        "expected both groups created (201) or a 409, got {codes:?}\n{}",
        w.last()
    );
    let bulk_url = w.last().url.clone();
    let locs: Vec<String> = (0..2)
        .map(|i| {
            crate::suite::world::resolve(&bulk_url, body["Operations"][i]["location"].as_str().unwrap_or_default())
        })
        .collect();
    let mut ids = Vec::new();
    let mut members = Vec::new();
    for loc in &locs {
        w.send("GET", loc, None, &[], AuthMode::Default).await;
        let g = w.body().clone();
        ids.push(g["id"].as_str().unwrap_or_default().to_owned());
        members.push(g["members"].as_array().cloned().unwrap_or_default());
    }
    for (i, other) in [(0, 1), (1, 0)] {
        assert!(
            members[i].iter().any(|m| m["value"] == ids[other].as_str()),
            "expected group {i} to have the other group ({}) as a member after the bulkId was resolved, got {:?}\n{}",
            ids[other],
            members[i],
            w.last()
        );
    }
}

#[when(expr = "I POST a bulk request larger than maxPayloadSize")]
async fn bulk_too_large(w: &mut ScimWorld) {
    w.send("GET", "/ServiceProviderConfig", None, &[], AuthMode::Default).await;
    let max = w.body().pointer("/bulk/maxPayloadSize").and_then(Value::as_u64).expect("bulk.maxPayloadSize");
    w.vars.insert("maxPayloadSize".into(), max.to_string());
    let filler = "x".repeat(1024);
    let n = (max as usize) / 1100 + 2;
    let ops: Vec<Value> = (0..n)
        .map(|i| serde_json::json!({"method": "POST", "path": "/Users", "bulkId": format!("b{i}"),
            "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": format!("{}big{i}", w.prefix), "nickName": filler}}))
        .collect();
    let body = serde_json::json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": ops});
    w.send("POST", "/Bulk", Some(&body.to_string()), &[], AuthMode::Default).await;
}
