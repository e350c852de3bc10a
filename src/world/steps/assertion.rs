//! The plumbing every checking step shares: run a check on each side against
//! what an earlier step left (the last response, message or query result),
//! turn its [`AssertionRecord`] into the side's outcome, and store captures.
//!
//! ```text
//! check: header:content-type == "application/json"
//!   matched   → AssertionRecord { passed: true,  path: "header:content-type", … } → Passed
//!   mismatch  → AssertionRecord { passed: false, message: "…: expected …, got …" } → Failed { message }
//!   nothing to check yet → Error { "no response to check: send a request in an earlier step" }
//! ```

use cucumber::step::Context;
use serde_json::Value;

use crate::matcher::Mismatch;
use crate::trace::{AssertionRecord, Observation, SideStep, StepOutcome};
use crate::world::scenario::SideCtx;
use crate::world::{SideState, TwinWorld};

/// A side's step that could not run at all.
pub(super) fn error(message: String) -> SideStep {
    SideStep {
        outcome: StepOutcome::Error { message },
        ..SideStep::default()
    }
}

/// Runs `check` on each side against what `last` takes from its state,
/// recording the assertion it returns; `missing` is the side's error when an
/// earlier step left nothing to check, and `check`'s own error is the side's
/// error when it cannot check at all.
pub(super) fn assert_on_last<T>(
    w: &mut TwinWorld,
    ctx: &Context,
    last: impl Fn(&SideState) -> Option<&T>,
    missing: &str,
    check: impl Fn(&SideCtx<'_>, &T) -> Result<AssertionRecord, String>,
) {
    w.each_side(ctx, |s| {
        let Some(subject) = last(s.state) else {
            return error(missing.to_owned());
        };
        match check(s, subject) {
            Err(message) => error(message),
            Ok(record) => asserted(record),
        }
    });
}

/// Stores, on each side, the value `take` reads from what `last` takes from
/// its state in the variable `name`; `missing` is the side's error when an
/// earlier step left nothing to capture from.
pub(super) fn capture_from_last<T>(
    w: &mut TwinWorld,
    ctx: &Context,
    last: impl Fn(&SideState) -> Option<&T>,
    missing: &str,
    name: &str,
    take: impl Fn(&T) -> Result<Value, String>,
) {
    w.each_side(ctx, |s| {
        let Some(subject) = last(s.state) else {
            return error(missing.to_owned());
        };
        match take(subject) {
            Ok(value) => {
                let mut step = SideStep::default();
                step.captures.insert(name.to_owned(), value);
                step
            }
            Err(message) => error(message),
        }
    });
}

/// A side's step holding one assertion: passed, or failed with its message
/// (its description when it has none).
pub(super) fn asserted(record: AssertionRecord) -> SideStep {
    SideStep {
        outcome: if record.passed {
            StepOutcome::Passed
        } else {
            StepOutcome::Failed {
                message: record
                    .message
                    .clone()
                    .unwrap_or_else(|| record.description.clone()),
            }
        },
        observations: vec![Observation::Assertion(record)],
        ..SideStep::default()
    }
}

/// The expected JSON body a step's docstring holds, rendered for the side
/// and checked for valid fuzzy markers; errors name the step's `line`.
pub(super) fn expected_body(
    s: &SideCtx<'_>,
    docstring: Option<&str>,
    line: usize,
) -> Result<Value, String> {
    let text = docstring.ok_or_else(|| {
        format!("line {line}: this step needs a docstring holding the expected JSON body")
    })?;
    let expected: Value = serde_json::from_str(&s.render_json(text)?)
        .map_err(|e| format!("line {line}: the expected body in the docstring is not JSON: {e}"))?;
    crate::matcher::validate_expected(&expected).map_err(|e| format!("line {line}: {e}"))?;
    Ok(expected)
}

/// An assertion that held unless there is a `failure`.
pub(super) fn checked(
    description: String,
    path: Option<String>,
    actual: Option<Value>,
    failure: Option<String>,
) -> AssertionRecord {
    AssertionRecord {
        description,
        passed: failure.is_none(),
        path,
        actual,
        message: failure,
    }
}

/// The assertion a matcher's `mismatches` at `path` make; where it did not
/// hold, it records the first place it failed and what was there.
pub(super) fn matched(
    description: String,
    path: &str,
    actual: Option<Value>,
    mismatches: &[Mismatch],
) -> AssertionRecord {
    let (path, actual) = match mismatches.first() {
        Some(m) => (m.path.clone(), m.actual.clone()),
        None => (path.to_owned(), actual),
    };
    checked(
        description,
        Some(path),
        actual,
        mismatch_message(mismatches),
    )
}

/// Every mismatch in one line, or none when everything matched.
pub(super) fn mismatch_message(mismatches: &[Mismatch]) -> Option<String> {
    (!mismatches.is_empty()).then(|| {
        mismatches
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mismatch(path: &str, actual: Option<Value>) -> Mismatch {
        Mismatch {
            path: path.to_owned(),
            expected: Value::from(1),
            actual,
            reason: "different value".into(),
        }
    }

    #[test]
    fn a_failed_assertion_fails_the_side_with_its_message_or_description() {
        let with_message = checked("d".into(), None, None, Some("why".into()));
        assert_eq!(
            asserted(with_message).outcome,
            StepOutcome::Failed {
                message: "why".into()
            }
        );
        let mut bare = checked("d".into(), None, None, None);
        bare.passed = false;
        assert_eq!(
            asserted(bare).outcome,
            StepOutcome::Failed {
                message: "d".into()
            }
        );
        let held = asserted(checked("d".into(), None, None, None));
        assert_eq!(held.outcome, StepOutcome::Passed);
        assert_eq!(held.observations.len(), 1);
    }

    #[test]
    fn a_mismatch_records_where_it_failed() {
        let m = mismatch("$.n", Some(Value::from(2)));
        let record = matched(
            "n == 1".into(),
            "$",
            Some(Value::from(7)),
            std::slice::from_ref(&m),
        );
        assert!(!record.passed);
        assert_eq!(record.path, Some(m.path.clone()));
        assert_eq!(record.actual, m.actual);
        assert_eq!(record.message, Some(m.to_string()));
        let held = matched("n == 1".into(), "$", Some(Value::from(1)), &[]);
        assert!(held.passed);
        assert_eq!(held.path.as_deref(), Some("$"));
        assert_eq!(held.actual, Some(Value::from(1)));
        assert_eq!(held.message, None);
    }
}
