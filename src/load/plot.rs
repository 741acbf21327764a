//! Charts for the HTML reports of `load` and `bench`: inline SVG drawn with plotters (no
//! JavaScript, no fonts embedded, no network), so a report stays one self-contained file.
//!
//! Each function takes the figures and returns one `<svg>` element as a string; the reports
//! place it. Text is left to the browser's sans-serif font.

use plotters::coord::Shift;
use plotters::prelude::*;

const W: u32 = 640;
const H: u32 = 320;
/// Colours of the series, in order.
const COLOURS: [RGBColor; 4] =
    [RGBColor(31, 119, 180), RGBColor(214, 39, 40), RGBColor(44, 160, 44), RGBColor(148, 103, 189)];

/// A named line of `(x, y)` points.
#[derive(Debug)]
pub struct Series<'a> {
    pub name: &'a str,
    pub points: Vec<(f64, f64)>,
}

/// A line chart as data (kept in the JSON report), drawn by [`Chart::svg`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub log_x: bool,
    /// `(name, points)` per line.
    pub series: Vec<(String, Vec<(f64, f64)>)>,
}

impl Chart {
    pub fn svg(&self) -> String {
        let series: Vec<Series<'_>> =
            self.series.iter().map(|(name, points)| Series { name, points: points.clone() }).collect();
        lines(&self.title, &self.x_label, &self.y_label, &series, self.log_x)
    }
}

fn extent(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(v), h.max(v)));
    if lo.is_finite() && hi.is_finite() { (lo, hi) } else { (0.0, 1.0) }
}

/// Lines with points; a logarithmic x axis when `log_x` (every x must then be positive).
pub fn lines(title: &str, x_label: &str, y_label: &str, series: &[Series<'_>], log_x: bool) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        let _ = draw_lines(&root, title, x_label, y_label, series, log_x);
        let _ = root.present();
    }
    svg
}

fn draw_lines(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series<'_>],
    log_x: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    root.fill(&WHITE)?;
    let (x0, x1) = extent(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)));
    let (_, y1) = extent(series.iter().flat_map(|s| s.points.iter().map(|p| p.1)));
    let y_range = 0.0..(y1 * 1.1).max(1e-9);
    let mut builder = ChartBuilder::on(root);
    builder.caption(title, ("sans-serif", 16)).margin(10).x_label_area_size(36).y_label_area_size(56);
    if log_x {
        let mut chart = builder.build_cartesian_2d((x0.max(1e-9)..x1.max(x0 * 1.01)).log_scale(), y_range)?;
        draw_series(&mut chart, x_label, y_label, series)
    } else {
        let x_range = if x1 > x0 { x0..x1 } else { x0..x0 + 1.0 };
        let mut chart = builder.build_cartesian_2d(x_range, y_range)?;
        draw_series(&mut chart, x_label, y_label, series)
    }
}

fn draw_series<'a, 'b, X>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, plotters::coord::types::RangedCoordf64>>,
    x_label: &str,
    y_label: &str,
    series: &[Series<'_>],
) -> Result<(), Box<dyn std::error::Error>>
where
    X: Ranged<ValueType = f64> + plotters::coord::ranged1d::ValueFormatter<f64>,
    'b: 'a,
{
    chart.configure_mesh().x_desc(x_label).y_desc(y_label).draw()?;
    for (i, s) in series.iter().enumerate() {
        let c = COLOURS[i % COLOURS.len()];
        chart
            .draw_series(LineSeries::new(s.points.iter().copied(), c.stroke_width(2)))?
            .label(s.name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2)));
        // Points only where there are few enough to tell apart.
        if s.points.len() <= 60 {
            chart.draw_series(s.points.iter().map(|p| Circle::new(*p, 3, c.filled())))?;
        }
    }
    chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
    Ok(())
}

/// Horizontal bars, one per `(label, value)`, with a reference line at `mark` (e.g. an aim).
pub fn bars(title: &str, value_label: &str, items: &[(String, f64)], mark: Option<f64>) -> String {
    let mut svg = String::new();
    {
        let height = (60 + 26 * items.len() as u32).max(160);
        let root = SVGBackend::with_string(&mut svg, (W, height)).into_drawing_area();
        let _ = draw_bars(&root, title, value_label, items, mark);
        let _ = root.present();
    }
    svg
}

fn draw_bars(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    title: &str,
    value_label: &str,
    items: &[(String, f64)],
    mark: Option<f64>,
) -> Result<(), Box<dyn std::error::Error>> {
    root.fill(&WHITE)?;
    let (_, hi) = extent(items.iter().map(|i| i.1).chain(mark));
    let n = items.len().max(1) as f64;
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(220)
        .build_cartesian_2d(0.0..(hi * 1.1).max(1e-9), 0.0..n)?;
    let label_of = |y: &f64| {
        let i = (n - y - 0.5).round();
        if (y.fract() - 0.5).abs() < 1e-6 && i >= 0.0 {
            items.get(i as usize).map(|x| x.0.clone()).unwrap_or_default()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(items.len() * 2 + 1)
        .y_label_formatter(&label_of)
        .x_desc(value_label)
        .draw()?;
    chart.draw_series(items.iter().enumerate().map(|(i, (_, v))| {
        let top = n - i as f64;
        Rectangle::new([(0.0, top - 0.85), (*v, top - 0.15)], COLOURS[0].filled())
    }))?;
    if let Some(m) = mark {
        chart.draw_series(std::iter::once(PathElement::new(vec![(m, 0.0), (m, n)], COLOURS[1].stroke_width(2))))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_one_svg_element_with_its_text() {
        let svg = lines(
            "latency by group size",
            "members",
            "ms",
            &[Series { name: "p99", points: vec![(10.0, 1.0), (1000.0, 2.5), (100_000.0, 3.0)] }],
            true,
        );
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{svg}");
        for text in ["latency by group size", "members", "p99"] {
            assert!(svg.contains(text), "the chart shows '{text}'");
        }
        assert!(svg.contains("<polyline") || svg.contains("<path"), "a line is drawn");
        let b =
            bars("vs bare", "% of the bare baseline", &[("GET by id".into(), 52.0), ("POST".into(), 4.0)], Some(50.0));
        assert!(b.contains("GET by id") && b.contains("<rect"), "{b}");
        assert!(!svg.contains("<script") && !b.contains("<script"), "no JavaScript");
    }
}
