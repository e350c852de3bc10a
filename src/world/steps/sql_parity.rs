//! The database configuration parity step: server settings, version,
//! database settings and the schema of named tables, compared across the
//! two environments (see [`crate::parity`]).
//!
//! ```gherkin
//! Then the database configuration of "erpdb" should match for the tables "dbo.Orders", "dbo.OrderLines"
//! ```
//!
//! Each probe is recorded as a SQL observation marked as configuration, so
//! every difference is reported as `configuration` drift with both values.
//! The step itself passes when both sides could be read: configuration
//! drift is judged by the comparison, like any other drift.

use cucumber::step::Context;
use futures::future::LocalBoxFuture;

use super::StepDef;
use super::sql::{QueryTemplate, prepare, run_on};
use crate::parity::{Probe, probes};
use crate::trace::{Observation, Side, SideStep, StepOutcome, Twin};
use crate::world::steps::declaration::{Action, ArgKind, Args, Transport, Writes, param};
use crate::world::{RunContext, TwinWorld};

pub(super) fn steps() -> Vec<StepDef> {
    vec![StepDef {
        pattern: r#"^the database configuration of "(?<service>[^"]+)" should match(?: for the tables? (?<tables>(?:"[^"]+"(?:, *)?)+))?$"#,
        summary: "Compares server settings, version/edition, database settings and the named tables' columns, indexes and constraints across the environments (differences are configuration drift).",
        example: r#"Then the database configuration of "erpdb" should match for the tables "dbo.Orders", "dbo.OrderLines""#,
        params: const {
            &[
                super::sql::SQL_SERVICE,
                param(
                    "tables",
                    ArgKind::List,
                    "quoted, comma-separated schema.table names whose schemas are compared",
                ),
            ]
        },
        action: Action::Send {
            transport: Transport::DatabaseConfiguration,
            writes: Writes::Never,
        },
        run: parity_step,
    }]
}

fn parity_step(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let service = args.owned("service");
        let tables: Vec<String> = args
            .text("tables")
            .split('"')
            .map(str::trim)
            .filter(|t| !t.is_empty() && *t != ",")
            .map(str::to_owned)
            .collect();
        let probes = probes(&tables);
        let (run, scenario) = w.twin_parts();
        // The guard and the service check apply to probes like any query.
        let template = QueryTemplate {
            service: service.clone(),
            statement: Ok(probes
                .first()
                .map(|p| p.query.statement.clone())
                .unwrap_or_default()),
            parameters: Vec::new(),
            key: Vec::new(),
        };
        let prepared = prepare(&run, scenario, &template);
        let (b, c) = futures::join!(
            probe_side(
                &run,
                Side::Baseline,
                &service,
                &probes,
                prepared.baseline.err()
            ),
            probe_side(
                &run,
                Side::Candidate,
                &service,
                &probes,
                prepared.candidate.err()
            )
        );
        scenario.record(&run, &ctx.step, Twin::new(b, c));
    })
}

/// Runs every probe on one side, in order; the first failure ends the side.
async fn probe_side(
    run: &RunContext,
    side: Side,
    service: &str,
    probes: &[Probe],
    done: Option<SideStep>,
) -> SideStep {
    if let Some(done) = done {
        return done;
    }
    let mut step = SideStep::default();
    for probe in probes {
        let mut exchange = run_on(run, side, service, &probe.query).await;
        exchange.key = probe.key.clone();
        exchange.configuration = Some(probe.aspect.clone());
        let failed = exchange
            .error
            .clone()
            .map(|e| format!("cannot read {}: {e}", probe.aspect));
        step.observations.push(Observation::Sql(exchange));
        if let Some(message) = failed {
            step.outcome = StepOutcome::Error { message };
            break;
        }
    }
    step
}
