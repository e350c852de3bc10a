//! Envelope checks: nesting, counts and control references of the
//! interchange, its groups and its transaction sets / messages.
//!
//! ```text
//! X12      ISA … IEA   IEA01 = number of GS groups       IEA02 = ISA13
//!          GS  … GE    GE01  = number of ST sets          GE02  = GS06
//!          ST  … SE    SE01  = segments from ST to SE     SE02  = ST02
//! EDIFACT  UNB … UNZ   UNZ01 = number of groups, or of messages when there are none   UNZ02 = UNB05
//!          UNG … UNE   UNE01 = number of messages         UNE02 = UNG05   (groups are optional)
//!          UNH … UNT   UNT01 = segments from UNH to UNT   UNT02 = UNH01
//!
//! A document may hold several interchanges one after the other.
//!
//! ST*850*0001~BEG*…~SE*5*0001~   (3 segments)
//!   ──▶ segment 5 (SE): SE01 says 5 segments, transaction set 0001 has 3 (ST at segment 3)
//! ```

use super::{EdiError, Interchange, Segment, Standard};

/// One envelope level: what opens and closes it and what the trailer checks.
struct Level {
    open: &'static str,
    close: &'static str,
    /// `interchange`, `functional group`, `transaction set`, `message`.
    name: &'static str,
    /// Tags of the levels this one may sit directly in.
    parents: &'static [&'static str],
    /// Whether the trailer's count element counts segments (else enclosed levels).
    counts_segments: bool,
    /// Element of the opener holding the control reference.
    open_control: usize,
    /// Element of the trailer repeating it.
    close_control: usize,
}

const X12: &[Level] = &[
    Level {
        open: "ISA",
        close: "IEA",
        name: "interchange",
        parents: &[],
        counts_segments: false,
        open_control: 13,
        close_control: 2,
    },
    Level {
        open: "GS",
        close: "GE",
        name: "functional group",
        parents: &["ISA"],
        counts_segments: false,
        open_control: 6,
        close_control: 2,
    },
    Level {
        open: "ST",
        close: "SE",
        name: "transaction set",
        parents: &["GS"],
        counts_segments: true,
        open_control: 2,
        close_control: 2,
    },
];

const EDIFACT: &[Level] = &[
    Level {
        open: "UNB",
        close: "UNZ",
        name: "interchange",
        parents: &[],
        counts_segments: false,
        open_control: 5,
        close_control: 2,
    },
    Level {
        open: "UNG",
        close: "UNE",
        name: "functional group",
        parents: &["UNB"],
        counts_segments: false,
        open_control: 5,
        close_control: 2,
    },
    Level {
        open: "UNH",
        close: "UNT",
        name: "message",
        parents: &["UNB", "UNG"],
        counts_segments: true,
        open_control: 1,
        close_control: 2,
    },
];

/// Segments allowed directly in an interchange, outside any group (X12 TA1 acknowledgements).
const INTERCHANGE_LEVEL: &[&str] = &["TA1"];

/// An envelope level that is open while walking the segments.
struct Open<'a> {
    level: &'a Level,
    opener: &'a Segment,
    children: usize,
    child_name: &'static str,
    segments: usize,
}

/// Checks nesting, counts and control references; the error names the segment.
pub(super) fn validate(interchange: &Interchange) -> Result<(), EdiError> {
    let levels = match interchange.standard {
        Standard::X12 => X12,
        Standard::Edifact => EDIFACT,
    };
    match interchange.segments.first() {
        Some(first) if first.tag == levels[0].open => {}
        first => {
            return Err(EdiError::at(
                1,
                first.map_or("", |s| s.tag.as_str()),
                format!("an interchange starts with {}", levels[0].open),
            ));
        }
    }
    let mut stack: Vec<Open<'_>> = Vec::new();
    let mut closed = false;
    for segment in &interchange.segments {
        if closed && segment.tag != levels[0].open {
            return Err(EdiError::at(
                segment.position,
                &segment.tag,
                format!(
                    "content after the end of the interchange ({}): a document holds whole interchanges, each starting with {}",
                    levels[0].close, levels[0].open
                ),
            ));
        }
        if let Some(open) = stack.last_mut() {
            open.segments += 1;
        }
        if let Some(level) = levels.iter().find(|l| l.open == segment.tag) {
            open_level(&mut stack, level, levels, segment)?;
            closed = false;
        } else if let Some(level) = levels.iter().find(|l| l.close == segment.tag) {
            close_level(&mut stack, level, segment)?;
            closed = stack.is_empty();
        } else {
            check_content(&stack, levels, segment)?;
        }
    }
    match stack.last() {
        None => Ok(()),
        Some(open) => Err(EdiError::at(
            open.opener.position,
            &open.opener.tag,
            format!(
                "truncated: the {} is never closed by {}",
                open.level.name, open.level.close
            ),
        )),
    }
}

fn open_level<'a>(
    stack: &mut Vec<Open<'a>>,
    level: &'a Level,
    levels: &[Level],
    segment: &'a Segment,
) -> Result<(), EdiError> {
    let parent = stack.last().map(|open| open.level.open);
    let fits = match parent {
        None => level.parents.is_empty(),
        Some(tag) => level.parents.contains(&tag),
    };
    if !fits {
        let expected = match level.parents {
            [] => format!(
                "{} opens the interchange and cannot repeat inside it",
                level.open
            ),
            parents => format!(
                "a {} must be inside {}",
                level.name,
                parents
                    .iter()
                    .map(|p| format!("{p} … {}", closer_of(levels, p)))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        };
        let within = match stack.last() {
            Some(open) => format!(
                " (it is inside the {} opened at segment {})",
                open.level.name, open.opener.position
            ),
            None => String::new(),
        };
        return Err(EdiError::at(
            segment.position,
            &segment.tag,
            format!("{expected}{within}"),
        ));
    }
    if let Some(open) = stack.last_mut() {
        open.children += 1;
        open.child_name = plural(level.name);
    }
    stack.push(Open {
        level,
        opener: segment,
        children: 0,
        child_name: "",
        segments: 1,
    });
    Ok(())
}

fn closer_of(levels: &[Level], open: &str) -> &'static str {
    levels
        .iter()
        .find(|l| l.open == open)
        .map_or("", |l| l.close)
}

fn close_level(
    stack: &mut Vec<Open<'_>>,
    level: &Level,
    segment: &Segment,
) -> Result<(), EdiError> {
    let at = |message: String| EdiError::at(segment.position, &segment.tag, message);
    let Some(open) = stack.pop() else {
        return Err(at(format!(
            "{} without a matching {}",
            level.close, level.open
        )));
    };
    if open.level.open != level.open {
        return Err(at(format!(
            "{} closes a {}, but the {} opened at segment {} ({}) is still open",
            level.close, level.name, open.level.name, open.opener.position, open.level.open
        )));
    }
    let control = control_of(open.opener, level.open_control);
    let declared = segment
        .element(1)
        .and_then(|e| e.component(1))
        .unwrap_or_default();
    let (actual, counted) = if level.counts_segments {
        (open.segments, "segments")
    } else {
        (
            open.children,
            if open.child_name.is_empty() {
                child_default(level)
            } else {
                open.child_name
            },
        )
    };
    let count_ref = format!("{}01", level.close);
    let count: usize = declared.trim().parse().map_err(|_| {
        at(format!(
            "{count_ref} `{declared}` is not a number of {counted}"
        ))
    })?;
    if count != actual {
        return Err(at(format!(
            "{count_ref} says {count} {counted}, {} {control} has {actual} ({} at segment {})",
            level.name, level.open, open.opener.position
        )));
    }
    let repeated = control_of(segment, level.close_control);
    if repeated != control {
        return Err(at(format!(
            "{}{:02} `{repeated}` does not match {}{:02} `{control}` (segment {})",
            level.close, level.close_control, level.open, level.open_control, open.opener.position
        )));
    }
    Ok(())
}

/// What a trailer counts when nothing was enclosed.
fn child_default(level: &Level) -> &'static str {
    match level.open {
        "ISA" | "UNB" => "functional groups",
        "GS" => "transaction sets",
        _ => "messages",
    }
}

fn plural(name: &str) -> &'static str {
    match name {
        "functional group" => "functional groups",
        "transaction set" => "transaction sets",
        _ => "messages",
    }
}

fn control_of(segment: &Segment, element: usize) -> &str {
    segment
        .element(element)
        .and_then(|e| e.component(1))
        .unwrap_or_default()
}

/// A data segment must sit inside the innermost level (ST … SE, UNH … UNT).
fn check_content(stack: &[Open<'_>], levels: &[Level], segment: &Segment) -> Result<(), EdiError> {
    let innermost = &levels[levels.len() - 1];
    match stack.last() {
        Some(open) if open.level.open == innermost.open => Ok(()),
        Some(open)
            if open.level.parents.is_empty()
                && INTERCHANGE_LEVEL.contains(&segment.tag.as_str()) =>
        {
            Ok(())
        }
        _ => Err(EdiError::at(
            segment.position,
            &segment.tag,
            format!(
                "outside a {} ({} … {})",
                innermost.name, innermost.open, innermost.close
            ),
        )),
    }
}
