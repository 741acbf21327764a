//! `When` steps: requests to the server under test.

use crate::suite::world::{AuthMode, ScimWorld};
use cucumber::gherkin::Step;
use cucumber::{given, then, when};

fn doc(step: &Step) -> &str {
    step.docstring.as_deref().expect("this step needs a doc string body")
}

#[given(regex = r#"^I GET "(.*)"$"#)]
#[when(regex = r#"^I GET "(.*)"$"#)]
async fn get(w: &mut ScimWorld, path: String) {
    w.send("GET", &path, None, &[], AuthMode::Default).await;
}

#[given(regex = r#"^I DELETE "(.*)"$"#)]
#[when(regex = r#"^I DELETE "(.*)"$"#)]
async fn delete(w: &mut ScimWorld, path: String) {
    w.send("DELETE", &path, None, &[], AuthMode::Default).await;
}

#[given(regex = r#"^I (POST|PUT|PATCH) (?:to )?"(.*)" with:$"#)]
#[when(regex = r#"^I (POST|PUT|PATCH) (?:to )?"(.*)" with:$"#)]
async fn with_body(w: &mut ScimWorld, method: String, path: String, step: &Step) {
    w.send(&method, &path, Some(doc(step)), &[], AuthMode::Default).await;
}

#[when(regex = r#"^I (POST|PUT|PATCH) (?:to )?"([^"]*)" with content type "([^"]*)" and body:$"#)]
async fn with_content_type(w: &mut ScimWorld, method: String, path: String, ct: String, step: &Step) {
    w.send(&method, &path, Some(doc(step)), &[("content-type".into(), ct)], AuthMode::Default).await;
}

#[when(regex = r#"^I send (GET|DELETE|POST|PUT|PATCH) to "(.*)" with header "([^":]*): ([^"]*)"$"#)]
async fn with_header(w: &mut ScimWorld, method: String, path: String, name: String, value: String) {
    w.send(&method, &path, None, &[(name, value)], AuthMode::Default).await;
}

#[when(regex = r#"^I send (PUT|PATCH|POST) to "(.*)" with header "([^":]*): ([^"]*)" and body:$"#)]
async fn with_header_and_body(
    w: &mut ScimWorld,
    method: String,
    path: String,
    name: String,
    value: String,
    step: &Step,
) {
    w.send(&method, &path, Some(doc(step)), &[(name, value)], AuthMode::Default).await;
}

#[when(
    regex = r#"^I send (PUT|PATCH|POST) to "(.*)" with headers "([^":]*): ([^"]*)" and "([^":]*): ([^"]*)" and body:$"#
)]
#[allow(clippy::too_many_arguments)]
async fn with_two_headers_and_body(
    w: &mut ScimWorld,
    method: String,
    path: String,
    k1: String,
    v1: String,
    k2: String,
    v2: String,
    step: &Step,
) {
    w.send(&method, &path, Some(doc(step)), &[(k1, v1), (k2, v2)], AuthMode::Default).await;
}

#[when(regex = r#"^I send (GET|DELETE|POST) to "(.*)" without a token$"#)]
async fn without_token(w: &mut ScimWorld, method: String, path: String) {
    let body = (method == "POST").then_some("{}");
    w.send(&method, &path, body, &[], AuthMode::None).await;
}

#[when(regex = r#"^I send (GET|DELETE|POST) to "(.*)" with the Authorization header "([^"]*)"$"#)]
async fn with_authorization(w: &mut ScimWorld, method: String, path: String, value: String) {
    let body = (method == "POST").then_some("{}");
    w.send(&method, &path, body, &[], AuthMode::Header(value)).await;
}

#[when(regex = r#"^I send an? ([A-Z]+) request to "(.*)"$"#)]
async fn send_method(w: &mut ScimWorld, method: String, path: String) {
    w.send(&method, &path, None, &[], AuthMode::Default).await;
}

#[given(expr = "I remember the JSON at {string} as {string}")]
#[when(expr = "I remember the JSON at {string} as {string}")]
#[then(expr = "I remember the JSON at {string} as {string}")]
async fn remember(w: &mut ScimWorld, path: String, name: String) {
    let v = crate::suite::world::json_path(w.body(), &path)
        .unwrap_or_else(|| panic!("nothing at '{path}'\n{}", w.last()))
        .clone();
    let s = match v {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    };
    w.vars.insert(name, s);
}

/// A URL from the last response (a `location`), resolved against the request's URL as RFC 3986
/// §5.2 says (RFC 7643 §2.3.7: a reference may be relative), and remembered absolute.
#[given(expr = "I remember the URL at {string} as {string}")]
#[when(expr = "I remember the URL at {string} as {string}")]
#[then(expr = "I remember the URL at {string} as {string}")]
async fn remember_url(w: &mut ScimWorld, path: String, name: String) {
    let loc = crate::suite::world::json_path(w.body(), &path)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_else(|| panic!("expected a URL at '{path}', got none\n{}", w.last()))
        .to_owned();
    let base = reqwest::Url::parse(&w.last().url).expect("the request URL parses");
    let url = base
        .join(&loc)
        .unwrap_or_else(|e| panic!("expected a URI reference at '{path}', got \"{loc}\" ({e})\n{}", w.last()));
    w.vars.insert(name, url.to_string());
}

#[given(expr = "I remember the header {string} as {string}")]
#[when(expr = "I remember the header {string} as {string}")]
#[then(expr = "I remember the header {string} as {string}")]
async fn remember_header(w: &mut ScimWorld, header: String, name: String) {
    let v = w.header(&header).unwrap_or_else(|| panic!("no '{header}' header\n{}", w.last())).to_owned();
    w.vars.insert(name, v);
}

#[when(expr = "I POST a bulk request with one operation more than maxOperations")]
async fn bulk_too_many(w: &mut ScimWorld) {
    w.send("GET", "/ServiceProviderConfig", None, &[], AuthMode::Default).await;
    let max = w.body().pointer("/bulk/maxOperations").and_then(serde_json::Value::as_u64).expect("bulk.maxOperations");
    w.vars.insert("maxOperations".into(), max.to_string());
    let ops: Vec<_> = (0..=max)
        .map(|i| serde_json::json!({"method": "DELETE", "path": format!("/Users/{}no-such-user-{i}", w.prefix)}))
        .collect();
    let body = serde_json::json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": ops});
    w.send("POST", "/Bulk", Some(&body.to_string()), &[], AuthMode::Default).await;
}
