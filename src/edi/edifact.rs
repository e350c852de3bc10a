//! EDIFACT tokenizer: the service string advice (`UNA`, or the ISO 9735
//! defaults `:+.? '`) comes from `edifact-rs`; segments, elements,
//! repetitions, components and release characters are split here, so that
//! segment tags with digits (`IG1`, which `edifact-rs` refuses: it accepts
//! three letters only) and several interchanges per document are read.
//!
//! ```text
//! UNA:+.? 'UNB+UNOC:3+ACME:14+SUPPLIER:14+261126:1000+42'
//! UNH+1+ORDERS:D:96A:UN'
//! BGM+220+PO?+1+9'…
//!   ──▶ #1 UNB [UNOC:3, ACME:14, SUPPLIER:14, 261126:1000, 42], #2 UNH [1, ORDERS:D:96A:UN],
//!       #3 BGM [220, "PO+1", 9]          (the UNA is not a segment; `?+` is a literal `+`)
//! ```
//!
//! Whitespace between segments (a line break after each terminator, spaces
//! after the last `UNZ'`) is skipped, and so are line breaks inside a segment
//! (files wrapped at a fixed width), unless a line break is a delimiter.

use edifact_rs::ServiceStringAdvice;

use super::x12::{not_a_tag, printable_char, skip_whitespace, truncated};
use super::{Delimiters, EdiError, Element, Interchange, Segment, Standard, excerpt};

/// Splits an EDIFACT document into segments.
pub(super) fn tokenize(text: &str) -> Result<Interchange, EdiError> {
    let start = text.len() - super::trim_prologue(text).len();
    let (delimiters, una_len) = read_una(&text[start..], 1)?;
    let mut segments: Vec<Segment> = Vec::new();
    let mut at = start + una_len;
    loop {
        at += skip_whitespace(&text[at..], &delimiters);
        if at >= text.len() {
            break;
        }
        let position = segments.len() + 1;
        let rest = &text[at..];
        if rest.starts_with("UNA") {
            let (declared, len) = read_una(rest, position)?;
            if declared != delimiters {
                return Err(EdiError::at(
                    position,
                    "UNA",
                    "this UNA declares other delimiters than the first interchange's: a document holds interchanges with the same delimiters",
                ));
            }
            at += len;
            continue;
        }
        let (segment, len) = read_segment(rest, position, at, &delimiters)?;
        segments.push(segment);
        at += len;
    }
    Ok(Interchange::new(Standard::Edifact, delimiters, segments))
}

/// The delimiters of the service string advice at the start of `text` (or
/// the defaults), and the length of the `UNA` (0 when there is none).
fn read_una(text: &str, position: usize) -> Result<(Delimiters, usize), EdiError> {
    let advice = ServiceStringAdvice::from_bytes(text.as_bytes())
        .map_err(|e| EdiError::at(position, "UNA", e.to_string()))?;
    let una_len = if text.starts_with("UNA") {
        // `from_bytes` accepted nine bytes of ASCII service characters.
        text.char_indices().nth(9).map_or(text.len(), |(i, _)| i)
    } else {
        0
    };
    let delimiters = Delimiters {
        element: char::from(advice.element_sep),
        component: char::from(advice.component_sep),
        repetition: advice
            .is_repetition_active()
            .then_some(char::from(advice.repetition_sep)),
        segment: char::from(advice.segment_term),
        release: Some(char::from(advice.release_char)),
    };
    Ok((delimiters, una_len))
}

/// One segment at the start of `text`, and its length with the terminator.
fn read_segment(
    text: &str,
    position: usize,
    offset: usize,
    d: &Delimiters,
) -> Result<(Segment, usize), EdiError> {
    let tag_len = text.find([d.element, d.segment]).unwrap_or(text.len());
    let tag = &text[..tag_len];
    if !super::x12::is_tag(tag) {
        if tag_len == text.len() {
            return Err(truncated(position, text, d));
        }
        return Err(not_a_tag(position, tag));
    }
    let mut elements: Vec<Element> = Vec::new();
    let mut repetitions: Vec<Vec<String>> = Vec::new();
    let mut components: Vec<String> = Vec::new();
    let mut value = String::new();
    let mut chars = text[tag_len..].char_indices();
    let mut in_element = false;
    while let Some((i, c)) = chars.next() {
        let delimiter = |x: char| c == x;
        if Some(c) == d.release {
            match chars.next() {
                Some((_, escaped)) => value.push(escaped),
                None => {
                    return Err(EdiError::at(
                        position,
                        tag,
                        format!(
                            "truncated: `{}` ends in the release character `{}`",
                            excerpt(text),
                            printable_char(c)
                        ),
                    ));
                }
            }
        } else if delimiter(d.segment) || delimiter(d.element) {
            if in_element {
                components.push(std::mem::take(&mut value));
                repetitions.push(std::mem::take(&mut components));
                elements.push(Element {
                    repetitions: std::mem::take(&mut repetitions),
                });
            }
            if delimiter(d.segment) {
                let segment = Segment {
                    position,
                    offset,
                    tag: tag.to_owned(),
                    elements,
                };
                return Ok((segment, tag_len + i + c.len_utf8()));
            }
            in_element = true;
        } else if delimiter(d.component) {
            components.push(std::mem::take(&mut value));
        } else if Some(c) == d.repetition {
            components.push(std::mem::take(&mut value));
            repetitions.push(std::mem::take(&mut components));
        } else if c != '\r' && c != '\n' {
            value.push(c);
        }
    }
    Err(truncated(position, text, d))
}
