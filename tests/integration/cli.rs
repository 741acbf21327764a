//! The command line as a new user meets it: a bad target ends in one line naming the cause and
//! exit code 2; bad arguments are refused before anything starts; `serve` takes its address
//! before it creates or prints anything; `--data` errors name the path; keys and a rotated admin
//! token survive restarts.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Output, Stdio};

fn scimcheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scimcheck")).args(args).env("RUST_LOG", "warn").output().expect("the binary runs")
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A server that answers every request with an HTML 404 page (a static file server).
fn html_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let body = "<html><body>Not Found</body></html>";
            let _ = write!(
                stream,
                "HTTP/1.1 404 Not Found\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

#[test]
fn unreachable_html_and_refused_targets_end_in_one_line_with_exit_2() {
    let closed = format!("http://127.0.0.1:{}/scim/v2", free_port());
    let dir = std::env::temp_dir().join(format!("scimcheck-cli-{}", free_port()));
    std::fs::create_dir_all(&dir).unwrap();
    let (json, junit, html, sarif) = (dir.join("r.json"), dir.join("r.xml"), dir.join("r.html"), dir.join("r.sarif"));
    let o = scimcheck(&[
        "check",
        "--base-url",
        &closed,
        "--token",
        "t",
        "--json",
        json.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
        "--sarif",
        sarif.to_str().unwrap(),
    ]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.contains("connection refused") && err.contains("--base-url"), "{err}");
    // The requested reports are written anyway, with the cause.
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert!(report["meta"]["not_started"].as_str().unwrap().contains("connection refused"), "{report}");
    assert_eq!(report["summary"]["result"], "fail");
    assert!(std::fs::read_to_string(&html).unwrap().contains("The run could not start: cannot reach"));
    assert!(std::fs::read_to_string(&junit).unwrap().contains("<testsuites>"));
    assert!(std::fs::read_to_string(&sarif).unwrap().contains("\"version\": \"2.1.0\""));

    let html = format!("http://127.0.0.1:{}/scim/v2", html_server());
    let o = scimcheck(&["check", "--base-url", &html, "--token", "t"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("text/html, not SCIM JSON") && err.trim().lines().count() == 1, "{err}");

    let (mut server, base) = serve(&["--in-memory", "--token", "right"]);
    let o = scimcheck(&["check", "--base-url", &base, "--token", "wrong"]);
    let (_, err) = text(&o);
    let _ = server.kill();
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("answered 401") && err.contains("--token") && err.trim().lines().count() == 1, "{err}");
}

#[test]
fn bad_arguments_are_refused_before_anything_runs() {
    for (args, says) in [
        (
            vec!["check", "--profile", "okat"],
            "possible values: rfc, rfc9967, okta, entra, ipsie-al1, ipsie-al2, interop-profile, product",
        ),
        (vec!["check", "--concurrency", "0"], "0 is not in 1..=256"),
        (vec!["check", "--tags", "@must and ("], "is not a tag expression"),
        (vec!["check", "--base-url", "not-a-url"], "is not an http(s) URL"),
        (vec!["check", "--fixtures", "/nonexistent/fixtures.json"], "--fixtures /nonexistent/fixtures.json"),
        (vec!["check", "--events-listen", "port9977"], "is not an address to listen on; give IP:PORT"),
        (vec!["serve", "--listen", "notanaddress"], "is not an address:port"),
        (vec!["serve", "--fault", "nope"], "unknown fault 'nope'"),
        (vec!["serve", "--without", "teleport"], "unknown feature 'teleport'"),
        (vec!["serve", "--cache-records", "lots"], "invalid value 'lots' for '--cache-records <N>'"),
        (vec!["load", "--base-url", "https://scim.example.com/scim/v2"], "pass --i-accept-load to run it anyway"),
        (vec!["load", "--phase", "warp"], "unknown phase 'warp'; the phases are read-after-write, sustained"),
        (vec!["load", "--rate", "0"], "is not a rate between 0 and 100000"),
        (vec!["load", "--duration", "5h"], "is not a duration like 30s or 2m"),
        (vec!["load", "--max-users", "3"], "3 is not in 10..=1000000"),
        (
            vec!["load", "--tenants", "5", "--base-url", "http://127.0.0.1:9/scim/v2"],
            "give its default tenant's --admin-token",
        ),
        (
            vec!["load", "--tenants-file", "/nonexistent/t.txt", "--base-url", "http://127.0.0.1:9/scim/v2"],
            "cannot read the tenants file /nonexistent/t.txt",
        ),
        (vec!["load", "--tenants-file", "t.txt"], "required arguments were not provided:\n  --base-url"),
    ] {
        let o = scimcheck(&args);
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {out}{err}");
        assert!(err.contains(says), "{args:?} should say '{says}': {err}");
        assert!(
            !err.contains("checking the embedded reference server") && out.is_empty(),
            "{args:?} started something: {out}{err}"
        );
    }
}

#[test]
fn the_run_passes_with_exit_0_and_says_so() {
    let o = scimcheck(&["check", "--tags", "@rfc7644-3.3-created-201"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("The run passes: no MUST-level scenario failed."), "{out}");
}

#[test]
fn the_events_scenarios_run_on_pushed_events_with_events_listen() {
    let o = scimcheck(&["check", "--events-listen", "127.0.0.1:0", "--tags", "@rfc9967"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(err.contains("the embedded reference server pushes its events to http://127.0.0.1:"), "{err}");
    let received = err.lines().find(|l| l.starts_with("events received at")).unwrap_or_default();
    assert!(received.ends_with(", 0 refused as not a SET") && !received.contains(": 0 accepted"), "{err}");
    let row = out.lines().find(|l| l.starts_with("events ")).unwrap_or_default();
    let counts: Vec<&str> = row.split_whitespace().skip(1).collect();
    // 9 scenarios, and the run-wide check that every Set-Txn had its completion event.
    assert_eq!(counts.get(..2), Some(&["10", "0"][..]), "every events scenario ran and passed on pushed events: {out}");
}

/// Starts `scimcheck serve` on a free port; the child and its SCIM base URL.
fn serve(extra: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scimcheck"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("the server prints its address").unwrap();
        if let Some(url) = line.strip_prefix("listening on ") {
            break url.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, base)
}

#[test]
fn a_failed_start_generates_nothing_and_data_errors_name_the_path() {
    let dir = std::env::temp_dir().join(format!("scimcheck-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let o = scimcheck(&["serve", "--listen", &addr, "--data", dir.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert_ne!(o.status.code(), Some(0));
    assert!(err.contains("already in use") && !out.contains("generated"), "{out}{err}");
    assert!(!dir.exists(), "nothing was created by a start that failed");
    drop(taken);

    let file = std::env::temp_dir().join(format!("scimcheck-cli-file-{}", std::process::id()));
    std::fs::write(&file, b"x").unwrap();
    let (_, err) = text(&scimcheck(&["serve", "--listen", "127.0.0.1:0", "--data", file.to_str().unwrap()]));
    assert!(err.contains(file.to_str().unwrap()) && err.contains("is a file, not a directory"), "{err}");
    let _ = std::fs::remove_file(&file);
}

/// With `--cache-records 0` every read goes to SQLite: writes are still read back at once.
#[tokio::test]
async fn without_a_record_cache_reads_come_from_the_database() {
    let dir = std::env::temp_dir().join(format!("scimcheck-cli-nocache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (mut server, base) = serve(&["--data", dir.to_str().unwrap(), "--token", "t", "--cache-records", "0"]);
    let client = scimcheck::suite::http_client(false).unwrap();
    let body = serde_json::json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "nocache"});
    let created: serde_json::Value =
        client.post(format!("{base}/Users")).bearer_auth("t").json(&body).send().await.unwrap().json().await.unwrap();
    let id = created["id"].as_str().expect("created").to_owned();
    let patch = serde_json::json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": false}]});
    let r = client.patch(format!("{base}/Users/{id}")).bearer_auth("t").json(&patch).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let read: serde_json::Value =
        client.get(format!("{base}/Users/{id}")).bearer_auth("t").send().await.unwrap().json().await.unwrap();
    let lookup = format!("{base}/Users?filter=userName%20eq%20%22nocache%22");
    let found: serde_json::Value = client.get(lookup).bearer_auth("t").send().await.unwrap().json().await.unwrap();
    let _ = server.kill();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!((read["userName"].as_str(), read["active"].as_bool()), (Some("nocache"), Some(false)), "{read}");
    assert_eq!(found["totalResults"], 1, "{found}");
    assert_eq!(found["Resources"][0]["active"], false, "{found}");
}

#[tokio::test]
async fn keys_and_a_rotated_admin_token_survive_restarts() {
    let dir = std::env::temp_dir().join(format!("scimcheck-cli-keys-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let client = scimcheck::suite::http_client(false).unwrap();
    let (mut server, base) = serve(&["--data", d, "--token", "scim-1", "--admin-token", "admin-1"]);
    let admin = base.replace("/scim/v2", "/admin/v1");
    let users: serde_json::Value =
        client.get(format!("{admin}/service-users")).bearer_auth("admin-1").send().await.unwrap().json().await.unwrap();
    let user_id = users["service_users"][0]["id"].as_str().unwrap().to_owned();
    let key: serde_json::Value = client
        .post(format!("{admin}/api-keys"))
        .bearer_auth("admin-1")
        .json(&serde_json::json!({"user_id": user_id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = key["token"].as_str().unwrap().to_owned();
    server.kill().unwrap();
    server.wait().unwrap();

    let o = scimcheck(&["rotate-admin-token", "--data", d]);
    let (out, _) = text(&o);
    let rotated = out
        .lines()
        .find_map(|l| l.strip_prefix("new admin token (shown once, only its hash is kept): "))
        .expect(&out)
        .to_owned();
    assert!(!out.contains("generated"), "rotating creates no other credential: {out}");

    let (mut server, base) = serve(&["--data", d]);
    let admin = base.replace("/scim/v2", "/admin/v1");
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(
        status(client.get(format!("{base}/Users")).bearer_auth(&token).send().await.unwrap()),
        200,
        "the key made through the admin API survived"
    );
    assert_eq!(status(client.get(format!("{admin}/settings")).bearer_auth(&rotated).send().await.unwrap()), 200);
    assert_eq!(status(client.get(format!("{admin}/settings")).bearer_auth("admin-1").send().await.unwrap()), 401);
    server.kill().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// docs/ci.md quotes the script `.ci/run` runs, word for word.
#[test]
fn the_ci_recipe_is_the_script_ci_runs() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = std::fs::read_to_string(root.join(".ci/check-a-server.sh")).unwrap();
    let doc = std::fs::read_to_string(root.join("docs/ci.md")).unwrap();
    assert!(doc.contains(&format!("```bash\n{script}```")), "docs/ci.md must quote .ci/check-a-server.sh exactly");
    assert!(std::fs::read_to_string(root.join(".ci/run")).unwrap().contains("bash .ci/check-a-server.sh"));
}

/// The processes `pid` started, from every one of its threads.
fn children_of(pid: u32) -> Vec<u32> {
    let tasks =
        std::fs::read_dir(format!("/proc/{pid}/task")).map(|d| d.flatten().collect()).unwrap_or_else(|_| vec![]);
    let lists = tasks.iter().filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok());
    lists.flat_map(|l| l.split_whitespace().filter_map(|p| p.parse().ok()).collect::<Vec<u32>>()).collect()
}

/// A bench stopped with SIGTERM (as `timeout` or a cancelled CI job stops it) stops the two
/// servers it started and removes its data directory: nothing keeps running, or filling /tmp.
#[test]
fn a_terminated_bench_leaves_no_server_and_no_data_behind() {
    let tmp = std::env::temp_dir().join(format!("scimcheck-bench-term-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let mut bench = Command::new(env!("CARGO_BIN_EXE_scimcheck"))
        .args(["bench", "--quick"])
        .env("TMPDIR", &tmp)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let data = tmp.join(format!("scimcheck-bench-{}", bench.id()));
    let started = std::time::Instant::now();
    let servers = loop {
        let servers = children_of(bench.id());
        if servers.len() == 2 && data.join("scimcheck.db").is_file() {
            break servers;
        }
        assert!(started.elapsed().as_secs() < 60, "the bench did not start its two servers");
        assert!(bench.try_wait().unwrap().is_none(), "the bench ended before it was stopped");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let killed = Command::new("kill").args(["-TERM", &bench.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = loop {
        if let Some(s) = bench.try_wait().unwrap() {
            break s;
        }
        assert!(started.elapsed().as_secs() < 90, "the bench did not stop on SIGTERM");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130), "{status:?}");
    for pid in servers {
        assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists(), "server {pid} still runs");
    }
    assert!(!data.exists(), "{} was left behind", data.display());
    let _ = std::fs::remove_dir_all(&tmp);
}
