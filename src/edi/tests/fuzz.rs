//! No input panics the parser: arbitrary bytes, EDI-shaped noise, and every
//! truncation and single-byte corruption of the real samples.

use proptest::prelude::*;

use super::*;

const SAMPLES: [&str; 7] = [
    PO_850,
    ASN_856,
    INVOICE_810,
    ACK_997_REJECTED,
    ORDERS,
    DESADV,
    CONTRL_REJECTED,
];

/// Parses and, when that works, reads paths and the acknowledgement: none may panic.
fn exercise(bytes: &[u8]) {
    if let Ok(interchange) = parse_bytes(bytes) {
        let _ = Acknowledgement::read(&interchange);
        for path in ["BEG03", "N1[ST]/N102", "BGM+2:1", "UNH[2]/DTM[=137]+1:3"] {
            let _ = path.parse::<EdiPath>().map(|p| p.value(&interchange));
        }
    }
}

#[test]
fn every_truncation_of_every_sample_is_an_error_or_whole() {
    for sample in SAMPLES {
        let end = sample.trim_end().len();
        for cut in 0..end {
            let Some(prefix) = sample.get(..cut) else {
                continue;
            };
            assert!(
                parse(prefix).is_err(),
                "prefix of {cut} bytes parsed:\n{prefix}"
            );
        }
    }
}

fn edi_noise(header: &'static str) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop::sample::select(b"*~:^>+'?|#UNHTBZSEGAIQ0123456789 \r\n".to_vec()),
        0..400,
    )
    .prop_map(move |tail| [header.as_bytes(), &tail].concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        exercise(&bytes);
    }

    #[test]
    fn edi_shaped_noise_never_panics(
        bytes in prop_oneof![
            edi_noise("ISA*00*          *00*          *ZZ*A              *ZZ*B              *261126*1000*^*00501*000000001*0*P*>~"),
            edi_noise("ISA*"),
            edi_noise("UNA:+.? '"),
            edi_noise("UNB+UNOC:4+"),
        ]
    ) {
        exercise(&bytes);
    }

    #[test]
    fn corrupted_samples_never_panic(sample in 0..SAMPLES.len(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = SAMPLES[sample].as_bytes().to_vec();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        exercise(&bytes);
    }
}
