//! Filter parser throughput on the shared 10,000-filter corpus, and how fast hostile nesting
//! is rejected. Run with `cargo bench --bench filters` or `cargo xtask bench filters`.
//!
//! The corpus path defaults to `../shared/bench/filters.txt`; `SCIMCHECK_FILTER_CORPUS`
//! overrides it. Figures are printed, not asserted: speed is measured here, not tested.

use scimcheck::filter::{Limits, parse, parse_with};

// The allocator the scimcheck binary uses, so the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The fastest parser measured on the same file and kind of machine (npm scim2-parse-filter,
/// see ../shared/bench/README.md), for the ratio printed below.
const REFERENCE_FILTERS_PER_SEC: f64 = 450_000.0;

fn main() {
    let path = std::env::var("SCIMCHECK_FILTER_CORPUS")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/bench/filters.txt").to_owned());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let filters: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    let bytes: usize = filters.iter().map(|f| f.len()).sum();
    let strict = Limits { lenient: false, ..Limits::default() };
    let rejected: Vec<&str> = filters.iter().copied().filter(|f| parse_with(f, strict).is_err()).collect();
    println!("corpus: {} filters, {} bytes, {} rejected (strict)", filters.len(), bytes, rejected.len());
    for r in rejected.iter().take(5) {
        println!("  rejected: {r}");
    }

    // Warm up, then run whole passes for at least two seconds; report the best pass and the mean.
    for f in &filters {
        black_box(parse(f).ok());
    }
    let mut passes = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) || passes.len() < 5 {
        let t = Instant::now();
        for f in &filters {
            black_box(parse(black_box(f)).ok());
        }
        passes.push(t.elapsed());
    }
    let best = passes.iter().min().expect("at least one pass");
    let mean = passes.iter().sum::<Duration>() / passes.len() as u32;
    let per_sec = |d: &Duration| filters.len() as f64 / d.as_secs_f64();
    println!(
        "parse: {} passes; best {:.0} filters/s ({:.1} MB/s), mean {:.0} filters/s; {:.1}x the reference 450,000/s",
        passes.len(),
        per_sec(best),
        bytes as f64 / best.as_secs_f64() / 1e6,
        per_sec(&mean),
        per_sec(&mean) / REFERENCE_FILTERS_PER_SEC
    );

    for (label, input, limits) in [
        (
            "10,000-deep '(' (length budget)",
            format!("{}a pr{}", "(".repeat(10_000), ")".repeat(10_000)),
            Limits::default(),
        ),
        (
            "10,000-deep '(' (depth budget, no length limit)",
            format!("{}a pr{}", "(".repeat(10_000), ")".repeat(10_000)),
            Limits { max_len: usize::MAX, ..Limits::default() },
        ),
        ("10,000-deep 'not ('", "not (".repeat(10_000), Limits { max_len: usize::MAX, ..Limits::default() }),
    ] {
        let runs = 200;
        let t = Instant::now();
        for _ in 0..runs {
            assert!(parse_with(black_box(&input), limits).is_err());
        }
        println!("reject {label}: {:.1} µs per attempt", t.elapsed().as_secs_f64() * 1e6 / runs as f64);
    }
}
