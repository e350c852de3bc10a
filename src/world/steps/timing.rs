//! Steps that put explicit limits on latency, for QA.
//!
//! ```gherkin
//! Then the response time should be under 500 ms
//! And the p95 of "POST /api/orders" should be under 800 ms
//! ```
//!
//! The first checks the last exchange on each side right away (total time,
//! request sent to end of body; `the time to headers should be under …`
//! checks time to the response headers). The second records a latency
//! budget on each side (an [`Observation::Budget`]) that the judge checks
//! once the run is over, over every measured
//! repetition of the scenario (`--samples`, `@samples(N)`; a scenario run
//! once is one sample): per side, the percentile of the total times of the
//! scenario's exchanges whose request line (`METHOD /path`, captured values
//! as `<captured:name>`, `*` matching within one path segment) matches.
//! A budget exceeded on either side is `timing_budget` drift.

use cucumber::step::Context;
use futures::future::LocalBoxFuture;
use serde_json::Value;

use super::StepDef;
use super::assertion::error;
use super::polling::limit_ms;
use crate::timing::percentile_name;
use crate::trace::{
    AssertionRecord, BudgetRecord, Observation, Side, SideStep, StepOutcome, Timing, Twin,
};
use crate::world::TwinWorld;
use crate::world::steps::declaration::{Action, ArgKind, Args, DURATION, param, split_duration};

pub(super) fn steps() -> Vec<StepDef> {
    vec![
        StepDef {
            pattern: leak(format!(
                r"^the (?<measure>response time|time to headers) should be under (?<limit>{DURATION})$"
            )),
            summary: "Asserts the total time (or the time to headers) of the last response on each side.",
            example: "Then the response time should be under 500 ms",
            params: const {
                &[
                    param(
                        "measure",
                        ArgKind::Choice,
                        "`response time` (total) or `time to headers`",
                    ),
                    param("limit", ArgKind::Duration, "the limit: ms, s or seconds"),
                ]
            },
            action: Action::Assert,
            run: response_time_under,
        },
        StepDef {
            pattern: leak(budget_pattern()),
            summary: "Declares a latency budget, checked at the end of the run over every sample of the scenario (`*` matches one path segment).",
            example: r#"Then the p95 of "POST /api/orders" should be under 800 ms"#,
            params: const {
                &[
                    param(
                        "percentile",
                        ArgKind::Choice,
                        "`median` or pNN, e.g. p95 or p99.9",
                    ),
                    param(
                        "request",
                        ArgKind::Text,
                        "METHOD and path of the timed request; `*` matches one path segment",
                    ),
                    param("limit", ArgKind::Duration, "the limit: ms, s or seconds"),
                ]
            },
            action: Action::Declare,
            run: percentile_under,
        },
    ]
}

fn budget_pattern() -> String {
    format!(
        r#"^the (?<percentile>median|p\d{{1,2}}(?:\.\d+)?) of "(?<request>[A-Z]+ [^"]+)" should be under (?<limit>{DURATION})$"#
    )
}

/// The budget of a percentile step's arguments (`p95`, `POST /api/orders`,
/// `800`, `ms`); none when the percentile is not between 0 and 100.
fn budget([which, request, amount, unit]: [&str; 4]) -> Option<BudgetRecord> {
    let percentile = match which.strip_prefix('p') {
        Some(p) => p.parse().unwrap_or(f64::NAN),
        None => 50.0,
    };
    (percentile > 0.0 && percentile < 100.0).then(|| BudgetRecord {
        request: request.to_owned(),
        percentile,
        limit_ms: limit_ms(amount, unit),
    })
}

/// Patterns are built once, at startup, and live for the whole run.
fn leak(pattern: String) -> &'static str {
    Box::leak(pattern.into_boxed_str())
}

fn response_time_under(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let headers_only = args.text("measure") == "time to headers";
        let (amount, unit) = split_duration(args.text("limit"));
        let limit = limit_ms(amount, unit);
        let (_, scenario) = w.twin_parts();
        let timings = Twin::new(
            scenario.last_timing(Side::Baseline),
            scenario.last_timing(Side::Candidate),
        );
        w.each_side(&ctx, |s| {
            time_check(*timings.get(s.side), headers_only, limit)
        });
    })
}

fn time_check(timing: Option<Timing>, headers_only: bool, limit: f64) -> SideStep {
    let Some(timing) = timing else {
        return error("no response to time: send a request in an earlier step".into());
    };
    let (what, ms) = if headers_only {
        ("time to headers", timing.headers_ms)
    } else {
        ("response time", timing.total_ms)
    };
    let passed = ms < limit;
    let message = (!passed).then(|| format!("{what} was {ms:.1} ms, not under {limit} ms"));
    SideStep {
        outcome: match &message {
            None => StepOutcome::Passed,
            Some(m) => StepOutcome::Failed { message: m.clone() },
        },
        observations: vec![Observation::Assertion(AssertionRecord {
            description: format!("{what} < {limit} ms"),
            passed,
            path: Some(what.replace(' ', "_")),
            actual: Some(Value::from((ms * 10.0).round() / 10.0)),
            message,
        })],
        ..SideStep::default()
    }
}

fn percentile_under(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let which = args.text("percentile");
        let request = args.owned("request");
        let (amount, unit) = split_duration(args.text("limit"));
        let declared = budget([which, &request, amount, unit]);
        w.each_side(&ctx, |_| match &declared {
            Some(budget) => SideStep {
                observations: vec![Observation::Budget(budget.clone())],
                ..SideStep::default()
            },
            None => SideStep {
                outcome: StepOutcome::Error {
                    message: format!("`{which}` is not a percentile between 1 and 99"),
                },
                ..SideStep::default()
            },
        });
        if let Some(budget) = &declared {
            tracing::debug!(
                "{} of {request} under {} ms: judged at the end of the run",
                percentile_name(budget.percentile),
                budget.limit_ms
            );
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_time_checks_per_side() {
        let timing = Some(Timing {
            headers_ms: 120.0,
            total_ms: 640.0,
        });
        let slow = time_check(timing, false, 500.0);
        assert_eq!(
            slow.outcome,
            StepOutcome::Failed {
                message: "response time was 640.0 ms, not under 500 ms".into()
            }
        );
        assert_eq!(time_check(timing, true, 500.0).outcome, StepOutcome::Passed);
        assert!(matches!(
            time_check(None, false, 500.0).outcome,
            StepOutcome::Error { .. }
        ));
    }
}
