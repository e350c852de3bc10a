//! The vocabulary every finding is described in: its [`DriftClass`] (what
//! kind of difference) and its [`Severity`] (how much it matters).
//!
//! A leaf of the crate: `[policy]` in `driftgate.toml` names classes and
//! severities, the comparison assigns classes, and every report prints them.
//!
//! ```toml
//! [policy]
//! fail_on = ["error"]
//! severity.header = "info"       # a DriftClass, snake_case
//! ```

use serde::{Deserialize, Serialize};

/// What kind of difference a drift is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftClass {
    /// Different HTTP status codes.
    Status,
    /// A field the baseline returned is absent in the candidate.
    MissingField,
    /// The candidate returned a field the baseline did not.
    ExtraField,
    /// The same path holds values of different JSON types.
    TypeChange,
    /// The same path holds different values of the same type.
    ValueChange,
    /// An array has a different number of elements.
    ArrayLength,
    /// A compared response header differs or is present on one side only.
    Header,
    /// The body is JSON on one side and not on the other, or text that differs.
    Body,
    /// An explicit assertion held in one environment only.
    AssertionOneSide,
    /// A step errored (transport, missing value) in one environment only.
    ErrorOneSide,
    /// The two sides made a different number of exchanges in a step.
    ExchangeCount,
    /// An EDI segment of the baseline has no counterpart in the candidate.
    EdiSegmentMissing,
    /// The candidate's EDI has a segment the baseline's does not.
    EdiSegmentExtra,
    /// An EDI element (or component) differs between aligned segments.
    EdiElement,
    /// A timed step is significantly slower in the candidate, beyond the tolerance.
    Timing,
    /// A latency budget (`the p95 of "POST /api/orders" should be under 800 ms`) was exceeded.
    TimingBudget,
    /// A query returned a different number of rows (rows paired by position).
    RowCount,
    /// A row of the baseline's result is absent in the candidate's.
    MissingRow,
    /// The candidate's result has a row the baseline's does not.
    ExtraRow,
    /// The same row holds a different value in a column.
    CellChange,
    /// A query's result has different columns or column types.
    ColumnSet,
    /// A database setting or table schema differs between the environments.
    Configuration,
    /// A message arrived in the baseline only.
    MessageMissing,
    /// A message arrived in the candidate only.
    MessageExtra,
    /// A different number of messages arrived (or were replayed, confirmed, returned).
    MessageCount,
    /// The same messages arrived in a different order where order matters.
    MessageOrder,
    /// A message arrived with a different routing key.
    RoutingKey,
    /// The brokers declare different exchanges, queues, bindings or queue arguments.
    Topology,
    /// An array holds the same elements in a different order.
    Order,
    /// An element of a keyed array (paired by its identity key) is absent in the candidate.
    MissingElement,
    /// The candidate's keyed array has an element the baseline's does not.
    ExtraElement,
    /// A string keeps its type but changes format (RFC 3339 → other text, uuid → number…).
    FormatChange,
    /// A scenario of the baseline trace has no counterpart in the candidate.
    ScenarioOnlyInBaseline,
    /// A scenario of the candidate has no counterpart in the baseline trace.
    ScenarioOnlyInCandidate,
}

impl DriftClass {
    /// The snake_case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            DriftClass::Status => "status",
            DriftClass::MissingField => "missing_field",
            DriftClass::ExtraField => "extra_field",
            DriftClass::TypeChange => "type_change",
            DriftClass::ValueChange => "value_change",
            DriftClass::ArrayLength => "array_length",
            DriftClass::Header => "header",
            DriftClass::Body => "body",
            DriftClass::AssertionOneSide => "assertion_one_side",
            DriftClass::ErrorOneSide => "error_one_side",
            DriftClass::ExchangeCount => "exchange_count",
            DriftClass::EdiSegmentMissing => "edi_segment_missing",
            DriftClass::EdiSegmentExtra => "edi_segment_extra",
            DriftClass::EdiElement => "edi_element",
            DriftClass::Timing => "timing",
            DriftClass::TimingBudget => "timing_budget",
            DriftClass::RowCount => "row_count",
            DriftClass::MissingRow => "missing_row",
            DriftClass::ExtraRow => "extra_row",
            DriftClass::CellChange => "cell_change",
            DriftClass::ColumnSet => "column_set",
            DriftClass::Configuration => "configuration",
            DriftClass::MessageMissing => "message_missing",
            DriftClass::MessageExtra => "message_extra",
            DriftClass::MessageCount => "message_count",
            DriftClass::MessageOrder => "message_order",
            DriftClass::RoutingKey => "routing_key",
            DriftClass::Topology => "topology",
            DriftClass::Order => "order",
            DriftClass::MissingElement => "missing_element",
            DriftClass::ExtraElement => "extra_element",
            DriftClass::FormatChange => "format_change",
            DriftClass::ScenarioOnlyInBaseline => "scenario_only_in_baseline",
            DriftClass::ScenarioOnlyInCandidate => "scenario_only_in_candidate",
        }
    }
}

impl std::fmt::Display for DriftClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a drift matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Behaviour broke: fails the default gate.
    Error,
    /// Probably harmless, worth a look.
    Warning,
    /// For the record.
    Info,
}

impl Severity {
    /// Every severity, most severe first.
    pub const ALL: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];

    /// The lower-case name used in config and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// The severity of a class when `[policy] severity` does not set one.
pub fn default_severity(class: DriftClass) -> Severity {
    match class {
        DriftClass::ExtraField
        | DriftClass::Header
        | DriftClass::Order
        | DriftClass::ScenarioOnlyInBaseline => Severity::Warning,
        DriftClass::ScenarioOnlyInCandidate => Severity::Info,
        _ => Severity::Error,
    }
}
