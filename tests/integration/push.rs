//! RFC 8935 push delivery from the reference server: a tenant's events reach its receiver in
//! order, also when the receiver was down for a while (retried with back-off, none lost), and
//! an event the receiver refuses with 400 is counted and not sent again.

use crate::support::TestServer;
use serde_json::{Value, json};
use std::time::Duration;

async fn stream(s: &TestServer, url: &str) {
    let r = s
        .client
        .put(s.admin("/event-stream"))
        .bearer_auth(&s.admin_token)
        .json(&json!({"endpoint_url": url, "authorization_header": "Bearer receiver-secret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn status(s: &TestServer) -> Value {
    s.client.get(s.admin("/event-stream")).bearer_auth(&s.admin_token).send().await.unwrap().json().await.unwrap()
}

async fn create_users(s: &TestServer, n: usize, prefix: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let r = s.send("POST", "/Users", Some(&json!({"userName": format!("{prefix}{i}")}).to_string())).await;
        assert_eq!(r.status, 201);
        ids.push(r.json["id"].as_str().unwrap().to_owned());
    }
    ids
}

/// Waits up to `secs` for `ok`.
async fn eventually(secs: u64, mut ok: impl FnMut() -> bool) -> bool {
    for _ in 0..secs * 20 {
        if ok() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    ok()
}

#[tokio::test]
async fn events_wait_for_a_receiver_that_is_down_and_arrive_in_order() {
    let s = TestServer::on("sqlite").await;
    // A free port with nothing listening yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    stream(&s, &format!("http://{addr}/")).await;
    let ids = create_users(&s, 20, "push-").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let down = status(&s).await;
    assert!(down["failures_in_a_row"].as_u64().unwrap() >= 1, "delivery was tried and failed: {down}");
    assert!(down["last_error"].as_str().unwrap().contains(&addr.to_string()), "{down}");
    assert_eq!(down["stream"]["authorization_header"], "(set)", "the receiver's credential is never shown");

    let receiver = scimcheck::suite::receiver::start(addr).await.unwrap();
    let log = receiver.log.clone();
    let all_there = eventually(10, || {
        let got = log.lock().unwrap();
        ids.iter().all(|id| got.iter().any(|e| e["sub_id"]["id"] == id.as_str()))
    })
    .await;
    assert!(all_there, "every create event arrived once the receiver was up");
    let got = log.lock().unwrap().clone();
    let order: Vec<&str> = got.iter().filter_map(|e| e["sub_id"]["id"].as_str()).collect();
    assert_eq!(order, ids.iter().map(String::as_str).collect::<Vec<_>>(), "in the order of the writes, once each");
    let up = status(&s).await;
    assert_eq!((up["delivered"].as_u64(), up["failures_in_a_row"].as_u64()), (Some(20), Some(0)), "{up}");
    // Delivered events are forgotten: the poll endpoint has none left.
    let polled = s.send("POST", "/Events", Some(r#"{"maxEvents": 100}"#)).await;
    assert_eq!(polled.json["sets"], json!({}), "{}", polled.json);
}

#[tokio::test]
async fn an_event_the_receiver_refuses_is_counted_and_not_sent_again() {
    let s = TestServer::start().await;
    // A receiver that refuses everything with an RFC 8935 error, counting the deliveries.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        while let Ok((mut conn, _)) = listener.accept().await {
            let counted = counted.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                while let Ok(n) = conn.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let body = r#"{"err":"invalid_key","description":"unknown issuer"}"#;
                    let reply = format!(
                        "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if conn.write_all(reply.as_bytes()).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    stream(&s, &format!("http://{addr}/")).await;
    create_users(&s, 3, "refused-").await;
    let hits_now = || hits.load(std::sync::atomic::Ordering::SeqCst);
    assert!(eventually(5, || hits_now() >= 3).await, "three deliveries tried");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let st = status(&s).await;
    assert_eq!((st["rejected"].as_u64(), st["delivered"].as_u64()), (Some(3), Some(0)), "{st}");
    assert!(st["last_error"].as_str().unwrap().contains("invalid_key"), "{st}");
    assert_eq!(hits_now(), 3, "a refused event is not sent again");
}
