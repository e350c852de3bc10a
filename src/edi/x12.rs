//! X12 tokenizer: delimiters from the fixed-width ISA, then segments,
//! elements, repetitions and components.
//!
//! ```text
//! ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261126*1000*^*00501*000000001*0*P*>~
//!    ^ element separator (character 4)                                         ISA11 ^         ISA16 ^ ^ terminator
//! ```
//!
//! ISA elements have fixed widths in characters (2, 10, 2, 10, 2, 15, 2, 15,
//! 6, 4, 1, 5, 9, 1, 1, 1), so an element of the wrong width is named; a
//! field padded with non-breaking spaces is as wide as one padded with
//! spaces. ISA11 is the repetition separator when it is not a letter or
//! digit (version 00402 on); `U` in older versions means there is none.
//! Whitespace between segments (a line break after each terminator, spaces
//! after the last `IEA~`) is skipped. A document may hold several
//! interchanges, each opened by its own ISA with the same delimiters.

use super::{Delimiters, EdiError, Element, Interchange, Segment, Standard, excerpt};

/// Widths of ISA01 … ISA16, in characters.
const ISA_WIDTHS: [usize; 16] = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];

/// Splits an X12 document (text starting with `ISA`, after whitespace) into segments.
pub(super) fn tokenize(text: &str) -> Result<Interchange, EdiError> {
    let start = text.len() - super::trim_prologue(text).len();
    let (delimiters, isa_len) = read_isa(&text[start..], 1)?;
    let mut segments = vec![isa_segment(
        &text[start..start + isa_len],
        1,
        start,
        &delimiters,
    )];
    let mut at = start + isa_len;
    loop {
        at += skip_whitespace(&text[at..], &delimiters);
        if at >= text.len() {
            break;
        }
        let position = segments.len() + 1;
        let rest = &text[at..];
        if is_isa(rest, &delimiters) {
            let (declared, len) = read_isa(rest, position)?;
            if declared != delimiters {
                return Err(EdiError::at(
                    position,
                    "ISA",
                    format!(
                        "this interchange declares the delimiters {}, the first one {}: a document holds interchanges with the same delimiters",
                        shown(&declared),
                        shown(&delimiters)
                    ),
                ));
            }
            segments.push(isa_segment(&rest[..len], position, at, &delimiters));
            at += len;
            continue;
        }
        let Some(end) = rest.find(delimiters.segment) else {
            return Err(truncated(position, rest, &delimiters));
        };
        segments.push(segment(&rest[..end], position, at, &delimiters)?);
        at += end + delimiters.segment.len_utf8();
    }
    Ok(Interchange::new(Standard::X12, delimiters, segments))
}

/// Whether `rest` starts with an ISA segment written with this element separator.
fn is_isa(rest: &str, d: &Delimiters) -> bool {
    rest.strip_prefix("ISA")
        .is_some_and(|after| after.starts_with(d.element))
}

/// The delimiters declared by the ISA at the start of `text`, and the ISA's
/// length in bytes with its terminator; errors name segment `position`.
fn read_isa(text: &str, position: usize) -> Result<(Delimiters, usize), EdiError> {
    let isa_error = |message: String| EdiError::at(position, "ISA", message);
    let Some(element) = text.get(3..).and_then(|t| t.chars().next()) else {
        return Err(isa_error(
            "truncated: the ISA segment is cut off before its element separator".into(),
        ));
    };
    let mut pos = 3 + element.len_utf8();
    let mut fields: Vec<&str> = Vec::with_capacity(15);
    for (n, width) in ISA_WIDTHS.iter().enumerate().take(15) {
        let rest = &text[pos..];
        let Some(field_len) = rest.find(element) else {
            return Err(isa_error(format!(
                "truncated: ISA{:02} is not followed by the element separator `{}` (the ISA segment is 106 characters)",
                n + 1,
                printable_char(element)
            )));
        };
        let field = &rest[..field_len];
        let chars = field.chars().count();
        if chars != *width {
            return Err(isa_error(format!(
                "ISA{:02} is {chars} characters, must be {width} (the ISA segment has a fixed width of 106 characters)",
                n + 1
            )));
        }
        fields.push(field);
        pos += field_len + element.len_utf8();
    }
    let mut tail = text[pos..].chars();
    let (Some(component), Some(terminator)) = (tail.next(), tail.next()) else {
        return Err(isa_error(
            "truncated: the ISA segment ends before ISA16 and its segment terminator".into(),
        ));
    };
    let last = pos + component.len_utf8();
    let repetition = fields[10].chars().next().unwrap_or('U');
    let delimiters = Delimiters {
        element,
        component,
        repetition: (!repetition.is_ascii_alphanumeric()).then_some(repetition),
        segment: terminator,
        release: None,
    };
    check_delimiters(&delimiters, position)?;
    Ok((delimiters, last + terminator.len_utf8()))
}

/// No delimiter is a letter, digit or space, and no two are the same.
fn check_delimiters(d: &Delimiters, position: usize) -> Result<(), EdiError> {
    let named = [
        ("element separator (character 4)", Some(d.element)),
        ("repetition separator ISA11", d.repetition),
        ("component separator ISA16", Some(d.component)),
        ("segment terminator (after ISA16)", Some(d.segment)),
    ];
    for (i, (name, delimiter)) in named.iter().enumerate() {
        let Some(c) = delimiter else { continue };
        if c.is_alphanumeric() || c.is_whitespace() && *c != '\n' && *c != '\r' {
            return Err(EdiError::at(
                position,
                "ISA",
                format!(
                    "unknown delimiters: the {name} is `{}`; delimiters must not be letters, digits or spaces",
                    printable_char(*c)
                ),
            ));
        }
        if let Some((other, _)) = named[..i].iter().find(|(_, d)| *d == Some(*c)) {
            return Err(EdiError::at(
                position,
                "ISA",
                format!(
                    "unknown delimiters: the {name} `{}` is also the {other}",
                    printable_char(*c)
                ),
            ));
        }
    }
    Ok(())
}

/// The delimiters as shown in a message: `* > ^ ~`.
fn shown(d: &Delimiters) -> String {
    [
        Some(d.element),
        Some(d.component),
        d.repetition,
        Some(d.segment),
    ]
    .iter()
    .flatten()
    .map(|c| format!("`{}`", printable_char(*c)))
    .collect::<Vec<_>>()
    .join(" ")
}

/// The ISA as a segment: its elements are not split (ISA11 and ISA16 *are* separators).
fn isa_segment(text: &str, position: usize, offset: usize, d: &Delimiters) -> Segment {
    let body = text.strip_suffix(d.segment).unwrap_or(text);
    let elements = body
        .split(d.element)
        .skip(1)
        .map(|e| Element::of(&[e]))
        .collect();
    Segment {
        position,
        offset,
        tag: "ISA".into(),
        elements,
    }
}

fn segment(
    text: &str,
    position: usize,
    offset: usize,
    d: &Delimiters,
) -> Result<Segment, EdiError> {
    let mut parts = text.split(d.element);
    let tag = parts.next().unwrap_or_default();
    if !is_tag(tag) {
        return Err(not_a_tag(position, tag));
    }
    let elements = parts.map(|e| element(e, d)).collect();
    Ok(Segment {
        position,
        offset,
        tag: tag.to_owned(),
        elements,
    })
}

fn element(text: &str, d: &Delimiters) -> Element {
    let repetitions: Vec<&str> = match d.repetition {
        Some(r) => text.split(r).collect(),
        None => vec![text],
    };
    Element {
        repetitions: repetitions
            .into_iter()
            .map(|r| r.split(d.component).map(str::to_owned).collect())
            .collect(),
    }
}

/// Whether `tag` is a segment tag: 2–3 upper-case ASCII letters or digits, the first a letter.
pub(super) fn is_tag(tag: &str) -> bool {
    (2..=3).contains(&tag.len())
        && tag.starts_with(|c: char| c.is_ascii_uppercase())
        && tag
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The error for text where a segment tag should be.
pub(super) fn not_a_tag(position: usize, tag: &str) -> EdiError {
    EdiError::at(
        position,
        "",
        format!(
            "`{}` is not a segment tag (2–3 upper-case letters or digits, starting with a letter)",
            excerpt(tag)
        ),
    )
}

/// The error for a segment that ends without its terminator.
pub(super) fn truncated(position: usize, rest: &str, d: &Delimiters) -> EdiError {
    let tag = rest.split(d.element).next().unwrap_or_default();
    let tag = if is_tag(tag) { tag } else { "" };
    EdiError::at(
        position,
        tag,
        format!(
            "truncated: `{}` ends without the segment terminator `{}`",
            excerpt(rest.trim_end()),
            printable_char(d.segment)
        ),
    )
}

/// Length of the whitespace before the next segment (a whitespace segment terminator is not skipped).
pub(super) fn skip_whitespace(text: &str, d: &Delimiters) -> usize {
    text.len()
        - text
            .trim_start_matches(|c: char| c.is_whitespace() && c != d.segment)
            .len()
}

/// A delimiter as shown in messages (`\n` for a line feed).
pub(super) fn printable_char(c: char) -> String {
    c.escape_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISA: &str = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261126*1000*^*00501*000000001*0*P*>~";

    #[test]
    fn delimiters_come_from_the_isa() {
        let (d, len) = read_isa(ISA, 1).unwrap();
        assert_eq!(len, 106);
        assert_eq!(
            (d.element, d.component, d.repetition, d.segment),
            ('*', '>', Some('^'), '~')
        );
        let old = ISA.replace("*^*00501", "*U*00401");
        assert_eq!(read_isa(&old, 1).unwrap().0.repetition, None);
    }

    #[test]
    fn bad_isa_names_the_element_and_position() {
        let cases = [
            (
                ISA.replace("SENDER         ", "SENDER"),
                "ISA06 is 6 characters, must be 15",
            ),
            (ISA[..50].to_owned(), "truncated: ISA06"),
            ("ISA".to_owned(), "truncated"),
            (
                ISA.replace("*P*>~", "*P*X~"),
                "unknown delimiters: the component separator ISA16 is `X`",
            ),
            (
                ISA.replace("*P*>~", "*P*~~"),
                "unknown delimiters: the segment terminator (after ISA16) `~` is also the component separator ISA16",
            ),
            (
                ISA.replace("*P*>~", "*P*>"),
                "truncated: the ISA segment ends before ISA16",
            ),
        ];
        for (text, expected) in cases {
            let error = read_isa(&text, 1).unwrap_err().to_string();
            assert!(error.starts_with("segment 1 (ISA): "), "{error}");
            assert!(error.contains(expected), "{text}\n{error}");
        }
    }

    #[test]
    fn segments_elements_repetitions_and_components_split() {
        let text = format!("{ISA}\r\nGS*PO*A*B~\nSV1*HC>99213>25*1^2~");
        let ix = tokenize(&text).unwrap();
        let tags: Vec<&str> = ix.segments.iter().map(|s| s.tag.as_str()).collect();
        assert_eq!(tags, ["ISA", "GS", "SV1"]);
        let sv1 = &ix.segments[2];
        assert_eq!(sv1.position, 3);
        assert_eq!(&text[sv1.offset..sv1.offset + 3], "SV1");
        assert_eq!(sv1.elements[0].repetitions, [["HC", "99213", "25"]]);
        assert_eq!(sv1.elements[1].repetitions, [["1"], ["2"]]);
        assert_eq!(ix.segments[0].elements[15], Element::of(&[">"]));
    }

    #[test]
    fn truncated_and_bad_tags_name_the_segment() {
        let truncated = tokenize(&format!("{ISA}GS*PO*A*B~ST*850*00")).unwrap_err();
        assert_eq!(
            truncated.to_string(),
            "segment 3 (ST): truncated: `ST*850*00` ends without the segment terminator `~`"
        );
        let bad = tokenize(&format!("{ISA}gs*PO~")).unwrap_err();
        assert_eq!(bad.position(), Some(2));
        assert!(bad.to_string().contains("`gs` is not a segment tag"));
    }
}
