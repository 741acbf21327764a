//! Steps for the reference server's admin API (`@product` scenarios): tenants of their own,
//! service users and keys, and admin requests.

use crate::suite::world::{AuthMode, ScimWorld};
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::{Value, json};

/// Moves the scenario into a new tenant with a SCIM Provisioner key, so it can change
/// settings without disturbing other scenarios.
#[given(expr = "a tenant of its own")]
async fn own_tenant(w: &mut ScimWorld) {
    let name = w.prefix.trim_end_matches('-').replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-");
    w.send_admin("POST", "/tenants", Some(&json!({"name": name}).to_string())).await;
    let ex = w.last().clone();
    assert_eq!(ex.status, 201, "creating a tenant failed\n{ex}");
    let body = w.body().clone();
    w.own_tenant(&name);
    w.admin_url = body["admin_base_url"].as_str().expect("admin_base_url").to_owned();
    w.base_url = body["scim_base_url"].as_str().expect("scim_base_url").to_owned();
    w.admin_token = Some(body["admin_token"].as_str().expect("admin_token").to_owned());
    w.vars.insert("tenant".into(), name);
    let token = create_key(w, "provisioner", &["scim_provisioner"]).await;
    w.auth_headers = vec![("authorization".into(), format!("Bearer {token}"))];
}

/// Creates a service user with privileges and a key; remembers `${alias}` (the token),
/// `${alias.user}` and `${alias.key}` (the ids).
async fn create_key(w: &mut ScimWorld, alias: &str, privileges: &[&str]) -> String {
    w.send_admin("POST", "/service-users", Some(&json!({"name": alias, "privileges": privileges}).to_string())).await;
    assert_eq!(w.last().status, 201, "creating a service user failed\n{}", w.last());
    let user = w.body()["id"].as_str().expect("service user id").to_owned();
    w.send_admin("POST", "/api-keys", Some(&json!({"user_id": user}).to_string())).await;
    assert_eq!(w.last().status, 201, "creating an API key failed\n{}", w.last());
    let token = w.body()["token"].as_str().expect("token").to_owned();
    let key = w.body()["id"].as_str().expect("key id").to_owned();
    w.vars.insert(alias.to_owned(), token.clone());
    w.vars.insert(format!("{alias}.user"), user);
    w.vars.insert(format!("{alias}.key"), key);
    token
}

#[given(regex = r#"^an API key "([^"]*)" of a service user with privileges "([^"]*)"$"#)]
async fn key_with(w: &mut ScimWorld, alias: String, privileges: String) {
    let p: Vec<&str> = privileges.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    create_key(w, &alias, &p).await;
}

#[given(regex = r#"^an API key "([^"]*)" of a service user without privileges$"#)]
async fn key_without(w: &mut ScimWorld, alias: String) {
    create_key(w, &alias, &[]).await;
}

#[given(regex = r#"^the group "([^"]*)" is mapped to (.+)$"#)]
async fn mapped(w: &mut ScimWorld, group: String, list: String) {
    // `root/admin and ops/operator`
    let assignments: Vec<Value> = list
        .split(" and ")
        .map(|a| {
            let (team, role) = a.trim().split_once('/').expect("team/role");
            json!({"team": w.expand(team), "role": role})
        })
        .collect();
    let path = format!("/group-mappings/{}", w.expand(&group));
    w.send_admin("PUT", &path, Some(&json!({"assignments": assignments}).to_string())).await;
    assert_eq!(w.last().status, 200, "mapping failed\n{}", w.last());
}

#[given(regex = r#"^the settings are changed with:$"#)]
async fn settings_given(w: &mut ScimWorld, step: &Step) {
    w.send_admin("PUT", "/settings", Some(step.docstring.as_deref().expect("settings JSON"))).await;
    assert_eq!(w.last().status, 200, "changing settings failed\n{}", w.last());
}

#[when(regex = r#"^I send an admin (GET|POST|PUT|DELETE) to "(.*)"$"#)]
#[given(regex = r#"^I send an admin (GET|POST|PUT|DELETE) to "(.*)"$"#)]
async fn admin(w: &mut ScimWorld, method: String, path: String) {
    w.send_admin(&method, &path, None).await;
}

#[when(regex = r#"^I send an admin (GET|POST|PUT|DELETE) to "(.*)" with:$"#)]
#[given(regex = r#"^I send an admin (GET|POST|PUT|DELETE) to "(.*)" with:$"#)]
async fn admin_with(w: &mut ScimWorld, method: String, path: String, step: &Step) {
    w.send_admin(&method, &path, Some(step.docstring.as_deref().expect("a JSON body"))).await;
}

#[when(regex = r#"^I send (GET|POST|DELETE) to "(.*)" with the API key "([^"]*)"$"#)]
async fn with_key(w: &mut ScimWorld, method: String, path: String, alias: String) {
    let token = w.vars.get(&alias).unwrap_or_else(|| panic!("no key '{alias}'")).clone();
    let body = (method == "POST").then_some("{}");
    w.send(&method, &path, body, &[], AuthMode::Header(format!("Bearer {token}"))).await;
}

#[when(regex = r#"^I use the API key "([^"]*)" to send an admin GET to "(.*)"$"#)]
async fn admin_with_key(w: &mut ScimWorld, alias: String, path: String) {
    let token = w.vars.get(&alias).unwrap_or_else(|| panic!("no key '{alias}'")).clone();
    let base = w.admin_url.clone();
    let url = format!("{base}{}", w.expand(&path));
    w.send("GET", &url, None, &[], AuthMode::Header(format!("Bearer {token}"))).await;
}

#[then(regex = r#"^the access of "([^"]*)" is (active|inactive) with (.+)$"#)]
async fn access_is(w: &mut ScimWorld, alias: String, state: String, expected: String) {
    // `nothing`, or `root/admin (granted by G1, G2) and Sales/viewer (granted by Sales)`
    let id = w.vars.get(&alias).unwrap_or_else(|| panic!("no user '{alias}'")).clone();
    w.send_admin("GET", &format!("/users/{id}/access"), None).await;
    let ex = w.last().clone();
    assert_eq!(ex.status, 200, "access view failed\n{ex}");
    let body = w.body().clone();
    assert_eq!(body["active"], Value::Bool(state == "active"), "unexpected active flag\n{ex}");
    let mut want: Vec<Value> = Vec::new();
    if expected.trim() != "nothing" {
        for part in expected.split(" and ") {
            let (assignment, granted) = part.split_once(" (granted by ").expect("'team/role (granted by ...)'");
            let (team, role) = assignment.trim().split_once('/').expect("team/role");
            let mut by: Vec<String> = granted.trim_end_matches(')').split(',').map(|g| w.expand(g.trim())).collect();
            by.sort();
            want.push(json!({"team": w.expand(team), "role": role, "granted_by": by}));
        }
    }
    let mut got: Vec<Value> = body["assignments"].as_array().cloned().unwrap_or_default();
    let key = |v: &Value| format!("{}/{}", v["team"], v["role"]);
    got.sort_by_key(key);
    want.sort_by_key(key);
    assert_eq!(Value::Array(got), Value::Array(want), "unexpected assignments\n{ex}");
}
