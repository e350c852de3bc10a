//! Timing charts as plain geometry for the HTML template: one strip per
//! environment, a dot per sample, a tick at the median and, with four or
//! more samples, a box from the first to the third quartile. The template
//! draws it as inline SVG; no script is needed.
//!
//! ```text
//!  baseline   ·  ·|·     ·
//!  candidate        · ·[·|··]   ·
//!             0 ms      25 ms      50 ms
//! ```

use serde::Serialize;

/// Width of a chart in SVG units.
const WIDTH: f64 = 360.0;
/// Left margin holding the lane labels.
const LEFT: f64 = 70.0;
/// Right margin, so the last tick label fits.
const RIGHT: f64 = 24.0;
/// Vertical centre of the baseline and candidate lanes.
const LANES: [f64; 2] = [14.0, 34.0];
/// Height of a chart, axis labels included.
const HEIGHT: f64 = 62.0;

/// A drawable strip chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct Chart {
    /// SVG width.
    pub width: f64,
    /// SVG height.
    pub height: f64,
    /// Where the plot starts (after the labels).
    pub left: f64,
    /// Where the plot ends.
    pub right: f64,
    /// Baseline lane, then candidate lane.
    pub lanes: [Lane; 2],
    /// Axis ticks.
    pub ticks: Vec<Tick>,
}

/// One environment's samples.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct Lane {
    /// `baseline` or `candidate` (also the CSS class).
    pub side: &'static str,
    /// Vertical centre.
    pub y: f64,
    /// x of each sample.
    pub dots: Vec<f64>,
    /// x of the median, when there are samples.
    pub median: Option<f64>,
    /// Quartile box `(x1, width)`, with four or more samples.
    pub quartiles: Option<(f64, f64)>,
}

/// An axis tick.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct Tick {
    /// Position.
    pub x: f64,
    /// Label, e.g. `25 ms`.
    pub label: String,
}

/// The chart of two environments' samples (milliseconds) on one scale.
pub(super) fn strip_chart(baseline: &[f64], candidate: &[f64]) -> Chart {
    let max = baseline
        .iter()
        .chain(candidate)
        .copied()
        .fold(0.0, f64::max);
    let top = nice_ceiling(max);
    let span = WIDTH - LEFT - RIGHT;
    let x = |ms: f64| round(LEFT + span * (ms / top).clamp(0.0, 1.0));
    let lane = |side, y, samples: &[f64]| {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        Lane {
            side,
            y,
            dots: sorted.iter().map(|ms| x(*ms)).collect(),
            median: quantile(&sorted, 0.5).map(x),
            quartiles: (sorted.len() >= 4)
                .then(|| Some((quantile(&sorted, 0.25)?, quantile(&sorted, 0.75)?)))
                .flatten()
                .map(|(q1, q3)| (x(q1), round(x(q3) - x(q1)))),
        }
    };
    Chart {
        width: WIDTH,
        height: HEIGHT,
        left: LEFT,
        right: WIDTH - RIGHT,
        lanes: [
            lane("baseline", LANES[0], baseline),
            lane("candidate", LANES[1], candidate),
        ],
        ticks: [0.0, 0.5, 1.0]
            .iter()
            .map(|f| Tick {
                x: x(top * f),
                label: format!("{} ms", round(top * f)),
            })
            .collect(),
    }
}

/// Linear-interpolated quantile of sorted samples.
pub(super) fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let pos = q * last as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64))
}

/// The smallest of 1, 2, 5 × 10ⁿ at or above `max` (at least 1 ms).
fn nice_ceiling(max: f64) -> f64 {
    let max = max.max(1.0);
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|c| *c >= max)
        .unwrap_or(10.0 * magnitude)
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_rounds_up_to_a_nice_number() {
        let cases = [
            (0.0, 1.0),
            (0.4, 1.0),
            (7.0, 10.0),
            (12.0, 20.0),
            (48.25, 50.0),
            (51.0, 100.0),
        ];
        for (max, top) in cases {
            assert_eq!(nice_ceiling(max), top, "{max}");
        }
    }

    #[test]
    fn quantiles_interpolate() {
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[4.0], 0.5), Some(4.0));
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.5));
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.25), Some(2.0));
    }

    #[test]
    fn samples_map_onto_one_shared_axis() {
        let chart = strip_chart(&[10.0, 20.0], &[40.0, 50.0, 30.0, 45.0]);
        let plot = WIDTH - LEFT - RIGHT;
        assert_eq!(chart.ticks.last().unwrap().label, "50 ms");
        assert_eq!(
            chart.lanes[0].dots,
            [round(LEFT + plot * 0.2), round(LEFT + plot * 0.4)]
        );
        assert_eq!(chart.lanes[0].quartiles, None);
        assert_eq!(chart.lanes[1].median, Some(round(LEFT + plot * 0.85)));
        assert!(chart.lanes[1].quartiles.is_some());
        assert_eq!(chart.lanes[1].dots.last(), Some(&(WIDTH - RIGHT)));
    }
}
