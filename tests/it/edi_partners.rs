//! EDI as partners send it, end to end: every document of
//! `tests/fixtures/edi/` (ISO 8859 EDIFACT, one segment per line, trailing
//! spaces, an NBSP-padded ISA, an `IG1` segment, two interchanges) is
//! posted to two wiremock gateways that echo it back, the staging one with
//! line 2's quantity changed; the gateways must receive the partner's exact
//! bytes, the run must report exactly that change at its group path, and
//! `driftgate check` must accept the documents and report broken ones with
//! the run's own messages.

use std::path::Path;

use crate::common::{Project, Twins};
use wiremock::matchers::method;
use wiremock::{Mock, Request, Respond, ResponseTemplate};

/// Answers with the posted document, with `from` replaced by `to` (bytes).
struct Echo {
    changes: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut body = request.body.clone();
        for (from, to) in &self.changes {
            body = replace(&body, from, to);
        }
        ResponseTemplate::new(200).set_body_bytes(body)
    }
}

fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

const FIXTURES: [&str; 7] = [
    "orders-unoc-latin1.edifact",
    "orders-unod-latin2.edifact",
    "orders-unoe-cyrillic.edifact",
    "orders-ig1.edifact",
    "orders-two-interchanges.edifact",
    "po-850-nbsp.x12",
    "po-850-two-interchanges.x12",
];

fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/edi")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn config(mocks: &Twins) -> String {
    format!(
        r#"[run]
features = ["features"]
fixtures = "fixtures"

[environments.production.services.edi]
base_url = "{}"

[environments.staging.services.edi]
base_url = "{}"
"#,
        mocks.baseline.uri(),
        mocks.candidate.uri()
    )
}

/// A project with this config posting every partner document, one scenario each.
fn project(config: &str) -> Project {
    let project = Project::new(config);
    let mut feature = String::from("Feature: partner documents\n");
    for name in FIXTURES {
        std::fs::create_dir_all(project.root().join("fixtures/edi")).unwrap();
        std::fs::write(
            project.root().join("fixtures/edi").join(name),
            fixture_bytes(name),
        )
        .unwrap();
        let (element, value) = if name.ends_with(".x12") {
            ("BEG03", "PO-20931")
        } else {
            ("BGM+2", "PO-20931")
        };
        feature.push_str(&format!(
            "\n  Scenario: {name}\n    When I post the EDI fixture \"edi/{name}\" to \"/inbound\" on \"edi\"\n    Then the EDI response element \"{element}\" should be \"{value}\"\n"
        ));
    }
    project.feature("partners.feature", &feature);
    project
}

#[tokio::test]
async fn partner_documents_are_sent_byte_for_byte_and_compared_by_group_path() {
    let mocks = Twins::start().await;
    Mock::given(method("POST"))
        .respond_with(Echo {
            changes: Vec::new(),
        })
        .mount(&mocks.baseline)
        .await;
    Mock::given(method("POST"))
        .respond_with(Echo {
            changes: vec![
                (b"QTY+21:4'".to_vec(), b"QTY+21:5'".to_vec()),
                (b"PO1*2*4*".to_vec(), b"PO1*2*5*".to_vec()),
                (b"M\xFCller".to_vec(), b"Mueller".to_vec()),
            ],
        })
        .mount(&mocks.candidate)
        .await;
    let project = project(&config(&mocks));
    let run = project.run().execute().await;
    run.assert_code(1);

    let received = mocks.baseline.received_requests().await.unwrap();
    assert_eq!(received.len(), FIXTURES.len());
    for name in FIXTURES {
        let bytes = fixture_bytes(name);
        assert!(
            received.iter().any(|r| r.body == bytes),
            "{name}: no request carried the fixture's exact bytes"
        );
    }
    let latin1 = received
        .iter()
        .find(|r| r.body.windows(4).any(|w| w == b"UNOC"))
        .unwrap();
    assert_eq!(
        latin1.headers.get("content-type").unwrap(),
        "application/edifact"
    );

    for name in FIXTURES {
        let scenario = run.scenario(name);
        assert_eq!(scenario["status"], "drifted", "{name}: {scenario:#}");
        let paths: Vec<(String, String, String)> = scenario["drifts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["path"].as_str().unwrap_or_default().to_owned(),
                    d["baseline"].as_str().unwrap_or_default().to_owned(),
                    d["candidate"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let quantity = if name.ends_with(".x12") {
            "PO1[2]/PO102"
        } else if name.contains("two-interchanges") {
            "UNH[1]/LIN[2]/QTY[1]+1:2"
        } else {
            "LIN[2]/QTY[1]+1:2"
        };
        assert!(
            paths.contains(&(quantity.into(), "4".into(), "5".into())),
            "{name}: {paths:?}"
        );
        if name.contains("latin1") {
            assert!(
                paths.contains(&("NAD+4".into(), "Müller GmbH".into(), "Mueller GmbH".into())),
                "the response is read as ISO 8859-1: {paths:?}"
            );
        }
    }
}

#[test]
fn check_accepts_partner_documents() {
    let project = project(&config_without_mocks());
    let outcome = driftgate::lint::check(&[], Some(&project.config_path()), project.root());
    assert_eq!(outcome.scenarios, FIXTURES.len());
    assert!(outcome.findings.is_empty(), "{:#?}", outcome.findings);
}

fn config_without_mocks() -> String {
    "[run]\nfeatures = [\"features\"]\nfixtures = \"fixtures\"\n\n[environments.production.services.edi]\nbase_url = \"http://127.0.0.1:1\"\n\n[environments.staging.services.edi]\nbase_url = \"http://127.0.0.1:1\"\n".to_owned()
}

#[tokio::test]
async fn check_reports_broken_edi_fixtures_and_paths_with_the_runs_messages() {
    let latin1 = fixture_bytes("orders-unoc-latin1.edifact");
    let wrong_count = replace(&latin1, b"UNT+11+1'", b"UNT+12+1'");
    let not_ascii = replace(&latin1, b"UNOC", b"UNOA");
    let mocks = Twins::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&mocks.baseline)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&mocks.candidate)
        .await;
    let project = Project::new(&config(&mocks));
    std::fs::create_dir_all(project.root().join("fixtures/edi")).unwrap();
    std::fs::write(
        project.root().join("fixtures/edi/count.edifact"),
        &wrong_count,
    )
    .unwrap();
    std::fs::write(
        project.root().join("fixtures/edi/ascii.edifact"),
        &not_ascii,
    )
    .unwrap();
    project.feature(
        "broken.feature",
        "Feature: broken\n  Scenario: count\n    When I post the EDI fixture \"edi/count.edifact\" to \"/in\" on \"edi\"\n  Scenario: charset\n    When I post the EDI fixture \"edi/ascii.edifact\" to \"/in\" on \"edi\"\n  Scenario: missing and path\n    When I post the EDI fixture \"edi/gone.edifact\" to \"/in\" on \"edi\"\n    Then the EDI response element \"AK1[[1]/AK102\" should be \"1\"\n",
    );
    let outcome = driftgate::lint::check(&[], Some(&project.config_path()), project.root());
    let titles: Vec<&str> = outcome.findings.iter().map(|d| d.title.as_str()).collect();
    let count = "segment 12 (UNT): UNT01 says 12 segments, message 1 has 11 (UNH at segment 2)";
    let charset = "byte 164 (0xFC) is not a character of UNOA (ISO 646 upper case), the character set of the document";
    assert_eq!(titles.len(), 4, "{titles:#?}");
    assert!(
        titles.contains(&format!("{count} (fixture `edi/count.edifact`)").as_str()),
        "{titles:#?}"
    );
    assert!(
        titles.contains(&format!("cannot read fixture `edi/ascii.edifact`: {charset}").as_str()),
        "{titles:#?}"
    );
    assert!(
        titles.contains(&"missing fixture `edi/gone.edifact`"),
        "{titles:#?}"
    );
    assert!(
        titles.iter().any(|t| t.starts_with(
            "invalid EDI path `AK1[[1]/AK102`: `[[1]` is neither an occurrence nor a qualifier"
        )),
        "{titles:#?}"
    );
    let count_finding = outcome
        .findings
        .iter()
        .find(|d| d.title.starts_with("segment 12"))
        .unwrap();
    let at = count_finding.location.as_ref().unwrap();
    assert_eq!((at.line, at.col), (13, 1), "the UNT line");
    let missing = outcome
        .findings
        .iter()
        .find(|d| d.title.starts_with("missing"))
        .unwrap();
    assert!(
        !missing
            .help
            .iter()
            .any(|h| h.contains("did you mean `edi/gone.edifact`")),
        "{missing:?}"
    );

    let run = project.run().execute().await;
    let messages = run.stdout.clone()
        + &run.stderr
        + &std::fs::read_to_string(run.reports.join("trace.jsonl")).unwrap_or_default();
    assert!(
        messages.contains(count),
        "the run gives the same message:\n{messages}"
    );
    assert!(
        messages.contains(charset),
        "the run gives the same message:\n{messages}"
    );
}
