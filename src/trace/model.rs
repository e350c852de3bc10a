//! The observation model: what one environment did during one step.
//!
//! A trace is a sequence of [`TraceRecord`]s, one JSON object a line:
//!
//! ```json
//! {"kind":"run","format":3,"tool_version":"0.1.0","started_at":"2026-11-26T10:00:00Z",
//!  "baseline":{"name":"production","variables":{"plant":"P100"}},"candidate":{"name":"staging","variables":{"plant":"S100"}}}
//! {"kind":"step","scenario":{"feature":"features/order_sync.feature","name":"Create an order","line":7},
//!  "index":0,"keyword":"When ","text":"I send a POST request to \"/api/orders\"","line":8,
//!  "baseline":{"outcome":{"status":"passed"},"observations":[{"type":"http", ...}]},
//!  "candidate":{"outcome":{"status":"passed"},"observations":[...]}}
//! {"kind":"scenario","scenario":{...},"status":"passed","duration_ms":41.2,"finished_at":"2026-11-26T10:00:00.041Z"}
//! {"kind":"end","finished_at":"2026-11-26T10:00:00.052Z","duration_ms":52.0,"scenarios":1,"ran":1}
//! ```
//!
//! Recording is separate from judging: nothing here says whether two sides
//! drift; the judge (`crate::judge`) decides that from these records alone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Version of the trace format written by this build: 2 since a run's trace
/// ends with an `end` or `interrupted` record (see [`super::RunEnd`]), 3
/// since a latency budget step records its budget ([`Observation::Budget`]).
pub const TRACE_FORMAT: u32 = 3;

/// One of the two environments of a twin run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The reference environment, usually production.
    Baseline,
    /// The environment under judgement, usually staging or a fresh deployment.
    Candidate,
}

impl Side {
    /// Both sides, baseline first.
    pub const BOTH: [Side; 2] = [Side::Baseline, Side::Candidate];

    /// The lower-case name used in traces and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Baseline => "baseline",
            Side::Candidate => "candidate",
        }
    }
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A pair of values, one per side.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Twin<T> {
    /// The baseline's value.
    pub baseline: T,
    /// The candidate's value.
    pub candidate: T,
}

impl<T> Twin<T> {
    /// Builds a twin from one value per side.
    pub fn new(baseline: T, candidate: T) -> Self {
        Twin {
            baseline,
            candidate,
        }
    }

    /// The value of one side.
    pub fn get(&self, side: Side) -> &T {
        match side {
            Side::Baseline => &self.baseline,
            Side::Candidate => &self.candidate,
        }
    }

    /// The value of one side, mutably.
    pub fn get_mut(&mut self, side: Side) -> &mut T {
        match side {
            Side::Baseline => &mut self.baseline,
            Side::Candidate => &mut self.candidate,
        }
    }
}

/// One line of a trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TraceRecord {
    /// The first line: what ran against what.
    Run(RunHeader),
    /// One step, acted on both environments.
    Step(StepRecord),
    /// A scenario finished.
    Scenario(ScenarioEnd),
    /// Which slice of a sharded run this trace holds (right after the header).
    Shard(ShardRecord),
    /// How many scenario runs the run is about to start.
    Plan(super::RunPlan),
    /// The last line of a run that ran every scenario it planned.
    End(super::RunEnd),
    /// The last line of a run stopped by a signal.
    Interrupted(super::Interruption),
}

/// The slice of a sharded run (`driftgate run --shard I/N`) a trace holds, so
/// `driftgate merge` can tell that its traces are the complete set of one suite.
///
/// ```json
/// {"kind":"shard","index":2,"total":3,"scenarios":4,"suite_scenarios":11,"suite":"5f0c9a1e22b7d403"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardRecord {
    /// The shard's number, counted from 1.
    pub index: usize,
    /// How many shards the suite was cut into.
    pub total: usize,
    /// Scenarios assigned to this shard (outline rows one by one, before repetitions for timing).
    pub scenarios: usize,
    /// Scenarios of the whole suite, across every shard.
    pub suite_scenarios: usize,
    /// Fingerprint of the suite's sorted scenario identities: equal for every shard of one suite.
    pub suite: String,
}

/// What a run compared: the two environments and the tool that did it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunHeader {
    /// [`TRACE_FORMAT`] of the writer.
    pub format: u32,
    /// driftgate's version.
    pub tool_version: String,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// The environments, each with its non-secret variables.
    pub environments: Twin<EnvironmentRef>,
    /// Per tenant of a tenant run, each side's variables for that tenant
    /// (the environment's merged with the tenant's; see `config::tenant`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tenants: BTreeMap<String, Twin<BTreeMap<String, String>>>,
}

impl RunHeader {
    /// The environments as a scenario of `tenant` saw them: with that
    /// tenant's variables, or the run's when the scenario has no tenant.
    pub fn environments_for(&self, tenant: Option<&str>) -> Twin<EnvironmentRef> {
        let mut environments = self.environments.clone();
        if let Some(variables) = tenant.and_then(|t| self.tenants.get(t)) {
            for side in Side::BOTH {
                environments.get_mut(side).variables = variables.get(side).clone();
            }
        }
        environments
    }
}

/// An environment as recorded in a trace.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentRef {
    /// Name in `driftgate.toml`, e.g. `production`.
    pub name: String,
    /// The environment's template variables (tenant, plant, …); never secrets.
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
}

/// Identity of a scenario, stable across runs: pairing across traces uses it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ScenarioKey {
    /// Feature file path as the user gave it (relative where possible).
    pub feature: String,
    /// Feature name.
    #[serde(default)]
    pub feature_name: String,
    /// Rule name, when the scenario sits inside a `Rule:`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Scenario name (outline placeholders substituted).
    pub name: String,
    /// Line of the scenario; for an outline example, the line of its row.
    pub line: usize,
    /// Tags of feature, rule and scenario, with their `@`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Which repetition this is, when the scenario runs several times for timing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<SampleRef>,
    /// The tenant the scenario ran for, in a run over tenants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
}

impl ScenarioKey {
    /// The scenario itself, whichever repetition this key names.
    pub fn without_sample(&self) -> ScenarioKey {
        ScenarioKey {
            sample: None,
            ..self.clone()
        }
    }

    /// The scenario's name as reports show it: `Create an order [tenant acme]`
    /// in a run over tenants, the name alone otherwise.
    pub fn title(&self) -> std::borrow::Cow<'_, str> {
        match &self.tenant {
            Some(tenant) => format!("{} [tenant {tenant}]", self.name).into(),
            None => self.name.as_str().into(),
        }
    }
}

/// One repetition of a scenario run several times (`--samples`, `@samples(N)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SampleRef {
    /// 1-based; warm-ups and measured samples are numbered separately.
    pub index: usize,
    /// A warm-up run: compared like any other, its timings are discarded.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub warmup: bool,
}

impl std::fmt::Display for SampleRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.warmup {
            write!(f, "warm-up {}", self.index)
        } else {
            write!(f, "sample {}", self.index)
        }
    }
}

impl std::fmt::Display for ScenarioKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{} {}", self.feature, self.line, self.name)?;
        if let Some(tenant) = &self.tenant {
            write!(f, " [tenant {tenant}]")?;
        }
        match &self.sample {
            Some(sample) => write!(f, " [{sample}]"),
            None => Ok(()),
        }
    }
}

/// One Gherkin step as it was executed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// Scenario the step belongs to.
    pub scenario: ScenarioKey,
    /// Position of the step in the scenario, background steps included (0-based).
    pub index: usize,
    /// Gherkin keyword as written (`Given `, `And `, …).
    pub keyword: String,
    /// Step text as written (before templating).
    pub text: String,
    /// The `Scenario Outline` step as written, before its Examples row was
    /// substituted into `text`; only when the row changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outline_text: Option<String>,
    /// Line of the step in the feature file.
    pub line: usize,
    /// What each environment did.
    #[serde(flatten)]
    pub sides: Twin<SideStep>,
}

/// What one environment did during one step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SideStep {
    /// How the step ended on this side.
    pub outcome: StepOutcome,
    /// Everything observed on this side, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observations: Vec<Observation>,
    /// Values captured into variables by this step on this side.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub captures: BTreeMap<String, Value>,
}

impl SideStep {
    /// The HTTP exchanges this side made during the step, in order.
    pub fn http_exchanges(&self) -> impl DoubleEndedIterator<Item = &HttpExchange> {
        self.observations.iter().filter_map(|o| match o {
            Observation::Http(exchange) => Some(exchange),
            _ => None,
        })
    }
}

/// How a step ended on one side.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum StepOutcome {
    /// Everything the step asked held.
    #[default]
    Passed,
    /// An assertion did not hold.
    Failed {
        /// What did not hold.
        message: String,
    },
    /// The step could not act (transport error, missing value, bad template).
    Error {
        /// What went wrong.
        message: String,
    },
    /// The side was not acted on (an earlier error on this side).
    Skipped {
        /// Why.
        reason: String,
    },
}

impl StepOutcome {
    /// The message of a failed or erroneous outcome.
    pub fn message(&self) -> Option<&str> {
        match self {
            StepOutcome::Passed => None,
            StepOutcome::Failed { message } | StepOutcome::Error { message } => Some(message),
            StepOutcome::Skipped { reason } => Some(reason),
        }
    }
}

/// The failure of a step in which no side passed, naming each environment
/// when their messages differ; `None` when a side passed. Both the twin
/// world (which stops the scenario there) and the judge (pairing stored
/// traces) decide with it.
///
/// ```text
/// in both environments: expected status 201, got 500
/// baseline (production): expected status 201, got 500
/// candidate (staging): connection refused
/// ```
pub fn step_failure(environments: &Twin<EnvironmentRef>, sides: &Twin<SideStep>) -> Option<String> {
    if Side::BOTH
        .iter()
        .any(|s| sides.get(*s).outcome == StepOutcome::Passed)
    {
        return None;
    }
    let b = sides.baseline.outcome.message().unwrap_or_default();
    let c = sides.candidate.outcome.message().unwrap_or_default();
    Some(if b == c {
        format!("in both environments: {b}")
    } else {
        format!(
            "baseline ({}): {b}\ncandidate ({}): {c}",
            environments.baseline.name, environments.candidate.name
        )
    })
}

/// Something an environment did that a comparison can look at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Observation {
    /// One HTTP request and its response.
    Http(HttpExchange),
    /// One explicit assertion and whether it held.
    Assertion(AssertionRecord),
    /// A comparison rule a Gherkin step asked for (applies to the previous exchange step).
    CompareRule(CompareRuleRecord),
    /// Something a message broker did (publish, arrival, replay, topology).
    Amqp(super::AmqpObservation),
    /// One SQL query and its result set.
    Sql(SqlExchange),
    /// When this side's step started and ended (what now-stamps are judged against).
    Window(StepWindow),
    /// A latency budget the step declared, checked by the judge over every
    /// measured repetition of the scenario.
    Budget(BudgetRecord),
}

/// A latency budget as a step declared it (`Then the p95 of "POST
/// /api/orders" should be under 800 ms`), recorded on each side that ran it.
///
/// ```json
/// {"type":"budget","request":"POST /api/orders","percentile":95.0,"limit_ms":800.0}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetRecord {
    /// `METHOD /path` of the timed requests; `*` matches within one path segment.
    pub request: String,
    /// Percentile, between 0 and 100 (50 for the median).
    pub percentile: f64,
    /// The limit in milliseconds.
    pub limit_ms: f64,
}

/// When one side's step ran, by the clock of the machine running driftgate;
/// recorded last, for every step that observed something.
///
/// ```json
/// {"type":"window","started_at":"2026-12-01T10:00:00.050Z","finished_at":"2026-12-01T10:00:00.210Z"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepWindow {
    /// When the step started acting (RFC 3339, milliseconds).
    pub started_at: String,
    /// When the step's last observation was made (RFC 3339, milliseconds).
    pub finished_at: String,
}

/// One SQL query as sent (parameters apart from the text) and what came back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SqlExchange {
    /// Database service name in the config.
    pub service: String,
    /// The statement text; values are bound as `@P1…`, never spliced in.
    pub statement: String,
    /// The bound values of `@P1`, `@P2`, … in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Value>,
    /// Columns of the first result set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<SqlColumn>,
    /// Rows of the first result set, cells in column order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<Vec<Value>>,
    /// Columns identifying a row when results are compared (none: by position).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key: Vec<String>,
    /// The configuration aspect this result describes (`server settings`,
    /// `table dbo.Orders columns`, …); differences in it are configuration drift.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<String>,
    /// Why no result arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// From sending the query to the last row, in milliseconds.
    pub elapsed_ms: f64,
}

/// A column of a SQL result set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SqlColumn {
    /// Column name as the server sent it.
    pub name: String,
    /// SQL type name (`int`, `decimal`, `nvarchar`, …).
    pub sql_type: String,
}

/// A comparison rule written in Gherkin, e.g. `Then the responses should
/// match across environments ignoring "$.createdAt"`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompareRuleRecord {
    /// JSONPaths (RFC 9535) left out when comparing the previous step's exchanges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<String>,
}

/// One HTTP request/response as sent and received (secrets redacted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpExchange {
    /// Service name in the config.
    pub service: String,
    /// The request as sent.
    pub request: HttpRequestRecord,
    /// The response, when one arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<HttpResponseRecord>,
    /// Transport error, when no response arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Redirects followed before `response` (only for a service with
    /// `follow_redirects = true`; otherwise a 3xx is the response).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<HttpRedirect>,
    /// How long it took.
    pub timing: Timing,
}

/// One redirect a client followed: `url` answered `status` with `location`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpRedirect {
    /// The 3xx status.
    pub status: u16,
    /// The URL that answered it.
    pub url: String,
    /// Where it pointed, resolved against `url`.
    pub location: String,
    /// Whether the next request went without the service's credentials
    /// (dropped when the chain first left the request's origin).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub credentials_dropped: bool,
}

/// An HTTP request as sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpRequestRecord {
    /// Method, upper case.
    pub method: String,
    /// Full URL.
    pub url: String,
    /// Headers in the order sent; secret values redacted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// Body, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
}

/// An HTTP response as received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpResponseRecord {
    /// Status code.
    pub status: u16,
    /// Headers, names lower case, in the order received.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// Body, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
}

impl HttpResponseRecord {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A message body: JSON when it parses as JSON, text otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "format", content = "value", rename_all = "snake_case")]
pub enum Body {
    /// A JSON document.
    Json(Value),
    /// Any other text.
    Text(String),
}

impl Body {
    /// Classifies raw text: JSON if it parses, text otherwise.
    pub fn from_text(text: String) -> Body {
        match serde_json::from_str(&text) {
            Ok(value) => Body::Json(value),
            Err(_) => Body::Text(text),
        }
    }

    /// The JSON document, if this is one.
    pub fn as_json(&self) -> Option<&Value> {
        match self {
            Body::Json(v) => Some(v),
            Body::Text(_) => None,
        }
    }
}

/// Timing of one exchange, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// From sending the request to receiving the response headers.
    pub headers_ms: f64,
    /// From sending the request to the end of the body.
    pub total_ms: f64,
}

/// One explicit assertion and whether it held on this side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssertionRecord {
    /// What was asserted, e.g. `status == 201` or `$.status == "CREATED"`.
    pub description: String,
    /// Whether it held.
    pub passed: bool,
    /// JSON path or header the assertion looked at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The value found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<Value>,
    /// Why it did not hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// How a scenario ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioEnd {
    /// The scenario.
    pub scenario: ScenarioKey,
    /// Overall status of the scenario run (drift is judged separately).
    pub status: ScenarioStatus,
    /// Why it failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Wall time of the scenario.
    pub duration_ms: f64,
    /// When the scenario ended (RFC 3339), so a trace cut short still tells
    /// how long its run took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
}

/// Status of a scenario as a test, independent of drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioStatus {
    /// Every step acted on both sides (assertions may still differ: that is drift).
    Passed,
    /// A step failed in both environments, or could not run at all.
    Failed,
}
