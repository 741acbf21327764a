//! Runs every feature against the reference server, started in-process on 127.0.0.1:0, once on
//! the memory store and once on the SQLite store, then the strict interop-profile scenarios
//! against a `--strict` reference server and the IPSIE AL2 profile against the default one.
//!
//! `harness = false`: this is a plain program. It ignores libtest's arguments (so `cargo test
//! NAME` and `-- --nocapture` still work) and fails on any failed scenario, whatever its level:
//! the reference server must pass its own suite completely.

use scimcheck::{api, app, server, suite};
use std::process::ExitCode;

fn main() -> ExitCode {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    rt.block_on(async {
        let token = api::auth::generate_token("scim");
        let admin = api::auth::generate_token("admin");
        let running =
            server::spawn(app::reference(&token, &admin, api::Config::default())).await.expect("start server");
        let mut opts = suite::RunOptions::new(&running.base_url(), Some(&token));
        opts.admin_token = Some(admin.clone());
        opts.events_poll = Some(format!("{}/Events", running.base_url()));
        opts.tags = std::env::var("SCIMCHECK_TAGS").ok();
        let report = suite::run(opts).await.expect("suite runs");
        running.stop().await;

        let db = scimcheck::store::Database::open_in_memory().expect("sqlite");
        let (durable, _) = app::App::open(api::Config::default(), db, Some(&token), Some(&admin)).expect("durable app");
        let running = server::spawn(std::sync::Arc::new(durable)).await.expect("start durable server");
        let mut opts = suite::RunOptions::new(&running.base_url(), Some(&token));
        opts.admin_token = Some(admin.clone());
        opts.events_poll = Some(format!("{}/Events", running.base_url()));
        let on_sqlite = suite::run(opts).await.expect("suite runs");
        running.stop().await;
        println!("on the SQLite store: {}", on_sqlite.summary_line());
        for s in on_sqlite.scenarios.iter().filter(|s| matches!(s.outcome, suite::Outcome::Failed(_))) {
            println!("  FAILED on SQLite: {} ({}:{})", s.name, s.path, s.line);
        }

        let strict = api::Config { strict: true, ..api::Config::default() };
        let running = server::spawn(app::reference(&token, "unused-admin", strict)).await.expect("start strict server");
        let mut opts = suite::RunOptions::new(&running.base_url(), Some(&token));
        opts.profile = Some("interop-profile".into());
        let iop = suite::run(opts).await.expect("suite runs");
        running.stop().await;
        println!("interop profile against --strict: {}", iop.summary_line());
        for s in iop.scenarios.iter().filter(|s| matches!(s.outcome, suite::Outcome::Failed(_))) {
            println!("  FAILED: {} ({}:{})", s.name, s.path, s.line);
        }

        let running =
            server::spawn(app::reference(&token, "unused-admin", api::Config::default())).await.expect("start server");
        let mut opts = suite::RunOptions::new(&running.base_url(), Some(&token));
        opts.profile = Some("ipsie-al2".into());
        let ipsie = suite::run(opts).await.expect("suite runs");
        running.stop().await;
        println!("IPSIE AL2 profile: {}", ipsie.summary_line());
        for s in ipsie.scenarios.iter().filter(|s| !matches!(s.outcome, suite::Outcome::Passed)) {
            println!("  NOT PASSED: {} ({}:{})", s.name, s.path, s.line);
        }

        let mut all = report;
        all.scenarios.extend(iop.scenarios);
        all.scenarios.extend(ipsie.scenarios);
        all.scenarios.extend(on_sqlite.scenarios.into_iter().filter(|s| !matches!(s.outcome, suite::Outcome::Passed)));
        all.print(&mut std::io::stdout()).expect("stdout");
        if all.failed() > 0 || all.inconclusive() > 0 || all.passed() == 0 {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    })
}
