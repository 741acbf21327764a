//! `Given` steps: resources a scenario needs, created over HTTP and named with the run prefix.
//! Each is remembered under its alias (`${alice}` is the id, `${alice.userName}` the user name).
//! Bodies start from a realistic default and go through [`Discovery::fixture`]: the user's
//! `--fixtures` template, the server's declared required attributes and extension URNs.
//!
//! [`Discovery::fixture`]: crate::suite::discovery::Discovery::fixture

use crate::suite::world::{AuthMode, ScimWorld};
use cucumber::given;
use serde_json::json;

/// Creates a realistic, active user with a name and a primary work email (what Okta's spec
/// test expects to find).
pub async fn create_user(w: &mut ScimWorld, alias: &str) {
    create_user_with(w, alias, None).await;
}

/// Creates a user from the default body with `extra` (a JSON object) merged over it.
pub async fn create_user_with(w: &mut ScimWorld, alias: &str, extra: Option<serde_json::Value>) {
    create_user_shaped(w, alias, |obj| {
        if let Some(serde_json::Value::Object(extra)) = extra {
            obj.extend(extra);
        }
    })
    .await;
}

/// Creates a user from the suite's realistic default body, changed by `shape`, then adapted
/// to the target and remembered under `alias`.
async fn create_user_shaped(
    w: &mut ScimWorld,
    alias: &str,
    shape: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>),
) {
    let user_name = format!("{}{alias}@example.com", w.prefix);
    let mut body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": alias, "familyName": "Tester"},
        "displayName": format!("{alias} Tester"),
        "emails": [{"value": user_name, "type": "work", "primary": true}],
        "active": true,
    });
    if let Some(obj) = body.as_object_mut() {
        shape(obj);
    }
    let body = w.target.discovery.clone().fixture("User", body, &w.prefix);
    let body = w.expand_json(&body.to_string().replace("${alias}", alias));
    w.send("POST", "/Users", Some(&body), &[], AuthMode::Default).await;
    remember_created(w, alias, "userName");
}

/// Creates a group with the given members (aliases of users created before).
pub async fn create_group(w: &mut ScimWorld, alias: &str, members: &[String]) {
    let members: Vec<_> =
        members.iter().map(|m| json!({"value": w.vars.get(m).unwrap_or_else(|| panic!("no user '{m}'"))})).collect();
    // An empty group is sent without `members` at all: servers store "no members" and "[]"
    // differently, and a filter over groups must cope with both.
    let mut body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": format!("{}{alias}", w.prefix),
    });
    if !members.is_empty() {
        body["members"] = json!(members);
    }
    let body = w.target.discovery.clone().fixture("Group", body, &w.prefix);
    let body = w.expand_json(&body.to_string().replace("${alias}", alias));
    w.send("POST", "/Groups", Some(&body), &[], AuthMode::Default).await;
    remember_created(w, alias, "displayName");
    if !members.is_empty() {
        check_members(w, alias, &members).await;
    }
}

/// A group "exists with members" only when it has them: the 201 body shows them, or a read of
/// the group does (a server may leave members out of the 201). Otherwise the scenario built on
/// it cannot be judged.
async fn check_members(w: &mut ScimWorld, alias: &str, members: &[serde_json::Value]) {
    let has_all = |body: &serde_json::Value| {
        let listed: Vec<&str> =
            body["members"].as_array().into_iter().flatten().filter_map(|m| m["value"].as_str()).collect();
        members.iter().all(|m| m["value"].as_str().is_some_and(|id| listed.contains(&id)))
    };
    if has_all(w.body()) {
        return;
    }
    let id = w.vars[alias].clone();
    w.send("GET", &format!("/Groups/{id}"), None, &[], AuthMode::Default).await;
    if w.last().status != 200 || !has_all(w.body()) {
        crate::suite::world::inconclusive(format!(
            "the group '{alias}' was created (201) but reading it back does not list the {} member(s) it was created with",
            members.len()
        ));
    }
}

fn remember_created(w: &mut ScimWorld, alias: &str, name_attr: &str) {
    let ex = w.last();
    assert_eq!(ex.status, 201, "could not create the fixture '{alias}': expected status 201, got {}\n{ex}", ex.status);
    let body = w.body().clone();
    let id = body["id"].as_str().unwrap_or_else(|| panic!("fixture '{alias}' has no id")).to_owned();
    w.vars.insert(alias.to_owned(), id);
    if let Some(n) = body[name_attr].as_str() {
        w.vars.insert(format!("{alias}.{name_attr}"), n.to_owned());
    }
}

#[given(expr = "a user {string} exists")]
async fn user_exists(w: &mut ScimWorld, alias: String) {
    create_user(w, &alias).await;
}

#[given(expr = "a user {string} exists with:")]
async fn user_exists_with(w: &mut ScimWorld, alias: String, step: &cucumber::gherkin::Step) {
    let text = w.expand_json(step.docstring.as_deref().expect("a JSON object doc string"));
    let extra: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON in the step: {e}"));
    create_user_with(w, &alias, Some(extra)).await;
}

/// A user whose body leaves `attr` out entirely (unless the target requires it, which the
/// adaptation to its schemas then fills): the data a filter must cope with.
#[given(expr = "a user {string} exists without {string}")]
async fn user_without(w: &mut ScimWorld, alias: String, attr: String) {
    create_user_shaped(w, &alias, |obj| obj.retain(|k, _| !k.eq_ignore_ascii_case(&attr))).await;
}

#[given(expr = "users {string} exist")]
async fn users_exist(w: &mut ScimWorld, aliases: String) {
    for a in aliases.split(',').map(str::trim).filter(|a| !a.is_empty()) {
        create_user(w, a).await;
    }
}

#[given(expr = "a group {string} exists")]
async fn group_exists(w: &mut ScimWorld, alias: String) {
    create_group(w, &alias, &[]).await;
}

#[given(expr = "a group {string} exists with members {string}")]
async fn group_with_members(w: &mut ScimWorld, alias: String, members: String) {
    let members: Vec<String> = members.split(',').map(|m| m.trim().to_owned()).filter(|m| !m.is_empty()).collect();
    create_group(w, &alias, &members).await;
}

#[given(expr = "{int} users exist as {string}")]
async fn many_users(w: &mut ScimWorld, n: usize, alias: String) {
    for i in 0..n {
        create_user(w, &format!("{alias}{i}")).await;
    }
}
