//! EDI comparison: two text bodies that are both EDI interchanges are
//! compared segment by segment and element by element, not as text.
//!
//! ```text
//! baseline  …AK2*850*0001~AK5*A~AK9*A*1*1*1~SE*6*0311~…   (ISA13 000000311, sent 10:01)
//! candidate …AK2*850*0001~AK5*R*5~AK9*R*1*1*0~SE*6*9050~… (ISA13 000009050, sent 10:02)
//! ──▶ edi_element  AK501   segment 6: "A" in baseline, "R" in candidate
//!     edi_element  AK502   segment 6: "" in baseline, "5" in candidate
//!     edi_element  AK901 …                  (control numbers and dates are noise: not reported)
//! ```
//!
//! Segments are aligned by a longest common subsequence of tag and qualifier
//! (`N1*ST` pairs with `N1*ST`), then unaligned segments with the same tag in
//! the same gap are paired in order; what is left over is a missing or an
//! extra segment. Findings name EDIFACT segments through their groups
//! (`LIN[2]/QTY[1]+1:2`, see `edi::segment_path`), so a line added before
//! another does not rename it. Envelope control numbers, interchange dates/times and
//! trailer counts are noise by default ([`NOISE`]); `[compare] ignore` entries written as
//! `edi:PATH` (e.g. `edi:ISA15`, `edi:DTM[=137]+1:2`) add to them. Values are
//! normalised like every other value (captured values, environment
//! variables) and compared without trailing spaces (ISA fields are padded).

use serde_json::Value;

use super::Normalizer;
use super::finding::Finding;
use crate::drift_class::DriftClass;
use crate::edi::{self, EdiPath, Interchange, Segment};
use crate::trace::{Side, Twin};

/// Envelope elements that differ on every exchange (control numbers, dates,
/// times) or follow from the segments, which are compared themselves (the
/// trailer counts SE01, GE01, IEA01, UNT01, UNE01, UNZ01).
pub const NOISE: &[&str] = &[
    "ISA09", "ISA10", "ISA13", "IEA01", "IEA02", "GS04", "GS05", "GS06", "GE01", "GE02", "ST02",
    "SE01", "SE02", "UNB+4", "UNB+5", "UNZ+1", "UNZ+2", "UNG+4", "UNG+5", "UNE+1", "UNE+2",
    "UNH+1", "UNT+1", "UNT+2",
];

/// Above this many segment pairs, segments are paired by position instead of aligned.
const MAX_ALIGNMENT_CELLS: usize = 4_000_000;

/// What the EDI comparison skips.
#[derive(Debug, Clone)]
pub(crate) struct EdiRules {
    ignore: Vec<EdiPath>,
}

/// The default noise: envelope control numbers, dates and counts.
impl Default for EdiRules {
    fn default() -> Self {
        EdiRules::new(&[])
    }
}

impl EdiRules {
    /// The default noise plus every `edi:PATH` entry of `[compare] ignore`.
    pub(super) fn new(ignore: &[String]) -> EdiRules {
        let user = ignore.iter().filter_map(|entry| entry.strip_prefix("edi:"));
        EdiRules {
            ignore: NOISE
                .iter()
                .copied()
                .chain(user)
                .filter_map(|path| path.parse().ok())
                .collect(),
        }
    }

    fn ignores(
        &self,
        ix: &Interchange,
        segment: &Segment,
        element: usize,
        component: Option<usize>,
    ) -> bool {
        self.ignore
            .iter()
            .any(|path| path.covers(ix, segment, element, component))
    }
}

/// Which body of the exchange is compared: drift paths of requests say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    Request,
    Response,
}

/// Findings for two bodies when both are EDI; `None` when either is not, or
/// neither parses (then the text comparison judges them).
pub(super) fn compare_texts(
    pair: Twin<&str>,
    part: Part,
    rules: &EdiRules,
    normalizer: &Normalizer,
) -> Option<Vec<Finding>> {
    edi::sniff(pair.baseline)?;
    edi::sniff(pair.candidate)?;
    match (edi::parse(pair.baseline), edi::parse(pair.candidate)) {
        (Ok(b), Ok(c)) if b.standard != c.standard => Some(vec![invalid_finding(
            part,
            format!(
                "{} in baseline, {} in candidate",
                b.standard.as_str(),
                c.standard.as_str()
            ),
        )]),
        (Ok(b), Ok(c)) => Some(
            Differ {
                rules,
                normalizer,
                part,
                pair: Twin::new(&b, &c),
            }
            .findings(),
        ),
        (Err(e), Ok(_)) => Some(vec![invalid_finding(
            part,
            format!("the baseline's EDI is invalid: {e}"),
        )]),
        (Ok(_), Err(e)) => Some(vec![invalid_finding(
            part,
            format!("the candidate's EDI is invalid: {e}"),
        )]),
        (Err(_), Err(_)) => None,
    }
}

fn invalid_finding(part: Part, message: String) -> Finding {
    Finding {
        suppressed_by: None,
        class: DriftClass::Body,
        path: (part == Part::Request).then(|| "request".to_owned()),
        baseline: None,
        candidate: None,
        message,
    }
}

struct Differ<'a> {
    rules: &'a EdiRules,
    normalizer: &'a Normalizer,
    part: Part,
    pair: Twin<&'a Interchange>,
}

impl Differ<'_> {
    fn findings(&self) -> Vec<Finding> {
        let (b, c) = (&self.pair.baseline.segments, &self.pair.candidate.segments);
        let mut findings = Vec::new();
        for (bi, ci) in align(b, c) {
            match (bi, ci) {
                (Some(bi), Some(ci)) => findings.extend(self.compare_segments(&b[bi], &c[ci])),
                (Some(bi), None) => findings.push(self.lone_segment(Side::Baseline, &b[bi])),
                (None, Some(ci)) => findings.push(self.lone_segment(Side::Candidate, &c[ci])),
                (None, None) => {}
            }
        }
        findings
    }

    fn compare_segments(&self, b: &Segment, c: &Segment) -> Vec<Finding> {
        let mut findings = Vec::new();
        for n in 1..=b.elements.len().max(c.elements.len()) {
            let width = |s: &Segment| {
                s.element(n)
                    .and_then(|e| e.repetitions.first())
                    .map_or(0, Vec::len)
            };
            let single = |s: &Segment| s.element(n).is_none_or(|e| e.repetitions.len() == 1);
            let components = if single(b) && single(c) {
                width(b).max(width(c))
            } else {
                0
            };
            if components > 1 {
                for k in 1..=components {
                    findings.extend(self.compare_value(b, c, n, Some(k)));
                }
            } else {
                findings.extend(self.compare_value(b, c, n, None));
            }
        }
        findings
    }

    fn compare_value(
        &self,
        b: &Segment,
        c: &Segment,
        element: usize,
        component: Option<usize>,
    ) -> Option<Finding> {
        let ignored = self
            .rules
            .ignores(self.pair.baseline, b, element, component)
            || self
                .rules
                .ignores(self.pair.candidate, c, element, component);
        if ignored {
            return None;
        }
        let raw = Twin::new(
            self.raw_value(Side::Baseline, b, element, component),
            self.raw_value(Side::Candidate, c, element, component),
        );
        let normalized = self
            .normalizer
            .normalize_texts(Twin::new(raw.baseline.trim_end(), raw.candidate.trim_end()));
        let (vb, vc) = (normalized.baseline, normalized.candidate);
        if vb == vc {
            return None;
        }
        let ix = self.pair.baseline;
        let path = self.path(&edi::element_path(ix, b.position - 1, element, component));
        let moved = if b.position == c.position {
            String::new()
        } else {
            format!(" (segment {} in candidate)", c.position)
        };
        Some(Finding {
            suppressed_by: None,
            class: DriftClass::EdiElement,
            message: format!(
                "segment {} {path}: {vb:?} in baseline, {vc:?} in candidate{moved}",
                b.position
            ),
            path: Some(path),
            baseline: Some(Value::String(vb)),
            candidate: Some(Value::String(vc)),
        })
    }

    /// The element's (or component's) text on one side, as sent.
    fn raw_value(
        &self,
        side: Side,
        segment: &Segment,
        element: usize,
        component: Option<usize>,
    ) -> String {
        let ix = self.pair.get(side);
        match (segment.element(element), component) {
            (None, _) => String::new(),
            (Some(e), None) => e.text(&ix.delimiters),
            (Some(e), Some(k)) => e.component(k).unwrap_or_default().to_owned(),
        }
    }

    fn lone_segment(&self, side: Side, segment: &Segment) -> Finding {
        let ix = self.pair.get(side);
        let text = self
            .normalizer
            .normalize_text(side, &segment_text(ix, segment));
        let path = self.path(&edi::segment_path(ix, segment.position - 1));
        let (class, message, baseline, candidate) = match side {
            Side::Baseline => (
                DriftClass::EdiSegmentMissing,
                format!(
                    "segment {} {path} is missing in candidate: {text}",
                    segment.position
                ),
                Some(Value::String(text)),
                None,
            ),
            Side::Candidate => (
                DriftClass::EdiSegmentExtra,
                format!(
                    "segment {} {path} is in candidate only: {text}",
                    segment.position
                ),
                None,
                Some(Value::String(text)),
            ),
        };
        Finding {
            suppressed_by: None,
            class,
            path: Some(path),
            baseline,
            candidate,
            message,
        }
    }

    /// The path with `request:` in front for request bodies.
    fn path(&self, path: &str) -> String {
        match self.part {
            Part::Request => format!("request:{path}"),
            Part::Response => path.to_owned(),
        }
    }
}

fn segment_text(ix: &Interchange, segment: &Segment) -> String {
    let mut text = segment.tag.clone();
    for element in &segment.elements {
        text.push(ix.delimiters.element);
        text.push_str(&element.text(&ix.delimiters));
    }
    text
}

/// The alignment key: tag, plus the qualifier for content segments.
fn key(segment: &Segment) -> (&str, &str) {
    let envelope = matches!(
        segment.tag.as_str(),
        "ISA" | "IEA" | "GS" | "GE" | "ST" | "SE"
    ) || segment.tag.starts_with("UN");
    let qualifier = if envelope {
        ""
    } else {
        segment.qualifier().unwrap_or_default()
    };
    (&segment.tag, qualifier)
}

/// Pairs of segment indexes, in order: both sides, or one side only.
fn align(b: &[Segment], c: &[Segment]) -> Vec<(Option<usize>, Option<usize>)> {
    let anchors = if b.len().saturating_mul(c.len()) > MAX_ALIGNMENT_CELLS {
        (0..b.len().min(c.len())).map(|i| (i, i)).collect()
    } else {
        common_subsequence(b, c)
    };
    let mut out = Vec::new();
    let (mut bi, mut ci) = (0, 0);
    for (ab, ac) in anchors.into_iter().chain([(b.len(), c.len())]) {
        out.extend(pair_gap(b, c, bi..ab, ci..ac));
        if ab < b.len() && ac < c.len() {
            out.push((Some(ab), Some(ac)));
        }
        (bi, ci) = (ab + 1, ac + 1);
    }
    out
}

/// Longest common subsequence of segment keys, as index pairs.
fn common_subsequence(b: &[Segment], c: &[Segment]) -> Vec<(usize, usize)> {
    let (n, m) = (b.len(), c.len());
    let mut table = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[at(i, j)] = if key(&b[i]) == key(&c[j]) {
                table[at(i + 1, j + 1)] + 1
            } else {
                table[at(i + 1, j)].max(table[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j, mut pairs) = (0, 0, Vec::new());
    while i < n && j < m {
        if key(&b[i]) == key(&c[j]) {
            pairs.push((i, j));
            (i, j) = (i + 1, j + 1);
        } else if table[at(i + 1, j)] >= table[at(i, j + 1)] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

/// Unaligned segments between two anchors: same tags pair in order, the rest stand alone.
fn pair_gap(
    b: &[Segment],
    c: &[Segment],
    bs: std::ops::Range<usize>,
    cs: std::ops::Range<usize>,
) -> Vec<(Option<usize>, Option<usize>)> {
    let mut out = Vec::new();
    let mut next_c = cs.start;
    for i in bs {
        let partner = (next_c..cs.end).find(|&j| c[j].tag == b[i].tag);
        match partner {
            Some(j) => {
                out.extend((next_c..j).map(|k| (None, Some(k))));
                out.push((Some(i), Some(j)));
                next_c = j + 1;
            }
            None => out.push((Some(i), None)),
        }
    }
    out.extend((next_c..cs.end).map(|k| (None, Some(k))));
    out
}
