//! The reports of `scimcheck load`: a table in the terminal, JSON for machines and one
//! self-contained HTML page, each with every phase's figure, verdict, threshold and reason.

use super::{LoadReport, Verdict};
use crate::suite::output::esc;
use std::fmt::Write as _;

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Warn => "WARN",
            Verdict::Fail => "FAIL",
            Verdict::Skip => "SKIP",
        }
    }
}

impl LoadReport {
    /// The terminal table: one row per phase, the reason under a row that did not pass.
    pub fn print(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        writeln!(out, "\nscimcheck load against {}", self.target)?;
        let width = self.phases.iter().map(|p| p.name.len()).max().unwrap_or(10);
        for p in &self.phases {
            writeln!(out, "  {:<4}  {:<width$}  {:>6.1} s  {}", p.verdict.word(), p.name, p.seconds, p.figure)?;
            if p.verdict != Verdict::Pass && !p.detail.is_empty() {
                writeln!(out, "        {:<width$}            {}", "", p.detail)?;
            }
        }
        writeln!(out, "\nthresholds:")?;
        for p in &self.phases {
            writeln!(out, "  {:<width$}  {}", p.name, p.threshold)?;
        }
        let count = |v: Verdict| self.phases.iter().filter(|p| p.verdict == v).count();
        writeln!(
            out,
            "\n{} phases: {} passed, {} warned, {} failed, {} skipped; {} resources created, {} left behind",
            self.phases.len(),
            count(Verdict::Pass),
            count(Verdict::Warn),
            count(Verdict::Fail),
            count(Verdict::Skip),
            self.created,
            self.left_behind
        )?;
        if self.left_behind > 0 {
            writeln!(
                out,
                "could not remove {} resources named {}-*: remove them by hand",
                self.left_behind, self.prefix
            )?;
        }
        writeln!(out, "The load run {}.", if self.failed() { "FAILS" } else { "passes" })
    }

    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// One page, no scripts or external resources.
    pub fn html(&self) -> String {
        let verdict = if self.failed() { "FAIL" } else { "PASS" };
        let mut h = String::new();
        let _ = write!(
            h,
            r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>scimcheck load: {verdict}</title><style>
body{{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}} .muted{{color:#666}}
.verdict{{display:inline-block;padding:.2em .6em;border-radius:4px;color:#fff;font-weight:bold}}
.PASS{{background:#2e7d32}} .FAIL{{background:#c62828}} .WARN{{background:#f9a825}} .SKIP{{background:#9e9e9e}}
figure.chart{{display:inline-block;margin:0 1em 1em 0}} table{{border-collapse:collapse;margin:1em 0}} td,th{{border:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}}
</style></head><body>
<h1>scimcheck load <span class="verdict {verdict}">{verdict}</span></h1>
<p class="muted">Target <code id="meta-target">{}</code>, started {}, scimcheck {}. {} resources created, {} left behind.</p>
<table><tr><th>Verdict</th><th>Phase</th><th>Figure</th><th>Threshold</th><th>Why</th><th>Seconds</th></tr>
"#,
            esc(&self.target),
            esc(&self.started),
            env!("CARGO_PKG_VERSION"),
            self.created,
            self.left_behind
        );
        for p in &self.phases {
            let w = p.verdict.word();
            let _ = writeln!(
                h,
                r#"<tr class="phase"><td><span class="verdict {w}">{w}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td></tr>"#,
                esc(p.name),
                esc(&p.figure),
                esc(p.threshold),
                // A passing phase needs no reason; its diagnostics would only distract.
                if p.verdict == Verdict::Pass { String::new() } else { esc(&p.detail) },
                p.seconds
            );
        }
        h.push_str("</table>\n");
        for p in self.phases.iter().filter(|p| !p.charts.is_empty()) {
            let _ = writeln!(h, r#"<h2 class="charts">{}</h2><div class="charts">"#, esc(p.name));
            for c in &p.charts {
                let _ = writeln!(h, r#"<figure class="chart">{}</figure>"#, c.svg());
            }
            h.push_str("</div>\n");
        }
        h.push_str("</body></html>\n");
        h
    }
}
