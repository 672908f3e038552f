//! Server-rendered SVG charts for the console (it runs no script): columns over days and bars by
//! category. Each chart is an image with a title and a description a screen reader reads, and its
//! figures stay in a table beside it; colours come from presentation attributes (the console's CSP
//! allows no inline styles).

use super::html::escape;

/// One column or bar: its label, its value (what is drawn) and how the value is written.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub shown: String,
}

const WIDTH: f64 = 640.0;
const PLOT_HEIGHT: f64 = 140.0;
const LABEL_ROOM: f64 = 22.0;
const FILL: &str = "#1f4fd1";
const AXIS: &str = "#8a94a6";
const TEXT: &str = "#4f566b";

/// The description a screen reader hears: the largest and the total.
fn describe(bars: &[Bar]) -> String {
    match bars
        .iter()
        .max_by(|a, b| a.value.total_cmp(&b.value))
        .filter(|top| top.value > 0.0)
    {
        Some(top) => format!("Highest: {} ({}).", top.label, top.shown),
        None => "Nothing in this period.".to_string(),
    }
}

/// Vertical columns, one per bar (e.g. a day), labelled every `label_every` columns.
pub fn column_chart(id: &str, title: &str, bars: &[Bar], label_every: usize) -> String {
    let top = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    let slot = if bars.is_empty() {
        WIDTH
    } else {
        WIDTH / bars.len() as f64
    };
    let mut svg = format!(
        r#"<svg class="chart" data-testid="{id}" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {WIDTH} {height}" width="100%"><title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>"#,
        height = PLOT_HEIGHT + LABEL_ROOM,
        title = escape(title),
        desc = escape(&describe(bars)),
    );
    for (i, bar) in bars.iter().enumerate() {
        let height = if top > 0.0 {
            (bar.value / top * PLOT_HEIGHT).max(if bar.value > 0.0 { 1.0 } else { 0.0 })
        } else {
            0.0
        };
        let x = i as f64 * slot + slot * 0.15;
        svg.push_str(&format!(
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{height:.1}" fill="{FILL}" data-value="{value}"><title>{label}: {shown}</title></rect>"#,
            y = PLOT_HEIGHT - height,
            w = slot * 0.7,
            value = bar.value,
            label = escape(&bar.label),
            shown = escape(&bar.shown),
        ));
        // Labels count back from the last column (today), every `label_every`; the last one ends at
        // the chart's edge, the others are centred under their column.
        let from_last = bars.len() - 1 - i;
        if label_every > 0 && from_last.is_multiple_of(label_every) {
            let (x, anchor) = if from_last == 0 {
                (WIDTH, "end")
            } else {
                (i as f64 * slot + slot / 2.0, "middle")
            };
            svg.push_str(&format!(
                r#"<text x="{x:.1}" y="{ty:.1}" font-size="11" text-anchor="{anchor}" fill="{TEXT}">{label}</text>"#,
                ty = PLOT_HEIGHT + 15.0,
                label = escape(&bar.label),
            ));
        }
    }
    svg.push_str(&format!(
        r#"<line x1="0" y1="{PLOT_HEIGHT}" x2="{WIDTH}" y2="{PLOT_HEIGHT}" stroke="{AXIS}" stroke-width="1"/></svg>"#
    ));
    svg
}

/// Horizontal bars, one per category (e.g. a decline reason), longest first as given.
pub fn bar_chart(id: &str, title: &str, bars: &[Bar]) -> String {
    let top = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    let row = 26.0;
    let label_width = 220.0;
    let height = (bars.len().max(1) as f64) * row;
    let mut svg = format!(
        r#"<svg class="chart" data-testid="{id}" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {WIDTH} {height}" width="100%"><title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>"#,
        title = escape(title),
        desc = escape(&describe(bars)),
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = i as f64 * row;
        let length = if top > 0.0 {
            bar.value / top * (WIDTH - label_width - 60.0)
        } else {
            0.0
        };
        svg.push_str(&format!(
            r#"<text x="{lx:.1}" y="{ty:.1}" font-size="12" text-anchor="end" fill="{TEXT}">{label}</text><rect x="{label_width}" y="{ry:.1}" width="{length:.1}" height="{h:.1}" fill="{FILL}" data-value="{value}"></rect><text x="{vx:.1}" y="{ty:.1}" font-size="12" fill="{TEXT}">{shown}</text>"#,
            lx = label_width - 8.0,
            ty = y + row * 0.65,
            ry = y + row * 0.2,
            h = row * 0.6,
            vx = label_width + length + 6.0,
            value = bar.value,
            label = escape(&bar.label),
            shown = escape(&bar.shown),
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars(values: &[f64]) -> Vec<Bar> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Bar {
                label: format!("d{i}"),
                value: *v,
                shown: format!("{v}"),
            })
            .collect()
    }

    #[test]
    fn columns_are_scaled_to_the_largest() {
        let svg = column_chart("volume", "Volume", &bars(&[0.0, 50.0, 100.0]), 1);
        assert!(
            svg.contains(r#"role="img""#)
                && svg.contains("<title id=\"volume-title\">Volume</title>")
        );
        assert!(
            svg.contains(r##"height="140.0" fill="#1f4fd1" data-value="100""##),
            "{svg}"
        );
        assert!(
            svg.contains(r##"height="70.0" fill="#1f4fd1" data-value="50""##),
            "{svg}"
        );
        assert!(
            svg.contains(r##"height="0.0" fill="#1f4fd1" data-value="0""##),
            "{svg}"
        );
        assert!(svg.contains("Highest: d2 (100)."));
    }

    #[test]
    fn day_labels_count_back_from_today_and_never_crowd_it() {
        let svg = column_chart("volume", "Volume", &bars(&[1.0; 30]), 7);
        let labels: Vec<&str> = svg
            .split("<text")
            .skip(1)
            .map(|t| t.split('>').nth(1).unwrap().trim_end_matches("</text"))
            .collect();
        assert_eq!(labels, ["d1", "d8", "d15", "d22", "d29"]);
        assert!(svg.contains(r#"x="640.0" y="155.0" font-size="11" text-anchor="end""#));
    }

    #[test]
    fn an_empty_period_draws_nothing_and_says_so() {
        let svg = column_chart("volume", "Volume", &bars(&[0.0, 0.0]), 1);
        assert!(svg.contains("Nothing in this period."));
        let svg = bar_chart("declines", "Declines", &[]);
        assert!(svg.contains("Nothing in this period.") && svg.ends_with("</svg>"));
    }

    #[test]
    fn labels_are_escaped() {
        let svg = bar_chart(
            "declines",
            "Declines",
            &[Bar {
                label: "<b>&".into(),
                value: 1.0,
                shown: "1".into(),
            }],
        );
        assert!(svg.contains("&lt;b&gt;&amp;") && !svg.contains("<b>"));
    }
}
