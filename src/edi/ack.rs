//! Acknowledgements: what a 997, 999, TA1 or CONTRL says about the document
//! it acknowledges — accepted, accepted with errors, or rejected — and why.
//!
//! ```text
//! ST*997*0001~AK1*PO*1~AK2*850*0001~AK3*PO1*7**8~AK4*2**7*XX~AK5*R*5~AK9*R*1*1*0~SE*8*0001~
//!   ──▶ rejected (997)
//!       transaction set 850 0001: rejected, AK5 code 5 (one or more segments in error) [segment 7]
//!       segment PO1 at position 7 of the set: AK3 code 8 (segment has data element errors) [segment 5]
//!       element 2: AK4 code 7 (invalid code value), value `XX` [segment 6]
//!       functional group 1: rejected, AK9 [segment 8]
//! UCI+42+ACME:14+SUPPLIER:14+4+29'   ──▶ rejected (CONTRL), UCI code 29 (control count does not match number of instances received)
//! ```
//!
//! Status: 997/999 from AK901 (`A` accepted; `E`, `P` accepted with errors;
//! `R`, `M`, `W`, `X` rejected), else from the AK5/IK5 responses; TA1 from
//! TA104; CONTRL from UCI04 (`4` rejected) and the UCM03 message responses
//! (some rejected: accepted with errors), and any UCS/UCD error or UCI05
//! code makes an accepted interchange "accepted with errors".

use std::fmt;

use super::{EdiError, Interchange, Segment, Standard};

/// Which acknowledgement a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckKind {
    /// X12 997 functional acknowledgement.
    Functional997,
    /// X12 999 implementation acknowledgement.
    Implementation999,
    /// X12 TA1 interchange acknowledgement.
    InterchangeTa1,
    /// EDIFACT CONTRL syntax and service report.
    Contrl,
}

impl AckKind {
    /// `997`, `999`, `TA1` or `CONTRL`.
    pub fn as_str(self) -> &'static str {
        match self {
            AckKind::Functional997 => "997",
            AckKind::Implementation999 => "999",
            AckKind::InterchangeTa1 => "TA1",
            AckKind::Contrl => "CONTRL",
        }
    }
}

/// The verdict of an acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckStatus {
    /// Everything was accepted.
    Accepted,
    /// Accepted, with errors noted or part of it rejected.
    AcceptedWithErrors,
    /// Rejected.
    Rejected,
}

impl AckStatus {
    /// `accepted`, `accepted with errors` or `rejected`, as steps write it.
    pub fn as_str(self) -> &'static str {
        match self {
            AckStatus::Accepted => "accepted",
            AckStatus::AcceptedWithErrors => "accepted with errors",
            AckStatus::Rejected => "rejected",
        }
    }

    /// Parses the words steps use.
    pub fn from_words(text: &str) -> Option<AckStatus> {
        [
            AckStatus::Accepted,
            AckStatus::AcceptedWithErrors,
            AckStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// One finding of an acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckIssue {
    /// Position of the acknowledgement segment that reports it.
    pub segment: usize,
    /// The error code (`5`, `8`, `29`), empty for a plain status line.
    pub code: String,
    /// What it says, with the code's meaning and where in the acknowledged document.
    pub text: String,
}

impl fmt::Display for AckIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [segment {}]", self.text, self.segment)
    }
}

/// What an acknowledgement says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    /// 997, 999, TA1 or CONTRL.
    pub kind: AckKind,
    /// The verdict.
    pub status: AckStatus,
    /// Errors and per-document responses, in document order.
    pub issues: Vec<AckIssue>,
}

impl Acknowledgement {
    /// Reads an acknowledgement; an error when the interchange is none.
    pub fn read(interchange: &Interchange) -> Result<Acknowledgement, EdiError> {
        match interchange.standard {
            Standard::X12 => x12(interchange),
            Standard::Edifact => contrl(interchange),
        }
    }

    /// The error codes reported, in order, each once.
    pub fn codes(&self) -> Vec<&str> {
        let mut codes: Vec<&str> = Vec::new();
        for issue in &self.issues {
            if !issue.code.is_empty() && !codes.contains(&issue.code.as_str()) {
                codes.push(&issue.code);
            }
        }
        codes
    }
}

impl fmt::Display for Acknowledgement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.status.as_str(), self.kind.as_str())?;
        for issue in &self.issues {
            write!(f, "; {issue}")?;
        }
        Ok(())
    }
}

fn value(segment: &Segment, n: usize) -> &str {
    segment
        .element(n)
        .and_then(|e| e.component(1))
        .unwrap_or_default()
}

fn not_an_ack(interchange: &Interchange, found: &str) -> EdiError {
    let position = interchange.segments.get(1).map_or(1, |s| s.position);
    EdiError::at(
        position,
        "",
        format!("not an acknowledgement: expected a 997, 999, TA1 or CONTRL, found {found}"),
    )
}

fn x12(interchange: &Interchange) -> Result<Acknowledgement, EdiError> {
    let set_type = interchange.first("ST").map(|st| value(st, 1));
    let kind = match set_type {
        Some("997") => AckKind::Functional997,
        Some("999") => AckKind::Implementation999,
        None if interchange.first("TA1").is_some() => AckKind::InterchangeTa1,
        Some(other) => return Err(not_an_ack(interchange, &format!("transaction set {other}"))),
        None => return Err(not_an_ack(interchange, "no transaction set")),
    };
    let mut issues = Vec::new();
    let mut set_status = Vec::new();
    let mut group_status = None;
    let mut current_set = String::new();
    for segment in &interchange.segments {
        let issue = |code: &str, text: String| AckIssue {
            segment: segment.position,
            code: code.to_owned(),
            text,
        };
        match segment.tag.as_str() {
            "TA1" => {
                let status = ta1_status(value(segment, 4));
                group_status = Some(status);
                let code = value(segment, 5);
                if status != AckStatus::Accepted || code != "000" {
                    issues.push(issue(
                        code,
                        format!(
                            "interchange {}: {}, TA105 code {code} ({})",
                            value(segment, 1),
                            status.as_str(),
                            meaning(TA1_CODES, code)
                        ),
                    ));
                }
            }
            "AK2" => current_set = format!("{} {}", value(segment, 1), value(segment, 2)),
            "AK3" | "IK3" => {
                let code = value(segment, 4);
                issues.push(issue(
                    code,
                    format!(
                        "segment {} at position {} of the set: {}04 code {code} ({})",
                        value(segment, 1),
                        value(segment, 2),
                        segment.tag,
                        meaning(SEGMENT_CODES, code)
                    ),
                ));
            }
            "AK4" | "IK4" => {
                let code = value(segment, 3);
                let bad = value(segment, 4);
                let data = if bad.is_empty() {
                    String::new()
                } else {
                    format!(", value `{bad}`")
                };
                issues.push(issue(
                    code,
                    format!(
                        "element {}: {}03 code {code} ({}){data}",
                        segment.text_of(1, &interchange.delimiters),
                        segment.tag,
                        meaning(ELEMENT_CODES, code)
                    ),
                ));
            }
            "AK5" | "IK5" => {
                let status = functional_status(value(segment, 1));
                set_status.push(status);
                let codes: Vec<&str> = (2..=6)
                    .map(|n| value(segment, n))
                    .filter(|c| !c.is_empty())
                    .collect();
                let explained: Vec<String> = codes
                    .iter()
                    .map(|c| format!("code {c} ({})", meaning(SET_CODES, c)))
                    .collect();
                let suffix = if explained.is_empty() {
                    String::new()
                } else {
                    format!(", {} {}", segment.tag, explained.join(", "))
                };
                if status != AckStatus::Accepted || !codes.is_empty() {
                    issues.push(issue(
                        codes.first().copied().unwrap_or_default(),
                        format!("transaction set {current_set}: {}{suffix}", status.as_str()),
                    ));
                }
            }
            "AK9" => {
                let status = functional_status(value(segment, 1));
                group_status = Some(status);
                let codes: Vec<&str> = (5..=9)
                    .map(|n| value(segment, n))
                    .filter(|c| !c.is_empty())
                    .collect();
                if status != AckStatus::Accepted || !codes.is_empty() {
                    let list = if codes.is_empty() {
                        String::new()
                    } else {
                        format!(", AK9 codes {}", codes.join(", "))
                    };
                    issues.push(issue(
                        codes.first().copied().unwrap_or_default(),
                        format!(
                            "functional group: {} ({} of {} transaction sets accepted){list}",
                            status.as_str(),
                            value(segment, 4),
                            value(segment, 2)
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
    let status = group_status.unwrap_or_else(|| combine(&set_status));
    Ok(Acknowledgement {
        kind,
        status,
        issues,
    })
}

fn ta1_status(code: &str) -> AckStatus {
    match code {
        "A" => AckStatus::Accepted,
        "E" => AckStatus::AcceptedWithErrors,
        _ => AckStatus::Rejected,
    }
}

/// AK501/IK501/AK901 codes.
fn functional_status(code: &str) -> AckStatus {
    match code {
        "A" => AckStatus::Accepted,
        "E" | "P" => AckStatus::AcceptedWithErrors,
        _ => AckStatus::Rejected,
    }
}

/// The status of a group from its parts: all accepted, all rejected, or a mix.
fn combine(parts: &[AckStatus]) -> AckStatus {
    if parts.iter().all(|s| *s == AckStatus::Accepted) {
        AckStatus::Accepted
    } else if !parts.is_empty() && parts.iter().all(|s| *s == AckStatus::Rejected) {
        AckStatus::Rejected
    } else {
        AckStatus::AcceptedWithErrors
    }
}

fn contrl(interchange: &Interchange) -> Result<Acknowledgement, EdiError> {
    let message_type = interchange
        .first("UNH")
        .and_then(|unh| unh.element(2))
        .and_then(|e| e.component(1));
    if message_type != Some("CONTRL") {
        let found = message_type.map_or("no message".to_owned(), |t| format!("message {t}"));
        return Err(not_an_ack(interchange, &found));
    }
    let mut issues = Vec::new();
    let mut interchange_status = AckStatus::Accepted;
    let mut messages = Vec::new();
    let mut has_errors = false;
    for segment in &interchange.segments {
        let issue = |code: &str, text: String| AckIssue {
            segment: segment.position,
            code: code.to_owned(),
            text,
        };
        match segment.tag.as_str() {
            "UCI" => {
                let (action, code) = (value(segment, 4), value(segment, 5));
                interchange_status = contrl_action(action);
                has_errors |= !code.is_empty();
                if interchange_status == AckStatus::Rejected || !code.is_empty() {
                    issues.push(issue(
                        code,
                        format!(
                            "interchange {}: {}{}",
                            value(segment, 1),
                            action_words(action),
                            code_text("UCI", code, segment, 6)
                        ),
                    ));
                }
            }
            "UCM" => {
                let (action, code) = (value(segment, 3), value(segment, 4));
                let status = contrl_action(action);
                messages.push(status);
                has_errors |= !code.is_empty();
                if status == AckStatus::Rejected || !code.is_empty() {
                    let message_type = segment
                        .element(2)
                        .and_then(|e| e.component(1))
                        .unwrap_or_default();
                    issues.push(issue(
                        code,
                        format!(
                            "message {} {message_type}: {}{}",
                            value(segment, 1),
                            action_words(action),
                            code_text("UCM", code, segment, 5)
                        ),
                    ));
                }
            }
            "UCS" => {
                has_errors = true;
                let code = value(segment, 2);
                issues.push(issue(
                    code,
                    format!(
                        "segment at position {} of the message: UCS code {code} ({})",
                        value(segment, 1),
                        meaning(SYNTAX_CODES, code)
                    ),
                ));
            }
            "UCD" => {
                has_errors = true;
                let code = value(segment, 1);
                issues.push(issue(
                    code,
                    format!(
                        "element {}: UCD code {code} ({})",
                        segment.text_of(2, &interchange.delimiters),
                        meaning(SYNTAX_CODES, code)
                    ),
                ));
            }
            _ => {}
        }
    }
    let status = match interchange_status {
        AckStatus::Rejected => AckStatus::Rejected,
        _ if messages.contains(&AckStatus::Rejected) => combine(&messages),
        _ if has_errors => AckStatus::AcceptedWithErrors,
        other => other,
    };
    Ok(Acknowledgement {
        kind: AckKind::Contrl,
        status,
        issues,
    })
}

/// UCI04 / UCM03 action codes (0083): 4 rejected; 7 acknowledged; 8 received.
fn contrl_action(code: &str) -> AckStatus {
    match code {
        "7" | "8" => AckStatus::Accepted,
        _ => AckStatus::Rejected,
    }
}

fn action_words(code: &str) -> String {
    match code {
        "4" => "rejected (action 4)".into(),
        "7" => "acknowledged (action 7)".into(),
        "8" => "received (action 8)".into(),
        other => format!("unknown action `{other}`, counted as rejected"),
    }
}

fn code_text(tag: &str, code: &str, segment: &Segment, at: usize) -> String {
    if code.is_empty() {
        return String::new();
    }
    let place = value(segment, at);
    let place = if place.is_empty() {
        String::new()
    } else {
        format!(" in {place}")
    };
    format!(
        ", {tag} code {code} ({}){place}",
        meaning(SYNTAX_CODES, code)
    )
}

fn meaning(table: &[(&str, &'static str)], code: &str) -> &'static str {
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("no description", |(_, m)| m)
}

/// AK502–AK506 / IK502–IK506: transaction set syntax error codes (X12 element 718).
const SET_CODES: &[(&str, &str)] = &[
    ("1", "transaction set not supported"),
    ("2", "transaction set trailer missing"),
    (
        "3",
        "transaction set control number in header and trailer do not match",
    ),
    (
        "4",
        "number of included segments does not match actual count",
    ),
    ("5", "one or more segments in error"),
    ("6", "missing or invalid transaction set identifier"),
    ("7", "missing or invalid transaction set control number"),
    (
        "23",
        "transaction set control number not unique within the functional group",
    ),
    ("I5", "implementation one or more segments in error"),
];

/// AK304 / IK304: segment syntax error codes (X12 element 720).
const SEGMENT_CODES: &[(&str, &str)] = &[
    ("1", "unrecognized segment ID"),
    ("2", "unexpected segment"),
    ("3", "required segment missing"),
    ("4", "loop occurs over maximum times"),
    ("5", "segment exceeds maximum use"),
    ("6", "segment not in defined transaction set"),
    ("7", "segment not in proper sequence"),
    ("8", "segment has data element errors"),
    ("I4", "implementation not used segment present"),
    ("I6", "implementation dependent segment missing"),
];

/// AK403 / IK403: element syntax error codes (X12 element 723).
const ELEMENT_CODES: &[(&str, &str)] = &[
    ("1", "required data element missing"),
    ("2", "conditional required data element missing"),
    ("3", "too many data elements"),
    ("4", "data element too short"),
    ("5", "data element too long"),
    ("6", "invalid character in data element"),
    ("7", "invalid code value"),
    ("8", "invalid date"),
    ("9", "invalid time"),
    ("10", "exclusion condition violated"),
    ("12", "too many repetitions"),
    ("13", "too many components"),
];

/// TA105: interchange note codes.
const TA1_CODES: &[(&str, &str)] = &[
    ("000", "no error"),
    (
        "001",
        "interchange control numbers in header and trailer do not match",
    ),
    ("006", "invalid interchange sender ID"),
    ("008", "invalid interchange receiver ID"),
    ("014", "invalid interchange date value"),
    ("015", "invalid interchange time value"),
    ("018", "invalid interchange control number value"),
    ("021", "invalid number of included groups value"),
    ("022", "invalid control structure"),
    ("024", "invalid interchange content"),
];

/// UCI05, UCM04, UCS02, UCD01: EDIFACT syntax error codes (0085).
const SYNTAX_CODES: &[(&str, &str)] = &[
    ("2", "syntax version or level not supported"),
    ("7", "interchange recipient not actual recipient"),
    ("12", "invalid value"),
    ("13", "missing"),
    ("14", "value not supported in this position"),
    ("15", "not supported in this position"),
    ("16", "too many constituents"),
    ("17", "no agreement"),
    ("18", "unspecified error"),
    ("23", "unknown interchange sender"),
    ("25", "test indicator not supported"),
    ("26", "duplicate detected"),
    ("28", "references do not match"),
    (
        "29",
        "control count does not match number of instances received",
    ),
    ("32", "lower level empty"),
    ("35", "too many segment repetitions"),
    ("36", "too many segment group repetitions"),
    ("37", "invalid type of character(s)"),
    ("39", "data element too long"),
    ("40", "data element too short"),
];
