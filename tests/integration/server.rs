//! Server behaviour that features cannot express well: headers, conditional requests,
//! concurrency of the store.

use crate::support::TestServer;

#[tokio::test]
async fn lifecycle_headers_and_conditional_requests() {
    let s = TestServer::start().await;
    let created = s
        .send(
            "POST",
            "/Users",
            Some(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"c@example.com"}"#),
        )
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.header("content-type"), Some("application/scim+json"));
    let etag = created.header("etag").unwrap().to_owned();
    assert_eq!(created.json["meta"]["version"], etag.as_str());
    assert!(etag.starts_with("W/\""));
    let id = created.json["id"].as_str().unwrap().to_owned();

    // If-None-Match with the current version: 304, no body.
    let resp = s
        .client
        .get(s.url(&format!("/Users/{id}")))
        .bearer_auth(&s.token)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 304);

    // If-Match with a stale version: 412, and nothing changes.
    let put = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"c@example.com","title":"x"}"#;
    let resp = s
        .client
        .put(s.url(&format!("/Users/{id}")))
        .bearer_auth(&s.token)
        .header("if-match", "W/\"dead\"")
        .header("content-type", "application/scim+json")
        .body(put)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 412);
    let after = s.send("GET", &format!("/Users/{id}"), None).await;
    assert_eq!(after.header("etag"), Some(etag.as_str()));
    assert!(after.json.get("title").is_none());

    // With the right version the write succeeds and the version changes.
    let resp = s
        .client
        .put(s.url(&format!("/Users/{id}")))
        .bearer_auth(&s.token)
        .header("if-match", &etag)
        .header("content-type", "application/scim+json")
        .body(put)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_ne!(resp.headers().get("etag").unwrap().to_str().unwrap(), etag);
}

#[rstest::rstest]
#[tokio::test]
async fn concurrent_creates_with_the_same_user_name_yield_one_201(#[values("memory", "sqlite")] store: &str) {
    let s = std::sync::Arc::new(TestServer::on(store).await);
    let body = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"race@example.com"}"#;
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.send("POST", "/Users", Some(body)).await.status })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 15, "{statuses:?}");
}

#[tokio::test]
async fn deleting_a_group_clears_user_groups() {
    let s = TestServer::start().await;
    let u = s.send("POST", "/Users", Some(r#"{"userName":"g@example.com"}"#)).await;
    let uid = u.json["id"].as_str().unwrap();
    let g = s.send("POST", "/Groups", Some(&format!(r#"{{"displayName":"G","members":[{{"value":"{uid}"}}]}}"#))).await;
    assert_eq!(g.status, 201);
    let gid = g.json["id"].as_str().unwrap();
    assert_eq!(s.send("GET", &format!("/Users/{uid}"), None).await.json["groups"][0]["value"], gid);
    assert_eq!(s.send("DELETE", &format!("/Groups/{gid}"), None).await.status, 204);
    assert!(s.send("GET", &format!("/Users/{uid}"), None).await.json.get("groups").is_none());
    // A member that does not exist is refused, and the group is not created.
    let bad = s.send("POST", "/Groups", Some(r#"{"displayName":"H","members":[{"value":"nope"}]}"#)).await;
    assert_eq!((bad.status, bad.json["scimType"].as_str()), (400, Some("invalidValue")));
    assert_eq!(s.send("GET", "/Groups", None).await.json["totalResults"], 0);
}

#[rstest::rstest]
#[tokio::test]
async fn concurrent_patches_with_the_same_if_match_one_wins(#[values("memory", "sqlite")] store: &str) {
    let s = std::sync::Arc::new(TestServer::on(store).await);
    let u = s.send("POST", "/Users", Some(r#"{"userName":"cas@example.com"}"#)).await;
    let id = u.json["id"].as_str().unwrap().to_owned();
    let etag = u.header("etag").unwrap().to_owned();
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (s, id, etag) = (s.clone(), id.clone(), etag.clone());
            tokio::spawn(async move {
                let body = format!(r#"{{"Operations":[{{"op":"replace","path":"title","value":"writer {i}"}}]}}"#);
                let resp = s
                    .client
                    .patch(s.url(&format!("/Users/{id}")))
                    .bearer_auth(&s.token)
                    .header("if-match", etag)
                    .header("content-type", "application/scim+json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                resp.status().as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 412).count(), 15, "{statuses:?}");
}

#[rstest::rstest]
#[tokio::test]
async fn concurrent_member_adds_all_land(#[values("memory", "sqlite")] store: &str) {
    let s = std::sync::Arc::new(TestServer::on(store).await);
    let g = s.send("POST", "/Groups", Some(r#"{"displayName":"busy"}"#)).await;
    let gid = g.json["id"].as_str().unwrap().to_owned();
    let mut ids = Vec::new();
    for i in 0..32 {
        let u = s.send("POST", "/Users", Some(&format!(r#"{{"userName":"m{i}@example.com"}}"#))).await;
        ids.push(u.json["id"].as_str().unwrap().to_owned());
    }
    let tasks: Vec<_> = ids
        .iter()
        .map(|uid| {
            let (s, gid, uid) = (s.clone(), gid.clone(), uid.clone());
            tokio::spawn(async move {
                let body =
                    format!(r#"{{"Operations":[{{"op":"add","path":"members","value":[{{"value":"{uid}"}}]}}]}}"#);
                s.send("PATCH", &format!("/Groups/{gid}?excludedAttributes=members"), Some(&body)).await.status
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let after = s.send("GET", &format!("/Groups/{gid}"), None).await;
    assert_eq!(after.json["members"].as_array().unwrap().len(), 32);
}

/// `failOnErrors: 0` is an integer like any other (RFC 7644 §3.7): accepted, and read as no limit.
#[tokio::test]
async fn bulk_fail_on_errors_zero_sets_no_limit() {
    let s = TestServer::start().await;
    let body = serde_json::json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "failOnErrors": 0,
        "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "a", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}},
            {"method": "POST", "path": "/Users", "bulkId": "b", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "zero@example.com"}}]});
    let r = s.send("POST", "/Bulk", Some(&body.to_string())).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["Operations"].as_array().map(Vec::len), Some(2), "both operations ran: {}", r.json);
    assert_eq!(r.json["Operations"][1]["status"], "201");
}
