//! Element paths: how steps and drift reports address a value in an interchange.
//!
//! ```text
//! path     := (step "/")* final
//! step     := TAG selector?                         N1[ST]   PO1[2]   LIN
//! final    := TAG selector? element                 BEG03    N1[ST]02   BGM+2   DTM[=137]+1:2
//! element  := DD ("-" N)?                           X12: two-digit element, optional component
//!           | "+" N (":" N)?                        EDIFACT: element, optional component
//! selector := "[" N "]"                             the N-th segment with this tag (1-based)
//!           | "[" QUALIFIER "]" | "[=" TEXT "]"     the first whose element 1 (component 1) is it;
//!                                                   `=` for numeric qualifiers: DTM[=137]
//! ```
//!
//! The first step searches the whole document. Each further step searches
//! what the previous step found spans: an EDIFACT segment group (`LIN[2]`
//! spans the second line with its QTY, PRI, RFF … groups, see `groups`), a
//! message (`UNH[2]`), or else up to the next segment with that segment's
//! tag — an X12 loop: `N1[ST]/N403` is the city in the ship-to `N1` loop,
//! `PO1[2]/PO102` the quantity of the second line (the final step may name
//! the same segment again).
//!
//! ```text
//! N1*BT*ACME HQ~N3*1 MAIN ST~N1*ST*ACME PLANT 7~N3*9 DOCK RD~N4*TOLEDO*OH*43604~
//!   N1[ST]/N102 → "ACME PLANT 7"     N1[ST]/N401 → "TOLEDO"     N1[2]/N301 → "9 DOCK RD"
//! LIN+1++A:SA'QTY+21:10'LIN+2++B:SA'QTY+21:4'
//!   LIN[2]/QTY[1]+1:2 → "4"          LIN[2]+3:1 → "B"
//! ```
//!
//! Drift reports name a segment the same way ([`segment_path`]): through
//! its groups in EDIFACT (`LIN[2]/QTY[1]+1:2`, with `UNH[n]/` in front when
//! the document holds several messages), by occurrence in X12
//! (`PO1[2]/PO102`), so a reported path can be pasted into `[compare] ignore`.

use std::fmt;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{Interchange, Segment, Standard};

/// A parsed element path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdiPath {
    steps: Vec<Step>,
    element: usize,
    component: Option<usize>,
    /// How the element was written: `true` for `+N`, `false` for two digits.
    edifact_style: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    tag: String,
    select: Selector,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Selector {
    First,
    Occurrence(usize),
    Qualifier(String),
}

/// A path that does not follow the grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid EDI path `{path}`: {reason}; write e.g. `BEG03`, `PO1[2]/PO102`, `N1[ST]/N102`, `BGM+2`, `LIN[2]/QTY[1]+1:2` or `DTM[=137]+1:2`"
)]
pub struct PathError {
    path: String,
    reason: String,
}

fn pattern(re: &str) -> Regex {
    Regex::new(re).unwrap_or_else(|e| panic!("built-in EDI path pattern: {e}"))
}

static STEP: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"^(?<tag>[A-Z][A-Z0-9]{1,2})(?:\[(?<sel>[^\]]+)\])?$"));
static FINAL: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"^(?<tag>[A-Z][A-Z0-9]{1,2}?)(?:\[(?<sel>[^\]]+)\])?(?:(?<x12>\d{2})(?:-(?<xc>\d{1,2}))?|\+(?<ef>\d{1,2})(?::(?<ec>\d{1,2}))?)$",
    )
});

impl std::str::FromStr for EdiPath {
    type Err = PathError;

    fn from_str(path: &str) -> Result<EdiPath, PathError> {
        let fail = |reason: String| PathError {
            path: path.to_owned(),
            reason,
        };
        let parts: Vec<&str> = path.trim().split('/').collect();
        let (last, leading) = parts
            .split_last()
            .ok_or_else(|| fail("it is empty".into()))?;
        let mut steps = Vec::new();
        for part in leading {
            let caps = STEP.captures(part).ok_or_else(|| {
                fail(format!(
                    "`{part}` is not a segment tag with an optional [selector]"
                ))
            })?;
            steps.push(Step {
                tag: caps["tag"].to_owned(),
                select: selector(caps.name("sel").map(|m| m.as_str())).map_err(&fail)?,
            });
        }
        let caps = FINAL.captures(last).ok_or_else(|| {
            fail(format!(
                "`{last}` does not end in an element (`03`, `02-1`, `+2`, `+1:2`)"
            ))
        })?;
        steps.push(Step {
            tag: caps["tag"].to_owned(),
            select: selector(caps.name("sel").map(|m| m.as_str())).map_err(&fail)?,
        });
        let number = |name: &str| {
            caps.name(name)
                .and_then(|m| m.as_str().parse::<usize>().ok())
        };
        let edifact_style = caps.name("ef").is_some();
        let element = number("x12").or_else(|| number("ef")).unwrap_or(0);
        let component = number("xc").or_else(|| number("ec"));
        if element == 0 || component == Some(0) {
            return Err(fail("elements and components count from 1".into()));
        }
        Ok(EdiPath {
            steps,
            element,
            component,
            edifact_style,
        })
    }
}

fn selector(text: Option<&str>) -> Result<Selector, String> {
    match text {
        None => Ok(Selector::First),
        Some(t) if t.starts_with('=') && t.len() > 1 => Ok(Selector::Qualifier(t[1..].to_owned())),
        Some(t) if t.chars().all(|c| c.is_ascii_digit()) => match t.parse::<usize>() {
            Ok(n) if n > 0 => Ok(Selector::Occurrence(n)),
            _ => Err(format!("`[{t}]`: occurrences count from 1")),
        },
        Some(t)
            if !t.is_empty()
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ')) =>
        {
            Ok(Selector::Qualifier(t.to_owned()))
        }
        Some(t) => Err(format!("`[{t}]` is neither an occurrence nor a qualifier")),
    }
}

impl fmt::Display for EdiPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            f.write_str(&step.tag)?;
            match &step.select {
                Selector::First => {}
                Selector::Occurrence(n) => write!(f, "[{n}]")?,
                Selector::Qualifier(q) if q.chars().all(|c| c.is_ascii_digit()) => {
                    write!(f, "[={q}]")?
                }
                Selector::Qualifier(q) => write!(f, "[{q}]")?,
            }
        }
        match (self.edifact_style, self.component) {
            (false, None) => write!(f, "{:02}", self.element),
            (false, Some(c)) => write!(f, "{:02}-{c}", self.element),
            (true, None) => write!(f, "+{}", self.element),
            (true, Some(c)) => write!(f, "+{}:{c}", self.element),
        }
    }
}

impl EdiPath {
    /// The segment the path points into, if the interchange has it.
    pub fn segment<'a>(&self, interchange: &'a Interchange) -> Option<&'a Segment> {
        let segments = &interchange.segments;
        let mut scope = 0..segments.len();
        let mut found = None;
        for step in &self.steps {
            let index = scope
                .clone()
                .filter(|&i| segments[i].tag == step.tag)
                .filter(|&i| match &step.select {
                    Selector::Qualifier(q) => segments[i].qualifier() == Some(q.as_str()),
                    _ => true,
                })
                .nth(match step.select {
                    Selector::Occurrence(n) => n - 1,
                    _ => 0,
                })?;
            found = Some(index);
            scope = interchange.groups.span(index, &scope);
        }
        found.map(|i| &segments[i])
    }

    /// Whether the path addresses component `component` (or the whole element
    /// when `None`) of element `element` of `segment`. A path without
    /// selectors (`ISA13`, `DTM+1:2`) covers every segment with its tag.
    pub fn covers(
        &self,
        interchange: &Interchange,
        segment: &Segment,
        element: usize,
        component: Option<usize>,
    ) -> bool {
        let component_matches = match (self.component, component) {
            (None, _) => true,
            (Some(mine), Some(theirs)) => mine == theirs,
            (Some(mine), None) => mine == 1,
        };
        let Some(last) = self.steps.last() else {
            return false;
        };
        if element != self.element || !component_matches || last.tag != segment.tag {
            return false;
        }
        if self.steps.len() == 1 && last.select == Selector::First {
            return true;
        }
        self.segment(interchange)
            .is_some_and(|found| found.position == segment.position)
    }

    /// The value the path points at: the element's text (components joined
    /// with the interchange's separator) or one component. `None` when the
    /// segment, element or component is absent.
    pub fn value(&self, interchange: &Interchange) -> Option<String> {
        let element = self.segment(interchange)?.element(self.element)?;
        match self.component {
            None => Some(element.text(&interchange.delimiters)),
            Some(c) => element.component(c).map(str::to_owned),
        }
    }
}

/// How a drift report names the segment at `index`: `LIN[2]/QTY[1]`,
/// `UNH[2]/BGM`, `PO1[2]`, `BEG`.
pub fn segment_path(interchange: &Interchange, index: usize) -> String {
    path_steps(interchange, index).join("/")
}

/// How a drift report names an element of the segment at `index`:
/// `LIN[2]/QTY[1]+1:2`, `BGM+2`, `PO1[2]/PO102`, `BEG03`.
pub fn element_path(
    interchange: &Interchange,
    index: usize,
    element: usize,
    component: Option<usize>,
) -> String {
    let Some(segment) = interchange.segments.get(index) else {
        return String::new();
    };
    let element_ref = interchange.element_ref(&segment.tag, element, component);
    let mut steps = path_steps(interchange, index);
    match interchange.standard {
        Standard::X12 if steps.iter().all(|s| !s.contains('[')) => element_ref,
        Standard::X12 => format!("{}/{element_ref}", steps.join("/")),
        Standard::Edifact => {
            if let Some(last) = steps.last_mut() {
                last.push_str(&element_ref[segment.tag.len()..]);
            }
            steps.join("/")
        }
    }
}

/// The steps naming segment `index`: its enclosing groups (EDIFACT), then
/// the segment with its occurrence when it is not the only one.
fn path_steps(interchange: &Interchange, index: usize) -> Vec<String> {
    let segments = &interchange.segments;
    let mut chain = interchange.groups.ancestors(index);
    let messages = segments.iter().filter(|s| s.tag == "UNH").count();
    if messages <= 1 && chain.first().is_some_and(|&i| segments[i].tag == "UNH") {
        chain.remove(0);
    }
    let mut scope = 0..segments.len();
    let mut steps = Vec::with_capacity(chain.len() + 1);
    for &opener in &chain {
        steps.push(step_name(segments, opener, &scope, true));
        scope = interchange.groups.span(opener, &scope);
    }
    if index < segments.len() {
        steps.push(step_name(segments, index, &scope, !chain.is_empty()));
    }
    steps
}

/// `TAG[n]`, n counting the segments with its tag in `scope`; just `TAG`
/// when it is the only one and `always` is false.
fn step_name(segments: &[Segment], index: usize, scope: &Range<usize>, always: bool) -> String {
    let tag = &segments[index].tag;
    let same_tag = || scope.clone().filter(|&i| segments[i].tag == *tag);
    let occurrence = same_tag().take_while(|&i| i <= index).count();
    if !always && same_tag().count() == 1 {
        tag.clone()
    } else {
        format!("{tag}[{occurrence}]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip_through_display() {
        for path in [
            "BEG03",
            "PO1[2]/PO102",
            "N1[ST]/N102",
            "N1[ST]/N403",
            "SV101-2",
            "BGM+2",
            "DTM[=137]+1:2",
            "NAD[BY]+2:1",
            "UNH+2:1",
            "AK5[1]/AK501",
            "LIN[2]/QTY[1]+1:2",
            "UNH[2]/LIN[1]+3:1",
        ] {
            let parsed: EdiPath = path.parse().unwrap();
            assert_eq!(parsed.to_string(), path);
        }
    }

    #[test]
    fn final_step_splits_tag_and_two_digit_element() {
        let cases = [
            ("PO102", "PO1", 2),
            ("N102", "N1", 2),
            ("AK501", "AK5", 1),
            ("ISA13", "ISA", 13),
            ("BGM+12", "BGM", 12),
        ];
        for (path, tag, element) in cases {
            let parsed: EdiPath = path.parse().unwrap();
            assert_eq!(
                (parsed.steps[0].tag.as_str(), parsed.element),
                (tag, element),
                "{path}"
            );
        }
    }

    #[test]
    fn malformed_paths_are_explained() {
        let cases = [
            ("", "does not end in an element"),
            ("BEG", "does not end in an element"),
            ("BEG3", "does not end in an element"),
            ("beg03", "does not end in an element"),
            ("PO1[0]/PO102", "occurrences count from 1"),
            ("BEG00", "count from 1"),
            ("N1[A=B]02", "neither an occurrence nor a qualifier"),
            ("N1[ST/N102", "not a segment tag"),
            (
                "AK1[[1]/AK102",
                "`[[1]` is neither an occurrence nor a qualifier",
            ),
            ("LIN[2]]/QTY+1", "not a segment tag"),
        ];
        for (path, reason) in cases {
            let error = path.parse::<EdiPath>().unwrap_err().to_string();
            assert!(error.contains(reason), "{path}: {error}");
        }
    }
}
