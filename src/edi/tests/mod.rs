//! Parser, envelope, path and acknowledgement tests on real-world-shaped
//! documents (`samples/`), malformed variants of them, and fuzzed input.

mod fuzz;

use super::*;

pub(crate) const PO_850: &str = include_str!("samples/po-850.x12");
pub(crate) const ASN_856: &str = include_str!("samples/asn-856.x12");
pub(crate) const INVOICE_810: &str = include_str!("samples/invoice-810.x12");
pub(crate) const ACK_997_REJECTED: &str = include_str!("samples/ack-997-rejected.x12");
pub(crate) const ORDERS: &str = include_str!("samples/orders.edifact");
pub(crate) const DESADV: &str = include_str!("samples/desadv.edifact");
pub(crate) const CONTRL_REJECTED: &str = include_str!("samples/contrl-rejected.edifact");

/// A 999 accepting everything, built around the 850's envelope numbers.
const ACK_999_ACCEPTED: &str = "ISA*00*          *00*          *ZZ*BOLTSUPPLY     *ZZ*ACMEMFG        *261126*1001*^*00501*000000078*0*P*>~GS*FA*BOLTSUPPLY*ACMEMFG*20261126*1001*78*X*005010X231A1~ST*999*0001*005010X231A1~AK1*PO*4711*005010~AK2*850*0001~IK5*A~AK9*A*1*1*1~SE*6*0001~GE*1*78~IEA*1*000000078~";

fn value(text: &str, path: &str) -> Option<String> {
    let interchange = parse(text).unwrap();
    path.parse::<EdiPath>().unwrap().value(&interchange)
}

#[test]
fn every_sample_parses_with_its_own_delimiters() {
    let cases = [
        (PO_850, Standard::X12, ('*', '>', Some('^'), '~'), 21),
        (ASN_856, Standard::X12, ('|', ':', None, '\n'), 21),
        (INVOICE_810, Standard::X12, ('*', ':', Some('{'), '~'), 15),
        (
            ACK_997_REJECTED,
            Standard::X12,
            ('*', '>', Some('^'), '~'),
            12,
        ),
        (ORDERS, Standard::Edifact, ('+', ':', None, '\''), 16),
        (DESADV, Standard::Edifact, ('|', '#', None, '~'), 13),
        (
            CONTRL_REJECTED,
            Standard::Edifact,
            ('+', ':', None, '\''),
            8,
        ),
    ];
    for (text, standard, (element, component, repetition, segment), count) in cases {
        let ix = parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let d = ix.delimiters;
        assert_eq!(ix.standard, standard);
        assert_eq!(
            (d.element, d.component, d.repetition, d.segment),
            (element, component, repetition, segment),
            "{text}"
        );
        assert_eq!(ix.segments.len(), count, "{text}");
        let positions: Vec<usize> = ix.segments.iter().map(|s| s.position).collect();
        assert_eq!(positions, (1..=count).collect::<Vec<_>>());
    }
}

#[test]
fn paths_find_values_in_real_documents() {
    let cases = [
        (PO_850, "BEG03", Some("PO-20931")),
        (PO_850, "PO1[2]/PO102", Some("4")),
        (PO_850, "PO1[2]/PO107", Some("HYD-2040")),
        (PO_850, "N1[ST]/N102", Some("ACME PLANT 7")),
        (PO_850, "N1[ST]/N401", Some("TOLEDO")),
        (PO_850, "N1[BT]/N401", Some("DETROIT")),
        (PO_850, "N1[SF]/N102", None),
        (PO_850, "PO1[3]/PO102", None),
        (PO_850, "BEG09", None),
        (PO_850, "ISA06", Some("ACMEMFG        ")),
        (PO_850, "ISA16", Some(">")),
        (ASN_856, "HL[3]/LIN03", Some("BRK-1001")),
        (ASN_856, "TD505", Some("DHL")),
        (INVOICE_810, "IT1[2]/IT104", Some("125")),
        (ORDERS, "BGM+2", Some("PO-20931")),
        (ORDERS, "DTM[=2]+1:2", Some("20261210")),
        (ORDERS, "NAD[DP]+4", Some("ACME PLANT 7+DOCK 3")),
        (ORDERS, "LIN[2]/QTY+1:2", Some("4")),
        (ORDERS, "UNH+2", Some("ORDERS:D:96A:UN:EAN008")),
        (DESADV, "UNH+2", Some("DESADV#D#96A#UN#EAN005")),
        (DESADV, "RFF[ON]+1:2", Some("PO-20931")),
        (CONTRL_REJECTED, "UCM+4", Some("12")),
    ];
    for (text, path, expected) in cases {
        assert_eq!(value(text, path).as_deref(), expected, "{path}");
    }
}

#[test]
fn malformed_documents_name_the_segment() {
    let cases: Vec<(String, &str)> = vec![
        (
            PO_850.replace("SE*17*0001", "SE*16*0001"),
            "segment 19 (SE): SE01 says 16 segments, transaction set 0001 has 17 (ST at segment 3)",
        ),
        (
            PO_850.replace("SE*17*0001", "SE*17*0002"),
            "segment 19 (SE): SE02 `0002` does not match ST02 `0001` (segment 3)",
        ),
        (
            PO_850.replace("SE*17*0001", "SE*many*0001"),
            "segment 19 (SE): SE01 `many` is not a number of segments",
        ),
        (
            PO_850.replace("GE*1*4711", "GE*2*4711"),
            "segment 20 (GE): GE01 says 2 transaction sets, functional group 4711 has 1 (GS at segment 2)",
        ),
        (
            PO_850.replace("IEA*1*000004711", "IEA*1*000004712"),
            "segment 21 (IEA): IEA02 `000004712` does not match ISA13 `000004711` (segment 1)",
        ),
        (
            PO_850.replace("IEA*1*000004711~\n", ""),
            "segment 1 (ISA): truncated: the interchange is never closed by IEA",
        ),
        (
            PO_850.replace(
                "GS*PO*ACMEMFG*BOLTSUPPLY*20261126*1000*4711*X*005010~\n",
                "",
            ),
            "segment 2 (ST): a transaction set must be inside GS … GE",
        ),
        (
            PO_850.replace("ST*850*0001~\n", ""),
            "segment 3 (BEG): outside a transaction set (ST … SE)",
        ),
        (
            format!("{PO_850}ST*850*0002~"),
            "segment 22 (ST): content after the end of the interchange (IEA)",
        ),
        (
            PO_850.replace("*ZZ*ACMEMFG        *", "*ZZ*ACMEMFG*"),
            "segment 1 (ISA): ISA06 is 7 characters, must be 15",
        ),
        (
            PO_850.replace("*P*>~", "*P*A~"),
            "segment 1 (ISA): unknown delimiters: the component separator ISA16 is `A`",
        ),
        (
            PO_850[..PO_850.len() - 2].to_owned(),
            "segment 21 (IEA): truncated: `IEA*1*000004711` ends without the segment terminator `~`",
        ),
        (
            ORDERS.replace("UNT+14+1", "UNT+13+1"),
            "segment 15 (UNT): UNT01 says 13 segments, message 1 has 14 (UNH at segment 2)",
        ),
        (
            ORDERS.replace("UNZ+1+REF4711", "UNZ+1+REF4712"),
            "segment 16 (UNZ): UNZ02 `REF4712` does not match UNB05 `REF4711` (segment 1)",
        ),
        (
            ORDERS.replace("UNZ+1+", "UNZ+2+"),
            "segment 16 (UNZ): UNZ01 says 2 messages, interchange REF4711 has 1",
        ),
        (
            ORDERS.trim_end_matches('\'').to_owned(),
            "segment 16 (UNZ): truncated",
        ),
        (
            ORDERS.replace("UNA:+.? '", "UNA:+.?+'"),
            "segment 1 (UNA): ",
        ),
        (
            DESADV.replace("UNH|1|DESADV#D#96A#UN#EAN005~\n", ""),
            "segment 2 (BGM): outside a message (UNH … UNT)",
        ),
        (
            "UNB+UNOC:3+A+B+261126:1000+1'UNH+1+ORDERS:D:96A:UN'BGM+220+X?".to_owned(),
            "segment 3 (BGM): ",
        ),
        ("EDI?".to_owned(), "not an EDI interchange"),
    ];
    for (text, expected) in cases {
        let error = parse(&text).unwrap_err().to_string();
        assert!(
            error.starts_with(expected),
            "expected `{expected}`\n     got `{error}`"
        );
    }
}

#[test]
fn edifact_groups_are_counted_by_the_interchange_trailer() {
    let grouped = "UNB+UNOC:3+A:14+B:14+261126:1000+9'UNG+ORDERS+A+B+261126:1000+7+UN+D:96A'UNH+1+ORDERS:D:96A:UN'BGM+220+X+9'UNT+3+1'UNE+1+7'UNZ+1+9'";
    assert!(parse(grouped).is_ok());
    let wrong = grouped.replace("UNE+1+7", "UNE+2+7");
    assert_eq!(
        parse(&wrong).unwrap_err().to_string(),
        "segment 6 (UNE): UNE01 says 2 messages, functional group 7 has 1 (UNG at segment 2)"
    );
}

#[test]
fn acknowledgements_are_read_with_codes_and_positions() {
    let rejected = Acknowledgement::read(&parse(ACK_997_REJECTED).unwrap()).unwrap();
    assert_eq!(
        (rejected.kind, rejected.status),
        (AckKind::Functional997, AckStatus::Rejected)
    );
    assert_eq!(rejected.codes(), ["8", "7", "5"]);
    assert_eq!(
        rejected.to_string(),
        "rejected (997); segment PO1 at position 12 of the set: AK304 code 8 (segment has data element errors) [segment 6]; \
         element 3: AK403 code 7 (invalid code value), value `XX` [segment 7]; \
         transaction set 850 0001: rejected, AK5 code 5 (one or more segments in error) [segment 8]; \
         functional group: rejected (0 of 1 transaction sets accepted) [segment 9]"
    );
    let accepted = Acknowledgement::read(&parse(ACK_999_ACCEPTED).unwrap()).unwrap();
    assert_eq!(
        (accepted.kind, accepted.status, accepted.issues.len()),
        (AckKind::Implementation999, AckStatus::Accepted, 0)
    );
    let partial = ACK_999_ACCEPTED
        .replace("IK5*A", "IK5*E*I5")
        .replace("AK9*A", "AK9*E");
    assert_eq!(
        Acknowledgement::read(&parse(&partial).unwrap())
            .unwrap()
            .status,
        AckStatus::AcceptedWithErrors
    );

    let contrl = Acknowledgement::read(&parse(CONTRL_REJECTED).unwrap()).unwrap();
    assert_eq!(
        (contrl.kind, contrl.status),
        (AckKind::Contrl, AckStatus::Rejected)
    );
    assert_eq!(contrl.codes(), ["12"]);
    assert!(
        contrl.to_string().contains(
            "message 1 ORDERS: rejected (action 4), UCM code 12 (invalid value) [segment 4]"
        ),
        "{contrl}"
    );
    assert!(
        contrl
            .to_string()
            .contains("segment at position 9 of the message: UCS code 12"),
        "{contrl}"
    );
    let clean = "UNB+UNOC:3+B:14+A:14+261126:1001+C1'UNH+1+CONTRL:D:3:UN'UCI+REF4711+A:14+B:14+7'UNT+3+1'UNZ+1+C1'";
    assert_eq!(
        Acknowledgement::read(&parse(clean).unwrap())
            .unwrap()
            .status,
        AckStatus::Accepted
    );
    let interchange_rejected = clean.replace("B:14+7'", "B:14+4+29'");
    let read = Acknowledgement::read(&parse(&interchange_rejected).unwrap()).unwrap();
    assert_eq!(read.status, AckStatus::Rejected);
    assert!(
        read.to_string()
            .contains("UCI code 29 (control count does not match number of instances received)")
    );
}

#[test]
fn documents_that_are_no_acknowledgement_are_refused() {
    for text in [PO_850, ORDERS] {
        let error = Acknowledgement::read(&parse(text).unwrap())
            .unwrap_err()
            .to_string();
        assert!(error.contains("not an acknowledgement"), "{error}");
    }
}

#[test]
fn ack_status_words_parse() {
    assert_eq!(
        AckStatus::from_words("Accepted with errors"),
        Some(AckStatus::AcceptedWithErrors)
    );
    assert_eq!(AckStatus::from_words("rejected"), Some(AckStatus::Rejected));
    assert_eq!(AckStatus::from_words("approved"), None);
}

#[test]
fn documents_as_partners_write_them_parse() {
    let nbsp_isa = PO_850.replacen(
        "*00*          *",
        "*00*\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}*",
        1,
    );
    let two_x12 = format!("{PO_850}\n{}", PO_850.replace("000004711", "000004712"));
    let two_edifact = format!("{ORDERS}\n{}", ORDERS.replace("REF4711", "REF4712"));
    let cases: Vec<(String, usize)> = vec![
        (PO_850.replace("~\n", "~\r\n") + "   \n  ", 21),
        (ORDERS.replace('\'', "'\n") + "  \n", 16),
        (nbsp_isa, 21),
        (
            ORDERS
                .replace("UNS+S'", "IG1+1+A'UNS+S'")
                .replace("UNT+14+1", "UNT+15+1"),
            17,
        ),
        (two_x12, 42),
        (two_edifact, 32),
    ];
    for (text, count) in cases {
        let ix = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(ix.segments.len(), count, "{text}");
    }
    let nbsp = PO_850.replacen(
        "*00*          *",
        "*00*\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}*",
        1,
    );
    assert!(
        parse(&nbsp)
            .unwrap_err()
            .to_string()
            .starts_with("segment 1 (ISA): ISA02 is 11 characters, must be 10"),
        "widths count characters, not bytes"
    );
}

#[test]
fn errors_print_line_breaks_escaped() {
    let bad = PO_850.replacen("GS*", "\u{1}GS*", 1);
    let error = parse(&bad).unwrap_err().to_string();
    assert!(
        !error.contains('\u{1}') && error.contains("\\u{1}GS"),
        "{error}"
    );
    let truncated = format!("{PO_850}UNA:+.? '\nUNB+UNOC:3+A+B'");
    let error = parse(&truncated).unwrap_err().to_string();
    assert!(error.contains("`UNA:+.? '\\nUNB+UNOC:3+A+B'`"), "{error}");
    let trailing = format!("{PO_850}GS*PO*A*B*20261126*1000*9*X*005010~");
    let error = parse(&trailing).unwrap_err().to_string();
    assert!(!error.contains('\n'), "{error}");
    assert!(
        error.contains("a document holds whole interchanges, each starting with ISA"),
        "{error}"
    );
}

#[test]
fn edifact_paths_go_through_segment_groups() {
    let ix = parse(ORDERS).unwrap();
    let qty = ix.segments.iter().rposition(|s| s.tag == "QTY").unwrap();
    assert_eq!(segment_path(&ix, qty), "LIN[2]/QTY[1]");
    assert_eq!(element_path(&ix, qty, 1, Some(2)), "LIN[2]/QTY[1]+1:2");
    let bgm = ix.segments.iter().position(|s| s.tag == "BGM").unwrap();
    assert_eq!(element_path(&ix, bgm, 2, None), "BGM+2");
    let two = parse(&format!(
        "{ORDERS}{}",
        ORDERS.replace("QTY+21:4", "QTY+21:7")
    ))
    .unwrap();
    let last_qty = two.segments.iter().rposition(|s| s.tag == "QTY").unwrap();
    assert_eq!(
        element_path(&two, last_qty, 1, Some(2)),
        "UNH[2]/LIN[2]/QTY[1]+1:2"
    );
    for (path, expected) in [
        ("UNH[2]/LIN[2]/QTY[1]+1:2", "7"),
        ("LIN[2]/QTY[1]+1:2", "4"),
        ("UNH[2]/BGM+2", "PO-20931"),
    ] {
        let parsed: EdiPath = path.parse().unwrap();
        assert_eq!(parsed.value(&two).as_deref(), Some(expected), "{path}");
    }
    let desadv = parse(DESADV).unwrap();
    assert_eq!(
        "CPS[1]/LIN[2]/QTY[1]+1:2"
            .parse::<EdiPath>()
            .unwrap()
            .value(&desadv)
            .as_deref(),
        Some("4")
    );
}
