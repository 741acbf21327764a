//! Bounded everything: oversized values and lists get the right error, and a client trickling
//! bytes cannot hold the server.

use crate::support::TestServer;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn oversized_input_gets_a_clear_error() {
    let s = TestServer::start().await;
    let long = "x".repeat(70 * 1024);
    let r = s.send("POST", "/Users", Some(&json!({"userName": "a@example.com", "title": long}).to_string())).await;
    assert_eq!((r.status, r.json["scimType"].as_str()), (400, Some("invalidValue")));
    assert!(r.json["detail"].as_str().unwrap().contains("limit"));

    let emails: Vec<Value> = (0..10_001).map(|i| json!({"value": format!("{i}@x.org")})).collect();
    let r = s.send("POST", "/Users", Some(&json!({"userName": "b@example.com", "emails": emails}).to_string())).await;
    assert_eq!((r.status, r.json["scimType"].as_str()), (400, Some("tooMany")));

    let u = s.send("POST", "/Users", Some(r#"{"userName":"c@example.com"}"#)).await;
    let ops: Vec<Value> = (0..1001).map(|_| json!({"op": "replace", "path": "title", "value": "x"})).collect();
    let r = s
        .send(
            "PATCH",
            &format!("/Users/{}", u.json["id"].as_str().unwrap()),
            Some(&json!({"Operations": ops}).to_string()),
        )
        .await;
    assert_eq!((r.status, r.json["scimType"].as_str()), (400, Some("tooMany")));

    let deep = format!("{}a pr{}", "(".repeat(5000), ")".repeat(5000));
    let r = s.send("POST", "/Users/.search", Some(&json!({"filter": deep}).to_string())).await;
    assert_eq!((r.status, r.json["scimType"].as_str()), (400, Some("invalidFilter")));

    let r = s.send("GET", "/Users?count=999999999", None).await;
    assert_eq!(r.status, 200, "a huge count is clamped, not an error");
    assert_eq!(s.send("GET", "/Users?count=99999999999999999999999", None).await.status, 400);
}

#[tokio::test]
async fn a_trickling_client_cannot_hold_the_server() {
    let config = scimcheck::api::Config { header_timeout: Duration::from_millis(300), ..Default::default() };
    let s = TestServer::with_config(config).await;
    // A client that sends half a request line and stops.
    let mut slow = tokio::net::TcpStream::connect(s.running.addr).await.unwrap();
    slow.write_all(b"GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthor").await.unwrap();
    // Others are served meanwhile.
    let t = Instant::now();
    for _ in 0..20 {
        assert_eq!(s.send("GET", "/ServiceProviderConfig", None).await.status, 200);
    }
    assert!(t.elapsed() < Duration::from_millis(300), "served while the slow client stalled");
    // And the slow client is cut off after the header timeout.
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server closed the stalled connection");
}

/// A client still sending an oversized body (20 MB POST, a 3 MB PATCH of 100,000 operations)
/// reads the 413, instead of a connection reset before it finished writing.
#[tokio::test]
async fn a_client_sending_too_much_reads_the_413() {
    let s = TestServer::start().await;
    let huge = format!(r#"{{"userName":"big@example.com","title":"{}"}}"#, "x".repeat(20 << 20));
    let ops =
        format!(r#"{{"Operations":[{}]}}"#, vec![r#"{"op":"replace","path":"title","value":"x"}"#; 100_000].join(","));
    for (method, path, body) in [("POST", "/scim/v2/Users", huge), ("PATCH", "/scim/v2/Users/any", ops)] {
        let mut stream = tokio::net::TcpStream::connect(s.running.addr).await.unwrap();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\ncontent-type: application/scim+json\r\ncontent-length: {}\r\n\r\n",
            s.token,
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        // Send the whole body, as a client that does not wait for an early answer does.
        let sent = stream.write_all(body.as_bytes()).await;
        assert!(sent.is_ok(), "{method}: the connection was reset while sending: {sent:?}");
        let mut answer = vec![0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut answer)).await.unwrap().unwrap();
        let answer = String::from_utf8_lossy(&answer[..n]);
        assert!(answer.starts_with("HTTP/1.1 413"), "{method}: {answer}");
        assert!(answer.contains("maxPayloadSize"), "{method}: the 413 names the limit: {answer}");
    }
}
