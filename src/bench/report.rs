//! What `scimcheck bench` prints and writes: the table of rows as ratios to the bare baseline
//! of the same run, the many-tenants figures, and the same as JSON and as one HTML page with
//! inline SVG charts (`--json`, `--html`).

use scimcheck::load::plot::{self, Chart};
use scimcheck::load::tenants::TenantRun;
use serde::Serialize;
use std::fmt::Write as _;

/// One measured request shape.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub phase: String,
    pub name: String,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Percent of the bare baseline's requests per second in the same run.
    pub vs_bare: f64,
    /// The server's CPU time per request, in microseconds (user and system, all threads), in
    /// the run kept; steadier than `vs_bare`, which also moves with the generator's share of
    /// the machine. `None` where `/proc` does not tell.
    pub cpu_us: Option<f64>,
    pub errors: u64,
}

/// CPU time used per second of wall time, in cores.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Cores {
    pub server: f64,
    pub generator: f64,
}

/// A whole bench run.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub started: String,
    pub connections: usize,
    pub baseline_rps: f64,
    pub rows: Vec<Row>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenants: Option<TenantRun>,
    /// The cores the server and the generator used while driving the tenants (warm-up
    /// included): whether the machine, not the server, was the limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cores: Option<Cores>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<super::events::EventsRun>,
}

/// A CPU time per request for a table cell: `12.3 µs`, or `–` when unknown.
fn cpu(us: Option<f64>) -> String {
    us.map_or_else(|| "–".to_owned(), |us| format!("{us:.1} µs"))
}

impl Row {
    /// The row's eight cells as text, in the order both renderings show them (times in ms).
    fn cells(&self) -> [String; 8] {
        [
            self.phase.clone(),
            self.name.clone(),
            format!("{:.0}", self.rps),
            format!("{:.2}", self.p50_ms),
            format!("{:.2}", self.p99_ms),
            format!("{:.1}%", self.vs_bare),
            cpu(self.cpu_us),
            self.errors.to_string(),
        ]
    }
}

impl BenchReport {
    pub fn print(&self) {
        println!(
            "\n{:<5} {:<58} {:>9} {:>9} {:>9} {:>8} {:>9} {:>7}",
            "phase", "request", "req/s", "p50", "p99", "vs bare", "CPU/req", "errors"
        );
        for r in &self.rows {
            let [phase, name, rps, p50, p99, vs_bare, cpu, errors] = r.cells();
            println!("{phase:<5} {name:<58} {rps:>9} {p50:>7}ms {p99:>7}ms {vs_bare:>8} {cpu:>9} {errors:>7}");
        }
        if let Some(e) = &self.events {
            println!(
                "\nevents: {} delivered in {:.1} s after the first pushed write ({:.0} events/s); durable creates {:.0}/s with the stream, {:.0}/s without ({:+.1}%)",
                e.delivered,
                e.seconds,
                e.events_per_second(),
                e.writes_with,
                e.writes_without,
                100.0 * (e.writes_with / e.writes_without.max(1e-9) - 1.0)
            );
        }
        if let Some(t) = &self.tenants {
            let (median, worst) = t.p99_spread();
            println!(
                "\n{} tenants x {:.0} req/s offered ({:.0} req/s): achieved {:.0} req/s ({:.1}% of bare), {:.0} durable writes/s, p50 {:.2} ms, p99 {:.2} ms, {} errors",
                t.tenants,
                t.rate_per_tenant,
                t.rate_per_tenant * t.tenants as f64,
                t.rps(),
                100.0 * t.rps() / self.baseline_rps.max(1e-9),
                t.durable_writes as f64 / t.seconds.max(1e-9),
                t.p50_ms,
                t.p99_ms,
                t.errors
            );
            println!(
                "per-tenant p99: median tenant {median:.2} ms, slowest tenant {worst:.2} ms ({:.1}x); {} tenant(s) got under 90% of their rate",
                worst / median.max(1e-9),
                t.starved()
            );
            if t.warmup_seconds > 0.0 {
                println!(
                    "warm-up before it (not counted): {:.0} s at the same load, p99 {:.2} ms",
                    t.warmup_seconds, t.warmup_p99_ms
                );
            }
            if let Some(c) = self.cores_used() {
                println!("{c}");
            }
        }
    }

    /// What the server and the generator used of the machine while driving the tenants.
    fn cores_used(&self) -> Option<String> {
        let c = self.cores?;
        let machine = std::thread::available_parallelism().map_or(0, |n| n.get());
        Some(format!(
            "CPU while driving (warm-up included): server {:.2} cores, generator {:.2} cores, of {machine} on this machine",
            c.server, c.generator
        ))
    }

    /// Per-tenant p99 (and p50), tenants sorted by p99: the spread at a glance.
    fn tenant_chart(t: &TenantRun) -> Chart {
        let mut by: Vec<(f64, f64)> = t.per_tenant.iter().map(|f| (f.p99_ms, f.p50_ms)).collect();
        by.sort_by(|a, b| a.0.total_cmp(&b.0));
        let n = by.len().max(1) as f64;
        let at = |i: usize| 100.0 * (i + 1) as f64 / n;
        Chart {
            title: format!("Per-tenant latency, {} tenants sorted by p99", t.tenants),
            x_label: "tenants (percent, by p99)".into(),
            y_label: "ms".into(),
            log_x: false,
            series: vec![
                ("p99".into(), by.iter().enumerate().map(|(i, p)| (at(i), p.0)).collect()),
                ("p50".into(), by.iter().enumerate().map(|(i, p)| (at(i), p.1)).collect()),
            ],
        }
    }

    /// One page, no scripts or external resources.
    pub fn html(&self) -> String {
        let mut h = String::new();
        let _ = write!(
            h,
            r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>scimcheck bench</title><style>
body{{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}} .muted{{color:#666}}
figure.chart{{display:inline-block;margin:0 1em 1em 0}} table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ddd;padding:.3em .6em;text-align:left}} td.n{{text-align:right}}
</style></head><body><h1>scimcheck bench</h1>
<p class="muted" id="meta">Started {}, scimcheck {}, {} keep-alive connections. Ratios are to the bare hyper baseline measured in the same run ({:.0} req/s).</p>
<table><tr><th>Phase</th><th>Request</th><th>req/s</th><th>p50 ms</th><th>p99 ms</th><th>vs bare</th><th>Server CPU per request</th><th>Errors</th></tr>
"#,
            esc(&self.started),
            env!("CARGO_PKG_VERSION"),
            self.connections,
            self.baseline_rps
        );
        for r in &self.rows {
            h.push_str(r#"<tr class="row">"#);
            for (i, cell) in r.cells().iter().enumerate() {
                let class = if i < 2 { "" } else { r#" class="n""# };
                let _ = write!(h, "<td{class}>{}</td>", esc(cell));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table>\n");
        let ratios: Vec<(String, f64)> =
            self.rows.iter().skip(1).map(|r| (format!("{} {}", r.phase, short(&r.name)), r.vs_bare)).collect();
        if !ratios.is_empty() {
            let bars = plot::bars(
                "Requests per second, % of the bare baseline",
                "% of bare hyper (line: 50%)",
                &ratios,
                Some(50.0),
            );
            let _ = writeln!(h, r#"<figure class="chart" id="chart-ratios">{bars}</figure>"#);
        }
        if let Some(t) = &self.tenants {
            let (median, worst) = t.p99_spread();
            let _ = writeln!(
                h,
                r#"<h2>{} tenants at once</h2><p id="tenants">{:.0} req/s offered, {:.0} achieved ({:.1}% of bare), {:.0} durable writes/s, p99 {:.2} ms; per-tenant p99 median {median:.2} ms, slowest {worst:.2} ms; {} starved; after {:.0} s of warm-up at the same load (p99 {:.2} ms, not counted). Mix: {}.</p>"#,
                t.tenants,
                t.rate_per_tenant * t.tenants as f64,
                t.rps(),
                100.0 * t.rps() / self.baseline_rps.max(1e-9),
                t.durable_writes as f64 / t.seconds.max(1e-9),
                t.p99_ms,
                t.starved(),
                t.warmup_seconds,
                t.warmup_p99_ms,
                esc(scimcheck::load::tenants::MIX)
            );
            if let Some(c) = self.cores_used() {
                let _ = writeln!(h, r#"<p id="cores">{}.</p>"#, esc(&c));
            }
            let _ = writeln!(h, r#"<figure class="chart" id="chart-tenants">{}</figure>"#, Self::tenant_chart(t).svg());
        }
        h.push_str("</body></html>\n");
        h
    }
}

/// A row's name without its query string, for a chart label.
fn short(name: &str) -> String {
    let s: String = name.split('&').next().unwrap_or(name).chars().take(40).collect();
    s
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use scimcheck::load::tenants::TenantFigures;

    #[test]
    fn the_html_report_draws_the_ratios_and_the_tenant_spread() {
        let row = |name: &str, rps: f64| Row {
            phase: "10k".into(),
            name: name.into(),
            rps,
            p50_ms: 1.0,
            p99_ms: 3.0,
            vs_bare: 100.0 * rps / 40_000.0,
            cpu_us: Some(25.0),
            errors: 0,
        };
        let per_tenant: Vec<TenantFigures> = (0..200)
            .map(|i| TenantFigures {
                name: format!("t{i}"),
                requests: 250,
                errors: 0,
                p50_ms: 2.0,
                p99_ms: 5.0 + i as f64 / 10.0,
            })
            .collect();
        let tenants = TenantRun {
            tenants: 200,
            rate_per_tenant: 25.0,
            seconds: 10.0,
            requests: 50_000,
            errors: 0,
            durable_writes: 7_500,
            new_connections: 0,
            p50_ms: 2.0,
            p99_ms: 20.0,
            warmup_seconds: 3.0,
            warmup_p99_ms: 40.0,
            per_tenant,
        };
        let report = BenchReport {
            started: "2026-12-04T00:00:00Z".into(),
            connections: 32,
            baseline_rps: 40_000.0,
            rows: vec![
                row("bare hyper, fixed JSON", 40_000.0),
                row("GET /Users/{id}", 21_000.0),
                row("POST /Users", 2_100.0),
            ],
            tenants: Some(tenants),
            cores: Some(Cores { server: 1.25, generator: 0.5 }),
            events: None,
        };
        let html = report.html();
        assert!(html.contains("server 1.25 cores, generator 0.50 cores"), "the cores used");
        assert!(html.contains("<td class=\"n\">25.0 µs</td>"), "a row's CPU per request");
        assert_eq!(html.matches("<svg").count(), 2, "the ratios and the per-tenant spread");
        assert!(html.contains("GET /Users/{id}") && html.contains("Per-tenant latency, 200 tenants"));
        assert!(html.contains("52.5%") && !html.contains("<script"));
        assert_eq!(report.tenants.as_ref().unwrap().p99_spread(), (15.0, 24.9));
        // CI renders it in headless Chromium (.ci/check-report.mjs).
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tmp");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("known-bench.html"), &html).unwrap();
    }
}
