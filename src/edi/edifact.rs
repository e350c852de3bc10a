//! EDIFACT tokenizer: `edifact-rs` reads the service string advice (`UNA`,
//! or the ISO 9735 defaults `:+.? '`), release characters and repetitions;
//! this adapter numbers the segments and names the position of any error.
//!
//! ```text
//! UNA:+.? 'UNB+UNOC:3+ACME:14+SUPPLIER:14+261126:1000+42'UNH+1+ORDERS:D:96A:UN'BGM+220+PO?+1+9'…
//!   ──▶ #1 UNB [UNOC:3, ACME:14, SUPPLIER:14, 261126:1000, 42], #2 UNH [1, ORDERS:D:96A:UN],
//!       #3 BGM [220, "PO+1", 9]          (the UNA is not a segment; `?+` is a literal `+`)
//! ```

use edifact_rs::{EdifactError, ServiceStringAdvice};

use super::{Delimiters, EdiError, Element, Interchange, Segment, Standard};

/// Splits an EDIFACT interchange into segments.
pub(super) fn tokenize(text: &str) -> Result<Interchange, EdiError> {
    let bytes = text.as_bytes();
    let advice = ServiceStringAdvice::from_bytes(bytes)
        .map_err(|e| EdiError::at(1, "UNA", e.to_string()))?;
    let mut segments: Vec<Segment> = Vec::new();
    for parsed in edifact_rs::from_bytes(bytes) {
        let position = segments.len() + 1;
        let segment = parsed.map_err(|e| error_at(position, text, &e))?;
        segments.push(Segment {
            position,
            offset: segment.span.start,
            tag: segment.tag.to_string(),
            elements: segment
                .elements
                .iter()
                .map(|e| Element {
                    repetitions: e
                        .repetitions()
                        .map(|components| components.iter().map(|(c, _)| c.to_string()).collect())
                        .collect(),
                })
                .collect(),
        });
    }
    Ok(Interchange {
        standard: Standard::Edifact,
        delimiters: Delimiters {
            element: char::from(advice.element_sep),
            component: char::from(advice.component_sep),
            repetition: advice
                .is_repetition_active()
                .then_some(char::from(advice.repetition_sep)),
            segment: char::from(advice.segment_term),
            release: Some(char::from(advice.release_char)),
        },
        segments,
    })
}

/// The tokenizer's error, placed at the segment it stopped in.
fn error_at(position: usize, text: &str, error: &EdifactError) -> EdiError {
    let message = error.to_string();
    let message = match error {
        EdifactError::UnexpectedEof { .. } => format!("truncated: {message}"),
        _ => message,
    };
    EdiError::at(position, &tag_near(text, error), message)
}

/// The tag of the segment an error's byte offset falls in, when the offset is known.
fn tag_near(text: &str, error: &EdifactError) -> String {
    let offset = match error {
        EdifactError::UnexpectedEof { offset, .. }
        | EdifactError::InvalidText { offset, .. }
        | EdifactError::InvalidReleaseSequence { offset, .. } => *offset,
        _ => return String::new(),
    };
    let before = text.get(..offset).unwrap_or_default();
    let start = before.rfind(['\'', '\n']).map_or(0, |i| i + 1);
    let tag: String = text
        .get(start..)
        .unwrap_or_default()
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    if super::x12::is_tag(&tag) {
        tag
    } else {
        String::new()
    }
}
