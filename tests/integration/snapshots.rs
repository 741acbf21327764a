//! Reviewed snapshots (in the top-level `snapshots/`) of the discovery responses, a created
//! User and Group, and each error body. Ids, times, versions and the port are redacted.

use crate::support::TestServer;
use serde_json::{Value, json};

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

/// Replaces values that change per run (ids, times, versions, URLs with the port) in place.
fn redact(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                match k.as_str() {
                    "id" if val.as_str().is_some_and(|s| !s.starts_with("urn:") && s != "User" && s != "Group") => {
                        *val = json!("[id]")
                    }
                    "value" if val.as_str().is_some_and(|s| s.len() == 36 && s.matches('-').count() == 4) => {
                        *val = json!("[id]")
                    }
                    "created" | "lastModified" => *val = json!("[datetime]"),
                    "version" => *val = json!("[etag]"),
                    "location" | "$ref" => {
                        if let Some(s) = val.as_str() {
                            *val = json!(redact_url(s));
                        }
                    }
                    _ => redact(val),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact),
        _ => {}
    }
}

fn redact_url(s: &str) -> String {
    let path = s.split_once("/scim/v2").map(|(_, p)| p).unwrap_or(s);
    let parts: Vec<&str> = path.split('/').collect();
    let parts: Vec<String> = parts
        .iter()
        .map(|p| if p.len() == 36 && p.matches('-').count() == 4 { "[id]".to_owned() } else { (*p).to_owned() })
        .collect();
    format!("[base]{}", parts.join("/"))
}

async fn snapshot(server: &TestServer, name: &str, method: &str, path: &str, body: Option<&str>) -> Value {
    let reply = server.send(method, path, body).await;
    let mut v = json!({"status": reply.status, "content-type": reply.header("content-type"), "body": reply.json});
    redact(&mut v);
    settings().bind(|| insta::assert_json_snapshot!(name, v));
    reply.json
}

#[tokio::test]
async fn discovery_responses() {
    let s = TestServer::start().await;
    snapshot(&s, "discovery_service_provider_config", "GET", "/ServiceProviderConfig", None).await;
    snapshot(&s, "discovery_resource_types", "GET", "/ResourceTypes", None).await;
    snapshot(&s, "discovery_schema_group", "GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group", None).await;
    let all = s.send("GET", "/Schemas", None).await;
    let ids: Vec<&str> = all.json["Resources"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    settings().bind(|| insta::assert_json_snapshot!("discovery_schema_ids", ids));
}

#[tokio::test]
async fn created_user_and_group() {
    let s = TestServer::start().await;
    let user = snapshot(
        &s,
        "created_user",
        "POST",
        "/Users",
        Some(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "userName":"bjensen@example.com","externalId":"bjensen","name":{"givenName":"Barbara","familyName":"Jensen"},
            "emails":[{"value":"bjensen@example.com","type":"work","primary":true}],"password":"secret","active":"True",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984"}}"#),
    )
    .await;
    let body = format!(
        r#"{{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Tour Guides","members":[{{"value":"{}","display":"Babs"}}]}}"#,
        user["id"].as_str().unwrap()
    );
    snapshot(&s, "created_group", "POST", "/Groups", Some(&body)).await;
    snapshot(&s, "user_with_group", "GET", &format!("/Users/{}", user["id"].as_str().unwrap()), None).await;
}

#[tokio::test]
async fn error_bodies() {
    let s = TestServer::start().await;
    let user = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"dup@example.com"}"#;
    s.send("POST", "/Users", Some(user)).await;
    let cases: &[(&str, &str, &str, Option<&str>)] = &[
        ("error_not_found", "GET", "/Users/00919288221112222", None),
        ("error_unknown_endpoint", "GET", "/Nope", None),
        ("error_missing_username", "POST", "/Users", Some(r#"{"displayName":"x"}"#)),
        ("error_malformed_json", "POST", "/Users", Some(r#"{"acve": tre"#)),
        ("error_wrong_type", "POST", "/Users", Some(r#"{"userName":"t@example.com","active":42}"#)),
        ("error_uniqueness", "POST", "/Users", Some(user)),
        ("error_method_not_allowed", "PATCH", "/ServiceProviderConfig", None),
        ("error_bad_count", "GET", "/Users?count=ten", None),
        ("error_body_not_object", "POST", "/Groups", Some("[1,2]")),
    ];
    for (name, method, path, body) in cases {
        snapshot(&s, name, method, path, *body).await;
    }
}

#[tokio::test]
async fn unauthorized_body_and_challenge() {
    let s = TestServer::start().await;
    let resp = s.client.get(s.url("/Users")).send().await.unwrap();
    assert_eq!(resp.headers().get("www-authenticate").unwrap(), "Bearer realm=\"scimcheck\"");
    let reply = crate::support::Reply::read(resp).await;
    let mut v = json!({"status": reply.status, "body": reply.json});
    redact(&mut v);
    settings().bind(|| insta::assert_json_snapshot!("error_unauthorized", v));
}

#[tokio::test]
async fn oversized_body_is_413() {
    let s = TestServer::with_config(scimcheck::api::Config { max_body_bytes: 1024, ..Default::default() }).await;
    let big = format!(r#"{{"userName":"{}"}}"#, "x".repeat(4096));
    let reply = s.send("POST", "/Users", Some(&big)).await;
    let mut v = json!({"status": reply.status, "body": reply.json});
    redact(&mut v);
    settings().bind(|| insta::assert_json_snapshot!("error_payload_too_large", v));
}
