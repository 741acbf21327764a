//! Who may call what: every endpoint × every kind of credential gives the documented status
//! and an error body, and changes nothing. Plus the rate limit.

use crate::support::TestServer;
use serde_json::{Value, json};

#[tokio::test]
async fn credential_matrix() {
    let s = TestServer::start().await;
    let admin = format!("Bearer {}", s.admin_token);
    let scim = format!("Bearer {}", s.token);
    // A key without the privilege, a revoked key, and a key of another tenant.
    let su = s
        .send_as(Some(&admin), "POST", &s.admin("/service-users"), Some(r#"{"name":"reports","privileges":[]}"#))
        .await;
    let plain = s
        .send_as(Some(&admin), "POST", &s.admin("/api-keys"), Some(&json!({"user_id": su.json["id"]}).to_string()))
        .await;
    let prov = s
        .send_as(
            Some(&admin),
            "POST",
            &s.admin("/service-users"),
            Some(r#"{"name":"p2","privileges":["scim_provisioner"]}"#),
        )
        .await;
    let revoked = s
        .send_as(Some(&admin), "POST", &s.admin("/api-keys"), Some(&json!({"user_id": prov.json["id"]}).to_string()))
        .await;
    let rid = revoked.json["id"].as_str().unwrap();
    assert_eq!(s.send_as(Some(&admin), "DELETE", &s.admin(&format!("/api-keys/{rid}")), None).await.status, 204);
    let other = s.send_as(Some(&admin), "POST", &s.admin("/tenants"), Some(r#"{"name":"other"}"#)).await;
    assert_eq!(other.status, 201);
    let other_admin = format!("Bearer {}", other.json["admin_token"].as_str().unwrap());
    let osu = s
        .send_as(
            Some(&other_admin),
            "POST",
            &other.json["admin_base_url"].as_str().map(|b| format!("{b}/service-users")).unwrap(),
            Some(r#"{"name":"o","privileges":["scim_provisioner"]}"#),
        )
        .await;
    let okey = s
        .send_as(
            Some(&other_admin),
            "POST",
            &other.json["admin_base_url"].as_str().map(|b| format!("{b}/api-keys")).unwrap(),
            Some(&json!({"user_id": osu.json["id"]}).to_string()),
        )
        .await;
    let token = |v: &Value| format!("Bearer {}", v["token"].as_str().unwrap());

    let creds: Vec<(&str, Option<String>, u16, u16)> = vec![
        // (label, Authorization, status on SCIM, status on admin)
        ("no token", None, 401, 401),
        ("malformed header", Some("Token abc".into()), 401, 401),
        ("wrong token", Some("Bearer nope".into()), 401, 401),
        ("revoked key", Some(token(&revoked.json)), 401, 401),
        ("key without the privilege", Some(token(&plain.json)), 403, 403),
        ("key of another tenant", Some(token(&okey.json)), 401, 401),
        ("admin token on SCIM", Some(admin.clone()), 403, 200),
        ("SCIM key on admin", Some(scim.clone()), 200, 403),
    ];
    let before = s.send_as(Some(&admin), "GET", &s.admin("/events?after=0"), None).await.json["events"]
        .as_array()
        .unwrap()
        .len();
    let scim_endpoints = [
        ("GET", "/Users", None),
        ("POST", "/Users", Some(r#"{"userName":"intruder@example.com"}"#)),
        ("GET", "/Groups", None),
        ("POST", "/Groups", Some(r#"{"displayName":"intruders"}"#)),
        ("PUT", "/Users/x", Some(r#"{"userName":"x@example.com"}"#)),
        ("PATCH", "/Users/x", Some(r#"{"Operations":[{"op":"remove","path":"title"}]}"#)),
        ("DELETE", "/Users/x", None),
        ("GET", "/ServiceProviderConfig", None),
        ("GET", "/Schemas", None),
        ("POST", "/Bulk", Some(r#"{"Operations":[]}"#)),
        ("POST", "/.search", Some(r#"{}"#)),
    ];
    let admin_endpoints = [
        ("GET", "/settings", None),
        ("PUT", "/settings", Some(r#"{"scim_enabled": true}"#)),
        ("POST", "/teams", Some(r#"{"name":"t"}"#)),
        ("GET", "/events", None),
    ];
    for (label, auth, scim_status, admin_status) in &creds {
        for (method, path, body) in &scim_endpoints {
            // RFC 7643 §5: the ServiceProviderConfig is public to a request without credentials.
            let public = *label == "no token" && *path == "/ServiceProviderConfig";
            if *scim_status == 200 || public {
                continue;
            }
            let r = s.send_as(auth.as_deref(), method, &s.url(path), *body).await;
            {
                assert_eq!(r.status, *scim_status, "{label}: {method} {path}");
                assert_eq!(r.json["status"], scim_status.to_string(), "{label}: {method} {path} error body");
                assert!(
                    r.json["detail"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty() && !d.contains("scim_") && !d.contains("admin_")),
                    "{label}: detail leaks nothing"
                );
            }
        }
        for (method, path, body) in &admin_endpoints {
            if *admin_status == 200 {
                continue;
            }
            let r = s.send_as(auth.as_deref(), method, &s.admin(path), *body).await;
            assert_eq!(r.status, *admin_status, "{label}: admin {method} {path}");
        }
    }
    let users = s.send("GET", "/Users", None).await;
    assert_eq!(users.json["totalResults"], 0, "refused requests created nothing");
    let after = s.send_as(Some(&admin), "GET", &s.admin("/events?after=0"), None).await.json["events"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(after, before, "refused requests left no audit events");
    // And the valid credentials do work where they belong.
    assert_eq!(s.send_as(Some(&scim), "GET", &s.url("/Users"), None).await.status, 200);
    assert_eq!(s.send_as(Some(&admin), "GET", &s.admin("/settings"), None).await.status, 200);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let s = TestServer::with(Default::default(), |a| a.rate_limit = Some(5)).await;
    for _ in 0..5 {
        assert_eq!(s.send("GET", "/ServiceProviderConfig", None).await.status, 200);
    }
    let r = s.send("GET", "/ServiceProviderConfig", None).await;
    assert_eq!(r.status, 429);
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    assert_eq!(r.json["status"], "429");
}

#[tokio::test]
async fn healthz_needs_no_token() {
    let s = TestServer::start().await;
    let r = s.send_as(None, "GET", &format!("http://{}/healthz", s.running.addr), None).await;
    assert_eq!((r.status, r.json["status"].as_str()), (200, Some("ok")));
}
