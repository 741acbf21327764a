//! HTTPS end to end: `serve` over TLS (rustls, a self-signed certificate), checked by the suite
//! with `--insecure`, and refused without it.

use scimcheck::{api, app, server, suite};

#[tokio::test]
async fn the_suite_checks_an_https_server() {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let dir = std::env::temp_dir().join(format!("scimcheck-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.key_pair.serialize_pem()).unwrap();
    let acceptor = server::tls_acceptor(&cert_path, &key_path).unwrap();

    let token = api::auth::generate_token("scim");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(server::run_with(
        listener,
        app::reference(&token, "admin", api::Config::default()),
        Some(acceptor),
        async {
            let _ = stopped.await;
        },
    ));
    let base = format!("https://{addr}/scim/v2");

    let mut opts = suite::RunOptions::new(&base, Some(&token));
    opts.insecure = true;
    opts.tags = Some("@discovery or @crud".into());
    let report = suite::run(opts).await.unwrap();
    assert!(report.passed() > 20 && report.failed() == 0, "{}", report.summary_line());
    assert!(report.scenarios.iter().flat_map(|s| &s.transcript).all(|e| e.url.starts_with("https://")));

    // Without --insecure the self-signed certificate is refused: the run cannot pass.
    let strict_client = suite::http_client(false).unwrap();
    assert!(strict_client.get(format!("{base}/ServiceProviderConfig")).send().await.is_err());
    // Plain HTTP on the TLS port is not served.
    assert!(reqwest::get(format!("http://{addr}/healthz")).await.is_err());

    let _ = stop.send(());
    let _ = handle.await;
    let _ = std::fs::remove_dir_all(&dir);
}
