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
        // The curves behind the figures: the ramp's rate and latency, membership by group size.
        let charts = |name: &str| report.phases.iter().find(|p| p.name == name).map_or(0, |p| p.charts.len());
        assert_eq!(
            (charts("highest rate held"), charts("membership PATCH latency by group size")),
            (2, 1),
            "{report:#?}"
        );
        let html = report.html();
        assert_eq!(html.matches("<svg").count(), 3, "each chart is inline SVG");
        assert!(!html.contains("<script"), "no JavaScript in the load report");
        // CI renders it in headless Chromium (.ci/check-report.mjs).
        std::fs::write(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("known-load.html"), &html).unwrap();
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

#[test]
fn many_tenants_are_driven_at_their_rate_each_with_its_own_key() {
    rt().block_on(async {
        let app = scimcheck::app::reference(TOKEN, "load-test-admin", Default::default());
        let running = scimcheck::server::spawn(app.clone()).await.expect("a server");
        let client = scimcheck::suite::http_client(false).unwrap();
        let admin = [("authorization".to_owned(), "Bearer load-test-admin".to_owned())];
        let target = scimcheck::load::driver::Target::new(&running.base_url(), admin.to_vec(), client.clone()).unwrap();
        let tenants = scimcheck::load::tenants::provision(&target, "lt", 4, 12).await.expect("tenants are created");
        assert_eq!(tenants.iter().map(|t| t.users.len()).collect::<Vec<_>>(), [12, 12, 12, 12]);
        // A tenant's key opens its own tenant only.
        let origin = running.base_url().replace("/scim/v2", "");
        let (own, other) = (&tenants[0], &tenants[1]);
        let get = |base: &str, id: &str| {
            client.get(format!("{origin}{base}/Users/{id}")).header("authorization", &*own.auth).send()
        };
        assert_eq!(get(&own.base, &own.users[0].0).await.unwrap().status(), 200);
        assert_eq!(get(&other.base, &other.users[0].0).await.unwrap().status(), 401);
        let tenants = std::sync::Arc::new(tenants);
        let times = (Duration::from_millis(500), Duration::from_millis(1500));
        let run = scimcheck::load::tenants::drive(&target, tenants, 20.0, times, 2).await.expect("the run completes");
        assert_eq!(run.errors, 0, "{run:#?}");
        assert_eq!(run.starved(), 0, "every tenant got at least 90% of its 20 req/s: {run:#?}");
        // 1.5 s at 20 req/s each: the half second of warm-up before it is not counted.
        assert!(run.per_tenant.iter().all(|t| (27..=31).contains(&t.requests)), "{run:#?}");
        assert!((run.seconds - 1.5).abs() < 0.3 && run.warmup_p99_ms > 0.0, "{run:#?}");
        assert!(run.durable_writes > 0 && run.p99_spread().1 >= run.p99_spread().0);
        running.stop().await;
    });
}

#[test]
fn tenants_that_exist_are_driven_from_a_file_and_left_as_they_were() {
    rt().block_on(async {
        // Two servers that answer PATCH with 204 (as scim2-server does): no error for the mix.
        // The run's --base-url is the first; one listed tenant lives on the second, so a request
        // or a removal sent to the wrong origin fails (its key is unknown there).
        let mut servers = Vec::new();
        // The second also closes every connection after its answer, as scim2-server does.
        use scimcheck::variants::Variant::{CloseConnections, PatchNoContent};
        for variants in [vec![PatchNoContent], vec![PatchNoContent, CloseConnections]] {
            let mut app = scimcheck::app::App::in_memory(Default::default(), TOKEN, "load-test-admin");
            app.variants = variants;
            servers.push(scimcheck::server::spawn(std::sync::Arc::new(app)).await.expect("a server"));
        }
        let running = &servers[0];
        let client = scimcheck::suite::http_client(false).unwrap();
        let admin = [("authorization".to_owned(), "Bearer load-test-admin".to_owned())];
        // Three tenants that exist before the run, each with 12 users and a group: two on the
        // first server, one on the second.
        let mut tenants = Vec::new();
        for (server, prefix, n) in [(&servers[0], "lf", 2), (&servers[1], "lg", 1)] {
            let target =
                scimcheck::load::driver::Target::new(&server.base_url(), admin.to_vec(), client.clone()).unwrap();
            let made = scimcheck::load::tenants::provision(&target, prefix, n, 12).await.expect("tenants are created");
            let origin = server.base_url().replace("/scim/v2", "");
            tenants.extend(made.into_iter().map(|t| (origin.clone(), t)));
        }
        let lines: String = tenants
            .iter()
            .map(|(origin, t)| format!("{origin}{} {}\n", t.base, t.auth.trim_start_matches("Bearer ")))
            .collect();
        let listed = scimcheck::load::listed::parse(&format!("# three tenants\n{lines}")).unwrap();
        assert_ne!(listed[0].origin, listed[2].origin);
        let mut opts = LoadOptions::new(&running.base_url());
        opts.headers.push(("authorization".into(), format!("Bearer {TOKEN}")));
        opts.duration = Duration::from_secs(2);
        opts.rate = 10.0;
        opts.only = vec![scimcheck::load::phases::Phase::Tenants];
        opts.tenants = listed.len();
        opts.listed = listed;
        let report = run(&opts, &Created::default(), &|_, _, _| {}).await.expect("the run completes");
        assert_eq!(report.phases.len(), 1, "{report:#?}");
        let phase = &report.phases[0];
        assert_eq!(phase.verdict, Verdict::Pass, "{phase:#?}");
        assert!(phase.figure.starts_with("3 tenants: ") && phase.figure.contains(", 0.0% errors"), "{phase:#?}");
        // The requests of the tenant on the second server, a third, each opened a connection.
        let counts: Vec<f64> =
            phase.figure.split("; ").nth(1).unwrap_or_default().split(' ').filter_map(|w| w.parse().ok()).collect();
        assert!(matches!(counts[..], [n, of] if (0.25..=0.4).contains(&(n / of))), "{phase:#?}");
        // 12 users and a group for each tenant, and the users the run's creates made.
        assert!(report.created >= 3 * 13, "{}", report.created);
        assert_eq!(report.left_behind, 0);
        // Each tenant is as it was: its own 12 users and its one group, nothing of the run's.
        for (origin, t) in &tenants {
            for (kind, n) in [("Users", 12), ("Groups", 1)] {
                let url = format!("{origin}{}/{kind}?count=0", t.base);
                let body: serde_json::Value =
                    client.get(url).header("authorization", &*t.auth).send().await.unwrap().json().await.unwrap();
                assert_eq!(body["totalResults"], n, "{} {kind}: {body}", t.name);
            }
        }
        for server in servers {
            server.stop().await;
        }
    });
}
