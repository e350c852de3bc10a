//! Steps that set variables.

use cucumber::step::Context;
use futures::future::LocalBoxFuture;

use super::StepDef;
use super::declaration::{Action, ArgKind, Args, param};
use crate::trace::{SideStep, StepOutcome};
use crate::world::TwinWorld;
use crate::world::scenario::SideCtx;

/// Pattern of the step that sets variables from a data table (name | value).
const VARIABLES_TABLE: &str = r"^the variables are:$";

pub(super) fn steps() -> Vec<StepDef> {
    vec![
        StepDef {
            pattern: r#"^the variable "(?<variable>[^"]+)" is "(?<value>[^"]*)"$"#,
            summary: "Sets a variable on both sides; the value is a template rendered per environment.",
            example: r#"Given the variable "orderNo" is "PO-{{ random_int(10000, 99999) }}""#,
            params: const {
                &[
                    param("variable", ArgKind::Variable, "name of the variable to set"),
                    param(
                        "value",
                        ArgKind::Template,
                        "template rendered per environment",
                    ),
                ]
            },
            action: Action::SetVariable,
            run: set_variable,
        },
        StepDef {
            pattern: VARIABLES_TABLE,
            summary: "Sets several variables from a two-column data table (name | value).",
            example: "Given the variables are:",
            params: const {
                &[param(
                    "table",
                    ArgKind::Table,
                    "name | value rows; values are templates",
                )]
            },
            action: Action::SetVariable,
            run: set_variables,
        },
    ]
}

fn set_variable(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let pairs = vec![(args.owned("variable"), args.owned("value"))];
        w.each_side(&ctx, |s| assign(s, &pairs));
    })
}

fn set_variables(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let pairs = table_pairs(&ctx);
        w.each_side(&ctx, |s| match &pairs {
            Ok(pairs) => assign(s, pairs),
            Err(message) => SideStep {
                outcome: StepOutcome::Error {
                    message: message.clone(),
                },
                ..SideStep::default()
            },
        });
    })
}

/// Renders each value and records it as a capture (which `record` stores as a variable).
fn assign(s: &mut SideCtx<'_>, pairs: &[(String, String)]) -> SideStep {
    let mut step = SideStep::default();
    for (name, template) in pairs {
        match s.render_typed(template) {
            Ok(value) => {
                // Make the value visible to later rows of the same table.
                s.state.vars.insert(name.clone(), value.clone());
                step.captures.insert(name.clone(), value);
            }
            Err(message) => {
                step.outcome = StepOutcome::Error { message };
                return step;
            }
        }
    }
    step
}

/// Rows of a two-column data table (a `name | value` header row is skipped).
pub(super) fn table_pairs(ctx: &Context) -> Result<Vec<(String, String)>, String> {
    let table = ctx.step.table.as_ref().ok_or_else(|| {
        format!(
            "line {}: this step needs a data table with two columns (name | value)",
            ctx.step.position.line
        )
    })?;
    let mut pairs = Vec::new();
    for (i, row) in table.rows.iter().enumerate() {
        let [name, value] = row.as_slice() else {
            return Err(format!(
                "line {}: every row of the table needs exactly two cells (name | value)",
                ctx.step.position.line + i + 1
            ));
        };
        if i == 0 && name.eq_ignore_ascii_case("name") && value.eq_ignore_ascii_case("value") {
            continue;
        }
        pairs.push((name.clone(), value.clone()));
    }
    Ok(pairs)
}
