//! End to end: sizes and times past driftgate's limits are clear errors
//! (exit 2, naming where), never a stack overflow, an abort or an allocation
//! storm — and nothing is sent. One case per limit of `docs/guide.md`
//! ("Limits"): tag-expression size, sample counts, timeouts and time
//! windows, outline rows and scenario runs per run.

use crate::common::{Project, TwinConfig, Twins, one_scenario};

const PING: &[&str] = &[r#"When I send a GET request to "/api/ping""#];

/// One input past a limit: how the project and the command line are made,
/// and what stderr must say.
struct PastLimit {
    case: &'static str,
    tags: &'static str,
    steps: &'static [&'static str],
    service_line: Option<&'static str>,
    args: Vec<String>,
    needles: &'static [&'static str],
}

fn cases() -> Vec<PastLimit> {
    let case = |case, tags, steps, args: Vec<String>, needles| PastLimit {
        case,
        tags,
        steps,
        service_line: None,
        args,
        needles,
    };
    let tags = |expr: String| vec!["--tags".to_owned(), expr];
    vec![
        case(
            "20,000 nested parentheses",
            "",
            PING,
            tags(format!("{}@a{}", "(".repeat(20_000), ")".repeat(20_000))),
            &[
                "--tags, character 33",
                "nests parentheses 20000 deep; at most 32",
            ],
        ),
        case(
            "20,000 nots",
            "",
            PING,
            tags(format!("{}@a", "not ".repeat(20_000))),
            &["--tags", "20000 operators (and, or, not); at most 128"],
        ),
        case(
            "@samples(0)",
            "@samples(0)",
            PING,
            vec![],
            &[
                "features/bad.feature:3",
                "`@samples(0)` is not a sample count",
                "1 to 1000",
            ],
        ),
        case(
            "@samples(abc)",
            "@samples(abc)",
            PING,
            vec![],
            &[
                "features/bad.feature:3",
                "`@samples(abc)` is not a sample count",
            ],
        ),
        case(
            "@samples(99999999999)",
            "@smoke @samples(99999999999)",
            PING,
            vec![],
            &[
                "features/bad.feature:3:10",
                "`@samples(99999999999)` is not a sample count",
            ],
        ),
        case(
            "--samples 5000",
            "",
            PING,
            vec!["--samples".into(), "5000".into()],
            &["--samples", "5000 is not in 1..=1000"],
        ),
        case(
            "--samples 0",
            "",
            PING,
            vec!["--samples".into(), "0".into()],
            &["--samples", "0 is not in 1..=1000"],
        ),
        case(
            "a poll window of 1e20 seconds",
            "",
            &[
                r#"When I poll "/api/ping" until the response status is 200 within 100000000000000000000 seconds"#,
            ],
            vec![],
            &[
                "features/bad.feature:5",
                "time out of range",
                "longer than a day",
            ],
        ),
        PastLimit {
            service_line: Some("timeout_ms = 100000000000000"),
            ..case(
                "a timeout of 3,000 years",
                "",
                PING,
                vec![],
                &[
                    "environments.production.services.erp.timeout_ms",
                    "longer than a day",
                ],
            )
        },
        PastLimit {
            service_line: Some("timeout_ms = 1e20"),
            ..case(
                "a timeout written as 1e20",
                "",
                PING,
                vec![],
                &["invalid config", "timeout_ms", "expected u64"],
            )
        },
        PastLimit {
            service_line: Some("timeout_ms = -5"),
            ..case(
                "a negative timeout",
                "",
                PING,
                vec![],
                &["invalid config", "timeout_ms"],
            )
        },
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn every_limit_is_a_clear_error_before_anything_is_sent() {
    let mocks = Twins::start().await;
    for case in cases() {
        let mut config = TwinConfig::new(&mocks);
        if let Some(line) = case.service_line {
            config = config.service_line(line);
        }
        let project = Project::new(&config.render());
        project.feature("bad.feature", &one_scenario("Ping", case.tags, case.steps));
        let args: Vec<&str> = case.args.iter().map(String::as_str).collect();

        let run = project.run().args(&args).execute().await;

        assert_eq!(run.code, Some(2), "{}:\n{}", case.case, run.stderr);
        run.assert_usage_error(case.needles);
        assert!(
            !run.stderr.contains("internal error"),
            "{}: {}",
            case.case,
            run.stderr
        );
    }
    for server in mocks.both() {
        let received = server.received_requests().await.unwrap_or_default();
        assert!(received.is_empty(), "a refused run sent {received:?}");
    }
}

/// An outline of `rows` rows reading an order each.
fn outline(rows: usize) -> String {
    let mut text = String::from(
        "Feature: Big\n  Scenario Outline: Read <n>\n    When I send a GET request to \"/api/orders/<n>\"\n\n    Examples:\n      | n |\n",
    );
    for n in 0..rows {
        text.push_str(&format!("      | {n} |\n"));
    }
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn outline_rows_and_repetitions_past_the_run_size_are_refused_before_expanding() {
    let mocks = Twins::start().await;
    let project = Project::new(&TwinConfig::new(&mocks).render());

    project.feature("big.feature", &outline(100_001));
    let run = project.run().execute().await;
    run.assert_usage_error(&[
        // The header is the first table row, so row 100,000 is the 100,001st.
        "features/big.feature:100006",
        "more than 100000 table rows",
        "--shard",
    ]);

    project.feature("big.feature", &outline(60));
    let run = project
        .run()
        .args(&["--samples", "1000", "--warmup", "1000"])
        .execute()
        .await;
    run.assert_usage_error(&["would start 120000 scenario runs", "at most 100000"]);
    for server in mocks.both() {
        let received = server.received_requests().await.unwrap_or_default();
        assert!(received.is_empty(), "a refused run sent {received:?}");
    }
}
