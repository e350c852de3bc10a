//! EDI interchanges: X12 and EDIFACT parsed into positioned segments, their
//! envelopes checked, element paths, and acknowledgements read.
//!
//! ```text
//! ISA*00*          *00*          *ZZ*ACMEPROD       *ZZ*SUPPLIER       *261126*1000*^*00501*000000001*0*P*>~
//! GS*PO*ACMEPROD*SUPPLIER*20261126*1000*1*X*005010~ST*850*0001~BEG*00*SA*PO-20931**20261126~ … SE*8*0001~GE*1*1~IEA*1*000000001~
//!   ──parse──▶ Interchange { standard: X12, delimiters: * > ^ ~,
//!                segments: [#1 ISA, #2 GS, #3 ST, #4 BEG [00, SA, PO-20931, "", 20261126], …] }
//!   path "BEG03"          ──▶ "PO-20931"
//!   path "N1[ST]/N102"    ──▶ the name of the ship-to party
//!   SE01 = 8 but 9 segments ──▶ error "segment 11 (SE): SE01 says 8 segments, transaction set 0001 has 9"
//! ```
//!
//! Delimiters are read from the envelope, never assumed: X12 takes the element
//! separator from byte 3 of the fixed-width ISA, the repetition separator from
//! ISA11, the component separator from ISA16 and the segment terminator from
//! the byte after it; EDIFACT takes them from the `UNA` service string advice,
//! or the ISO 9735 defaults `:+.? '` when there is none.
//!
//! Crates evaluated (see `docs/edi.md`): `edi` 0.4 (X12) slices the input at
//! fixed byte offsets and `unwrap`s counts, so it panics on short or non-ASCII
//! input, reads the element separator from byte 103 instead of 3, ignores the
//! repetition separator and reports no positions — so X12 is tokenised here
//! ([`x12`]). `edifact-rs` 0.18 (maintained, fuzzed, strict about truncation,
//! `UNA` and release characters, byte spans on every element) tokenises
//! EDIFACT; `edifact-parser` 0.38 is a callback-style tokenizer from a larger
//! mapping project with nothing `edifact-rs` lacks. Envelope counts and
//! control references are checked here for both standards, so every error
//! names a segment position the same way.

mod ack;
mod charset;
mod edifact;
mod envelope;
mod groups;
mod path;
mod x12;

#[cfg(test)]
pub(crate) mod tests;

pub use ack::{AckIssue, AckKind, AckStatus, Acknowledgement};
pub use charset::{Charset, Decoded, decode};
pub use path::{EdiPath, element_path, segment_path};

/// Which EDI standard an interchange follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standard {
    /// ASC X12 (`ISA … IEA`).
    X12,
    /// UN/EDIFACT (`UNA`/`UNB … UNZ`).
    Edifact,
}

impl Standard {
    /// The content type a document of this standard is posted with.
    pub fn media_type(self) -> &'static str {
        match self {
            Standard::X12 => "application/edi-x12",
            Standard::Edifact => "application/edifact",
        }
    }

    /// `X12` or `EDIFACT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Standard::X12 => "X12",
            Standard::Edifact => "EDIFACT",
        }
    }
}

/// The separators an interchange declares in its envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delimiters {
    /// Separates data elements (`*` in X12, `+` in EDIFACT by default).
    pub element: char,
    /// Separates components of a composite element (ISA16; `:` in EDIFACT).
    pub component: char,
    /// Separates repetitions of an element (ISA11 from version 00402; UNA position 5).
    pub repetition: Option<char>,
    /// Ends a segment (`~`, `'`).
    pub segment: char,
    /// Escapes a separator inside data (EDIFACT `?`; X12 has none).
    pub release: Option<char>,
}

/// One data element: its repetitions, each a list of components.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// At least one repetition; each holds at least one component.
    pub repetitions: Vec<Vec<String>>,
}

impl Element {
    /// An element with one repetition of these components.
    pub fn of(components: &[&str]) -> Element {
        Element {
            repetitions: vec![components.iter().map(|c| (*c).to_owned()).collect()],
        }
    }

    /// Component `n` (1-based) of the first repetition.
    pub fn component(&self, n: usize) -> Option<&str> {
        self.repetitions
            .first()
            .and_then(|components| components.get(n.checked_sub(1)?))
            .map(String::as_str)
    }

    /// The element as written, with the interchange's separators (release
    /// characters removed).
    pub fn text(&self, delimiters: &Delimiters) -> String {
        let repetition = delimiters.repetition.unwrap_or(delimiters.element);
        self.repetitions
            .iter()
            .map(|components| components.join(&delimiters.component.to_string()))
            .collect::<Vec<_>>()
            .join(&repetition.to_string())
    }

    /// Whether the element carries no data.
    pub fn is_empty(&self) -> bool {
        self.repetitions.iter().flatten().all(String::is_empty)
    }
}

/// One segment and where it sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Position in the interchange, 1-based, counting from ISA or UNB (a `UNA` is not a segment).
    pub position: usize,
    /// Byte offset of the segment's first character in the text.
    pub offset: usize,
    /// Segment tag, e.g. `BEG`, `NAD`.
    pub tag: String,
    /// Data elements, element 1 first.
    pub elements: Vec<Element>,
}

impl Segment {
    /// Element `n` (1-based).
    pub fn element(&self, n: usize) -> Option<&Element> {
        self.elements.get(n.checked_sub(1)?)
    }

    /// The text of element `n` (1-based), or `""` when it is absent.
    pub fn text_of(&self, n: usize, delimiters: &Delimiters) -> String {
        self.element(n)
            .map(|e| e.text(delimiters))
            .unwrap_or_default()
    }

    /// The qualifier: component 1 of element 1 (`ST` in `N1*ST*…`, `BY` in `NAD+BY…`).
    pub fn qualifier(&self) -> Option<&str> {
        self.element(1).and_then(|e| e.component(1))
    }
}

/// A parsed EDI document: one interchange, or several in a row (each
/// `ISA … IEA` or `UNB … UNZ`) sharing their delimiters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interchange {
    /// X12 or EDIFACT.
    pub standard: Standard,
    /// The separators the envelope declares.
    pub delimiters: Delimiters,
    /// Every segment, in order.
    pub segments: Vec<Segment>,
    /// Which segment group each segment sits in (for paths).
    pub(crate) groups: groups::Structure,
}

impl Interchange {
    /// A document of these segments; their segment groups are worked out here.
    pub(crate) fn new(
        standard: Standard,
        delimiters: Delimiters,
        segments: Vec<Segment>,
    ) -> Interchange {
        let groups = groups::Structure::of(standard, &segments);
        Interchange {
            standard,
            delimiters,
            segments,
            groups,
        }
    }

    /// How an element is referred to in this standard: `BEG03`, `SV101-2`,
    /// `BGM+2`, `DTM+1:2`.
    pub fn element_ref(&self, tag: &str, element: usize, component: Option<usize>) -> String {
        match (self.standard, component) {
            (Standard::X12, None) => format!("{tag}{element:02}"),
            (Standard::X12, Some(c)) => format!("{tag}{element:02}-{c}"),
            (Standard::Edifact, None) => format!("{tag}+{element}"),
            (Standard::Edifact, Some(c)) => format!("{tag}+{element}:{c}"),
        }
    }

    /// The first segment with this tag.
    pub fn first(&self, tag: &str) -> Option<&Segment> {
        self.segments.iter().find(|s| s.tag == tag)
    }
}

/// An EDI document that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EdiError {
    /// The text is neither an X12 nor an EDIFACT interchange.
    #[error(
        "not an EDI interchange: it must start with ISA (X12) or UNA/UNB (EDIFACT), found {found:?}"
    )]
    NotEdi {
        /// The first characters of the text.
        found: String,
    },
    /// A byte is not a character of the document's character set.
    #[error(
        "byte {offset} (0x{byte:02X}) is not a character of {charset}, the character set of the document"
    )]
    Encoding {
        /// Offset of the first invalid byte.
        offset: usize,
        /// The byte.
        byte: u8,
        /// The character set, as [`Charset::name`] shows it.
        charset: String,
    },
    /// A character cannot be sent in the document's character set.
    #[error(
        "character {at} `{character}` cannot be written in {charset}, the character set of the document"
    )]
    Unrepresentable {
        /// The character.
        character: char,
        /// Its position in the text (1-based, in characters).
        at: usize,
        /// The character set, as [`Charset::name`] shows it.
        charset: String,
    },
    /// A segment is malformed, or an envelope count or reference is wrong.
    #[error("segment {position}{}: {message}", tag_suffix(.tag))]
    Segment {
        /// Position of the segment (1-based).
        position: usize,
        /// Its tag, when it could be read.
        tag: String,
        /// What is wrong.
        message: String,
    },
}

fn tag_suffix(tag: &str) -> String {
    if tag.is_empty() {
        String::new()
    } else {
        format!(" ({tag})")
    }
}

impl EdiError {
    /// An error at a segment.
    pub(crate) fn at(position: usize, tag: &str, message: impl Into<String>) -> EdiError {
        EdiError::Segment {
            position,
            tag: tag.to_owned(),
            message: message.into(),
        }
    }

    /// The segment position the error names, if it names one.
    pub fn position(&self) -> Option<usize> {
        match self {
            EdiError::Segment { position, .. } => Some(*position),
            EdiError::NotEdi { .. }
            | EdiError::Encoding { .. }
            | EdiError::Unrepresentable { .. } => None,
        }
    }
}

/// The text after a byte order mark and leading whitespace.
fn trim_prologue(text: &str) -> &str {
    text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

/// Which standard the text starts like (after whitespace and a byte order mark), if any.
pub fn sniff(text: &str) -> Option<Standard> {
    let start = trim_prologue(text);
    if start.starts_with("ISA") {
        Some(Standard::X12)
    } else if start.starts_with("UNA") || start.starts_with("UNB") {
        Some(Standard::Edifact)
    } else {
        None
    }
}

/// Splits text into segments without checking envelopes.
pub fn tokenize(text: &str) -> Result<Interchange, EdiError> {
    match sniff(text) {
        Some(Standard::X12) => x12::tokenize(text),
        Some(Standard::Edifact) => edifact::tokenize(text),
        None => Err(EdiError::NotEdi {
            found: text.trim_start().chars().take(12).collect(),
        }),
    }
}

/// Parses an interchange and checks its envelopes: ISA/IEA, GS/GE, ST/SE, or
/// UNB/UNZ, UNG/UNE, UNH/UNT — nesting, counts and control references.
pub fn parse(text: &str) -> Result<Interchange, EdiError> {
    let interchange = tokenize(text)?;
    envelope::validate(&interchange)?;
    Ok(interchange)
}

/// The elements of a document as template variables (`request.edi` in mock
/// responses): for the first segment with each tag, `TAGnn` is element `nn`
/// as written and `TAGnn_k` its component `k` when it has several;
/// `standard` is `X12` or `EDIFACT`. `None` when the text is not EDI.
///
/// ```text
/// ISA*…*000004711*0*P*>~GS*PO*ACMEMFG*…~ST*850*0001~
///   ──▶ {"standard": "X12", "ISA13": "000004711", "GS02": "ACMEMFG", "ST02": "0001", …}
/// UNB+UNOC:3+ACME:14+…+REF4711'   ──▶ {"UNB02": "ACME:14", "UNB02_1": "ACME", "UNB05": "REF4711", …}
/// ```
pub fn template_context(text: &str) -> Option<serde_json::Value> {
    let interchange = tokenize(text).ok()?;
    let mut fields = serde_json::Map::new();
    fields.insert("standard".into(), interchange.standard.as_str().into());
    for segment in &interchange.segments {
        for (i, element) in segment.elements.iter().enumerate() {
            let key = format!("{}{:02}", segment.tag, i + 1);
            if fields.contains_key(&key) {
                break;
            }
            fields.insert(key.clone(), element.text(&interchange.delimiters).into());
            let components = element.repetitions.first().map_or(&[][..], Vec::as_slice);
            if components.len() > 1 {
                for (k, component) in components.iter().enumerate() {
                    fields.insert(format!("{key}_{}", k + 1), component.as_str().into());
                }
            }
        }
    }
    Some(serde_json::Value::Object(fields))
}

/// [`parse`] for raw bytes, decoded with the character set the envelope
/// declares (see [`Charset`]).
pub fn parse_bytes(bytes: &[u8]) -> Result<Interchange, EdiError> {
    parse(&decode(bytes)?.text)
}

/// The text of a body that is an EDI document in a character set other than
/// UTF-8 (an EDIFACT UNOC … UNOK interchange); `None` for anything else.
pub fn decode_non_utf8(bytes: &[u8]) -> Option<String> {
    if std::str::from_utf8(bytes).is_ok() {
        return None;
    }
    decode(bytes).ok().map(|decoded| decoded.text)
}

/// Text for a message: at most 40 characters, with line breaks and other
/// control characters escaped (`\n`), so a message stays on one line.
pub(crate) fn excerpt(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(40)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if text.chars().nth(40).is_some() {
        out.push('…');
    }
    out
}
