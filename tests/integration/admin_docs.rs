//! Every example of `docs/admin-api.md`, run in order against a fresh server: the documented
//! request gets the documented status and a body matching the documented pattern.

use crate::support::TestServer;
use serde_json::Value;
use std::collections::HashMap;

/// One ```admin block: method, path, optional body, expected status, optional pattern.
struct Example {
    method: String,
    path: String,
    body: Option<String>,
    status: u16,
    pattern: Option<String>,
}

fn examples(doc: &str) -> Vec<Example> {
    doc.split("```admin\n")
        .skip(1)
        .map(|block| {
            let block = &block[..block.find("```").expect("a closed block")];
            let (request, expected) = block.split_once("--> ").expect("a block has `--> status`");
            let mut lines = request.lines();
            let (method, path) = lines.next().expect("a request line").split_once(' ').expect("METHOD /path");
            let body: String = lines.collect::<Vec<_>>().join("\n");
            let (status, pattern) = expected.split_once('\n').unwrap_or((expected, ""));
            Example {
                method: method.to_owned(),
                path: path.to_owned(),
                body: (!body.trim().is_empty()).then_some(body),
                status: status.trim().parse().expect("a status"),
                pattern: (!pattern.trim().is_empty()).then(|| pattern.trim().to_owned()),
            }
        })
        .collect()
}

fn expand(s: &str, vars: &HashMap<String, String>) -> String {
    vars.iter().fold(s.to_owned(), |acc, (k, v)| acc.replace(&format!("${{{k}}}"), v))
}

/// Whether `actual` matches `pattern`, binding `"${name}"` strings met for the first time.
fn matches(pattern: &Value, actual: &Value, vars: &mut HashMap<String, String>) -> bool {
    match (pattern, actual) {
        (Value::String(p), _) if p == "*" => true,
        (Value::String(p), Value::String(a)) if p.starts_with("${") && p.ends_with('}') => {
            let name = &p[2..p.len() - 1];
            match vars.get(name) {
                Some(v) => v == a,
                None => {
                    vars.insert(name.to_owned(), a.clone());
                    true
                }
            }
        }
        (Value::Object(p), Value::Object(a)) => {
            p.iter().all(|(k, pv)| a.get(k).is_some_and(|av| matches(pv, av, vars)))
        }
        (Value::Array(p), Value::Array(a)) => {
            p.iter().all(|pv| a.iter().any(|av| matches(pv, av, &mut vars.clone())))
                && p.iter().all(|pv| {
                    let found = a.iter().find(|av| matches(pv, av, &mut vars.clone())).cloned();
                    found.is_some_and(|av| matches(pv, &av, vars))
                })
        }
        (p, a) => p == a,
    }
}

#[tokio::test]
async fn every_admin_api_example_runs_as_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/admin-api.md")).expect("the doc");
    let list = examples(&doc);
    assert!(list.len() >= 25, "the reference documents every endpoint ({} examples)", list.len());
    let s = TestServer::start().await;
    let root = s.running.base_url().trim_end_matches("/scim/v2").to_owned();
    let mut vars = HashMap::new();
    for (i, ex) in list.iter().enumerate() {
        let path = expand(&ex.path, &vars);
        let token = if path.starts_with("/scim/v2") { &s.token } else { &s.admin_token };
        let body = ex.body.as_deref().map(|b| expand(b, &vars));
        let r =
            s.send_as(Some(&format!("Bearer {token}")), &ex.method, &format!("{root}{path}"), body.as_deref()).await;
        assert_eq!(r.status, ex.status, "example {i} ({} {path}): {}", ex.method, r.json);
        if let Some(p) = &ex.pattern {
            let pattern: Value =
                serde_json::from_str(p).unwrap_or_else(|e| panic!("example {i}: the pattern is not JSON: {e}"));
            assert!(
                matches(&pattern, &r.json, &mut vars),
                "example {i} ({} {path}): {}\ndoes not match {pattern}",
                ex.method,
                r.json
            );
        }
    }
}
