//! Durability: kill the server with SIGKILL in the middle of a concurrent write load, restart
//! it on the same data directory, and check that every acknowledged write is there, that no
//! half-applied PATCH is visible, and that the provisioning events match the writes (none
//! missing, none without its write).

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TOKEN: &str = "durability-scim-token";
const ADMIN: &str = "durability-admin-token";

/// Starts `scimcheck serve` on a free port with this data directory; returns it and its base URL.
fn start(dir: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scimcheck"))
        .args(["serve", "--listen", "127.0.0.1:0", "--token", TOKEN, "--admin-token", ADMIN, "--data"])
        .arg(dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the scimcheck binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines.next().expect("the server prints its address").expect("a line");
        if let Some(url) = line.strip_prefix("listening on ") {
            break url.trim().to_owned();
        }
    };
    (child, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() {
    let dir = std::env::temp_dir().join(format!("scimcheck-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (mut child, base) = start(&dir);
    let client = scimcheck::suite::http_client(false).unwrap();
    let send_client = client.clone();
    let send = move |method: reqwest::Method, url: String, body: Value| {
        let c = send_client.clone();
        async move {
            let r = c
                .request(method, url)
                .bearer_auth(TOKEN)
                .header("content-type", "application/scim+json")
                .body(body.to_string())
                .send()
                .await
                .ok()?;
            let status = r.status().as_u16();
            let json: Value = r.json().await.unwrap_or(Value::Null);
            Some((status, json))
        }
    };
    let (status, group) =
        send(reqwest::Method::POST, format!("{base}/Groups"), json!({"displayName": "survivors"})).await.unwrap();
    assert_eq!(status, 201);
    let gid = group["id"].as_str().unwrap().to_owned();

    // Acknowledged writes: created users, added members, and the last PATCHed value per user.
    let created: Arc<Mutex<Vec<String>>> = Arc::default();
    let added: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut workers = Vec::new();
    for w in 0..8 {
        let (send, base, gid, created, added) =
            (send.clone(), base.clone(), gid.clone(), created.clone(), added.clone());
        workers.push(tokio::spawn(async move {
            let mut i = 0;
            loop {
                i += 1;
                let body = json!({"userName": format!("w{w}-u{i}@example.com")});
                let Some((201, u)) = send(reqwest::Method::POST, format!("{base}/Users"), body).await else { break };
                let uid = u["id"].as_str().unwrap().to_owned();
                created.lock().unwrap().push(uid.clone());
                let patch = json!({"Operations": [{"op": "add", "path": "members", "value": [{"value": uid}]}]});
                let Some((200, _)) = send(reqwest::Method::PATCH, format!("{base}/Groups/{gid}?excludedAttributes=members"), patch).await else { break };
                added.lock().unwrap().push(uid.clone());
                // Two attributes in one PATCH: after a crash both or neither may show.
                let pair = json!({"Operations": [{"op": "replace", "path": "title", "value": format!("v{i}")}, {"op": "replace", "path": "nickName", "value": format!("v{i}")}]});
                if send(reqwest::Method::PATCH, format!("{base}/Users/{uid}"), pair).await.is_none() {
                    break;
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    child.kill().expect("SIGKILL"); // std's kill sends SIGKILL on Unix
    child.wait().unwrap();
    for w in workers {
        let _ = w.await;
    }
    let created = created.lock().unwrap().clone();
    let added = added.lock().unwrap().clone();
    assert!(created.len() > 20, "the load ran before the kill ({} users)", created.len());

    let (mut child, base) = start(&dir);
    let get = |url: String| {
        let c = client.clone();
        async move { c.get(url).bearer_auth(TOKEN).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let group = get(format!("{base}/Groups/{gid}")).await;
    let members: Vec<&str> =
        group["members"].as_array().map(|a| a.iter().filter_map(|m| m["value"].as_str()).collect()).unwrap_or_default();
    for id in &added {
        assert!(members.contains(&id.as_str()), "acknowledged member {id} lost");
    }
    for id in &created {
        let u = get(format!("{base}/Users/{id}")).await;
        assert_eq!(u["id"], id.as_str(), "acknowledged user {id} lost: {u}");
        assert_eq!(u.get("title"), u.get("nickName"), "half-applied PATCH visible: {u}");
    }
    // The provisioning events (RFC 9967) are written in the write's own transaction: every
    // acknowledged create has its event, and no create event names a user that is not there.
    let mut creates: Vec<String> = Vec::new();
    let mut ack: Vec<String> = Vec::new();
    loop {
        let answer = client
            .post(format!("{base}/Events"))
            .bearer_auth(TOKEN)
            .header("content-type", "application/scim+json")
            .body(json!({"ack": ack, "maxEvents": 1000}).to_string())
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        ack.clear();
        for (jti, set) in answer["sets"].as_object().unwrap() {
            ack.push(jti.clone());
            let claims = set.as_str().unwrap().split('.').nth(1).unwrap();
            use base64::Engine as _;
            let claims: Value =
                serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).unwrap())
                    .unwrap();
            if claims["events"].get("urn:ietf:params:scim:event:prov:create:notice").is_some()
                && claims["sub_id"]["uri"].as_str().unwrap().starts_with("/Users/")
            {
                creates.push(claims["sub_id"]["id"].as_str().unwrap().to_owned());
            }
        }
        if answer["moreAvailable"] != true {
            break;
        }
    }
    for id in &created {
        assert!(creates.contains(id), "acknowledged user {id} has no provisioning event");
    }
    for id in &creates {
        let u = get(format!("{base}/Users/{id}")).await;
        assert_eq!(u["id"], id.as_str(), "a create event names user {id}, which does not exist: {u}");
    }
    // The audit log is written in the same transaction too: every acknowledged create and
    // member add has its audit event, and every create in the log names a user that exists.
    let admin = base.replace("/scim/v2", "/admin/v1");
    let (mut logged, mut member_adds, mut after) = (Vec::new(), Vec::new(), 0);
    loop {
        let page = client
            .get(format!("{admin}/events?after={after}&limit=1000"))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        for e in page["events"].as_array().unwrap() {
            match (e["action"].as_str(), e["resource_type"].as_str()) {
                (Some("create"), Some("User")) => logged.push(e["resource_id"].as_str().unwrap().to_owned()),
                (Some("patch"), Some("Group")) => {
                    member_adds.extend(e["after"]["members_added"].as_array().into_iter().flatten().cloned())
                }
                _ => {}
            }
        }
        after = page["next_after"].as_u64().unwrap();
        if page["more"] != true {
            break;
        }
    }
    for id in &created {
        assert!(logged.contains(id), "acknowledged user {id} has no audit event");
    }
    for id in &added {
        assert!(member_adds.contains(&Value::from(id.as_str())), "acknowledged member add {id} has no audit event");
    }
    for id in &logged {
        assert!(creates.contains(id), "the audit log names user {id}, which has no provisioning event");
    }
    // The admin state survived too: the admin token and the built-in key still work.
    let settings = client
        .get(format!("{}/settings", base.replace("/scim/v2", "/admin/v1")))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(settings.status(), 200);
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "durability: {} users and {} member adds acknowledged before SIGKILL, all present after restart; {} create events (a write committed but not yet acknowledged has one too), each naming a user that exists; {} audit creates, each with its provisioning event",
        created.len(),
        added.len(),
        creates.len(),
        logged.len()
    );
}
