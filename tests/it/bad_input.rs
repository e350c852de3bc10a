//! End to end: bad input is explained, never a panic. Problems found before
//! anything is sent (features, steps, config, environment names) exit 2 with
//! a pointed message; problems found while a step runs (a missing fixture, an
//! undefined variable, a body that is not JSON) fail the scenario with a
//! message naming the culprit.

use crate::common::{Project, Run, TwinConfig, Twins, one_scenario};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

/// Input rejected before the run: what is written, and what stderr must say
/// (`{config}` stands for the config file's path).
struct Rejected {
    case: &'static str,
    config: Option<&'static str>,
    steps: &'static [&'static str],
    candidate: &'static str,
    needles: &'static [&'static str],
}

const PING: &[&str] = &[r#"When I send a GET request to "/api/ping""#];

const REJECTED: &[Rejected] = &[
    Rejected {
        case: "malformed feature (a docstring never closed)",
        config: None,
        steps: &[
            r#"When I send a POST request to "/api/ping""#,
            r#"  """"#,
            "  {}",
        ],
        candidate: "staging",
        needles: &[
            "the docstring opened at line 6 is never closed",
            "features/bad.feature:8",
            r#"close it with """"#,
        ],
    },
    Rejected {
        case: "unknown step",
        config: None,
        steps: &[r#"When I sned a GET request to "/api/ping""#],
        candidate: "staging",
        needles: &[
            "unknown step",
            "features/bad.feature:5",
            "did you mean",
            "I send a GET request to",
        ],
    },
    Rejected {
        case: "unknown environment",
        config: None,
        steps: PING,
        candidate: "stagign",
        needles: &["stagign", "did you mean `staging`"],
    },
    Rejected {
        case: "malformed config",
        config: Some("[run\nfeatures = [\"features\"]\n"),
        steps: PING,
        candidate: "staging",
        needles: &["invalid config", "{config}"],
    },
];

#[tokio::test(flavor = "multi_thread")]
async fn input_rejected_before_the_run_exits_2_with_a_clear_message() {
    let mocks = Twins::start().await;
    for case in REJECTED {
        let project = Project::new(&TwinConfig::new(&mocks).render());
        if let Some(text) = case.config {
            project.write("driftgate.toml", text);
        }
        project.feature("bad.feature", &one_scenario("Ping", "", case.steps));

        let run = project
            .run()
            .set("--candidate", case.candidate)
            .execute()
            .await;

        let config = project.config_path().display().to_string();
        let needles: Vec<String> = case
            .needles
            .iter()
            .map(|n| n.replace("{config}", &config))
            .collect();
        let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
        assert_eq!(run.code, Some(2), "{}:\n{}", case.case, run.stderr);
        run.assert_usage_error(&needles);
        assert!(run.drift.is_none(), "{}: a report was written", case.case);
    }
    for server in mocks.both() {
        let received = server.received_requests().await.unwrap_or_default();
        assert!(received.is_empty(), "a rejected run sent {received:?}");
    }
}

/// A step failure in both environments: the scenario, the mocks, and what the message must name.
struct StepFailure {
    case: &'static str,
    steps: &'static [&'static str],
    needles: &'static [&'static str],
}

const STEP_FAILURES: &[StepFailure] = &[
    StepFailure {
        case: "missing fixture",
        steps: &[
            r#"When I send a POST request to "/api/orders" with the fixture "orders/nope.json""#,
        ],
        needles: &["fixture", "orders/nope.json"],
    },
    StepFailure {
        case: "undefined template variable",
        steps: &[r#"When I send a GET request to "/api/orders/{{ orderIdd }}""#],
        needles: &["orderIdd"],
    },
    StepFailure {
        case: "non-JSON response",
        steps: &[
            r#"When I send a GET request to "/api/health""#,
            r#"Then the response field "$.status" should be "UP""#,
        ],
        needles: &["not JSON"],
    },
];

#[tokio::test(flavor = "multi_thread")]
async fn a_step_that_cannot_run_fails_the_scenario_naming_the_cause() {
    for failure in STEP_FAILURES {
        let mocks = Twins::start().await;
        for server in mocks.both() {
            Mock::given(method("GET"))
                .and(path("/api/health"))
                .respond_with(ResponseTemplate::new(200).set_body_string("UP"))
                .mount(server)
                .await;
        }
        let project = Project::new(&TwinConfig::new(&mocks).render());
        project.feature("broken.feature", &one_scenario("Broken", "", failure.steps));

        let run = project.run().execute().await;

        let case = failure.case;
        run.assert_code(1);
        run.assert_no_panic();
        let scenario = run.scenario("Broken");
        assert_eq!(scenario["status"], "failed", "{case}: {:#}", run.report());
        let message = scenario["message"].as_str().unwrap_or_default();
        for needle in failure.needles {
            assert!(
                message.contains(needle),
                "{case}: {message:?} lacks {needle:?}"
            );
        }
        assert!(run.drifts().is_empty(), "{case}: {:#}", run.report());
        for server in mocks.both() {
            let received = server.received_requests().await.unwrap_or_default();
            assert!(
                received.iter().all(|r| r.url.path() == "/api/health"),
                "{case}: sent {received:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_command_line_is_a_usage_error() {
    let dir = tempfile::TempDir::new().expect("a temporary folder");

    let run = Run::bare(&["run", "--baseline", "production"], dir.path())
        .execute()
        .await;

    run.assert_usage_error(&["--candidate"]);
}
