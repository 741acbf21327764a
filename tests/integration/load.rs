//! `scimcheck load` against the reference server passes every phase and leaves nothing behind;
//! against a racy or slow variant of it (a fault that only shows under load), the phase meant to
//! catch that defect fails while the same phase passes on the correct server.

use scimcheck::faults::run::load_on;
use scimcheck::load::{Created, LoadOptions, Verdict, run};
use std::time::Duration;

const TOKEN: &str = "load-test-token";

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime")
}

#[test]
fn the_reference_server_passes_every_phase_and_keeps_nothing() {
    rt().block_on(async {
        let app = scimcheck::app::reference(TOKEN, "load-test-admin", Default::default());
        let running = scimcheck::server::spawn(app.clone()).await.expect("a server");
        let mut opts = LoadOptions::new(&running.base_url());
        opts.headers.push(("authorization".into(), format!("Bearer {TOKEN}")));
        opts.duration = Duration::from_secs(2);
        opts.max_users = 1_500;
        let report = run(&opts, &Created::default(), &|_, _, _| {}).await.expect("the run completes");
        let bad: Vec<_> = report.phases.iter().filter(|p| matches!(p.verdict, Verdict::Fail | Verdict::Skip)).collect();
        assert!(bad.is_empty(), "phases that did not pass on the reference server: {bad:#?}");
        assert_eq!(report.phases.len(), 8);
        assert!(report.created > 1_100, "the membership phase creates its 1,001 users: {}", report.created);
        assert_eq!(report.left_behind, 0);
        // Nothing named with the run's prefix is left.
        let client = reqwest::Client::new();
        for (kind, attr) in [("Users", "userName"), ("Groups", "displayName")] {
            let url = format!("{}/{kind}?filter={attr}%20sw%20%22{}%22", running.base_url(), report.prefix);
            let body: serde_json::Value =
                client.get(url).bearer_auth(TOKEN).send().await.unwrap().json().await.unwrap();
            assert_eq!(body["totalResults"], 0, "{kind} left behind: {body}");
        }
        running.stop().await;
    });
}

#[test]
fn racy_and_slow_variants_fail_the_phase_that_catches_them() {
    rt().block_on(async {
        for (fault, phase) in [
            ("create-race-500", "creates"),
            ("member-add-lost-update", "member-adds"),
            ("group-patch-slow", "membership"),
        ] {
            let clean = load_on(None, phase).await.unwrap();
            assert_eq!(clean.verdict, Verdict::Pass, "{phase} on the correct server: {clean:?}");
            let broken = load_on(Some(scimcheck::faults::named(fault).unwrap()), phase).await.unwrap();
            assert_eq!(broken.verdict, Verdict::Fail, "{phase} with {fault}: {broken:?}");
        }
    });
}

#[test]
fn throttling_is_honoured_and_reported() {
    rt().block_on(async {
        let mut app = scimcheck::app::App::in_memory(Default::default(), TOKEN, "load-test-admin");
        // Enough for the phase's 50 seed users, not for 25 requests a second on top.
        app.rate_limit = Some(80);
        let running = scimcheck::server::spawn(std::sync::Arc::new(app)).await.expect("a server");
        let mut opts = LoadOptions::new(&running.base_url());
        opts.headers.push(("authorization".into(), format!("Bearer {TOKEN}")));
        opts.duration = Duration::from_secs(2);
        opts.only = vec![scimcheck::load::phases::Phase::Sustained];
        let started = std::time::Instant::now();
        let report = run(&opts, &Created::default(), &|_, _, _| {}).await.expect("the run completes");
        let phase = &report.phases[0];
        assert_eq!(phase.verdict, Verdict::Fail, "{phase:?}");
        assert!(phase.figure.contains("throttled (429)"), "{phase:?}");
        // The phase ends within its bound (it sends nothing more after a 429 until Retry-After);
        // the cleanup waits for Retry-After (the rest of the minute) and removes everything.
        assert!(phase.seconds < 5.0, "{phase:?}");
        assert_eq!(report.left_behind, 0);
        assert!(started.elapsed() < Duration::from_secs(90), "{:?}", started.elapsed());
        running.stop().await;
    });
}
