//! End to end: which scenarios a run picks up. `--tags` selects scenarios,
//! and feature paths work relative to the current directory or absolute, from
//! wherever the binary is started.

use crate::common::{Project, TwinConfig, Twins};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TAGGED: &str = r#"@inventory
Feature: Tagged

  @smoke
  Scenario: Smoke only
    When I send a GET request to "/api/smoke"

  @slow
  Scenario: Slow only
    When I send a GET request to "/api/slow"

  @smoke @slow
  Scenario: Smoke and slow
    When I send a GET request to "/api/smoke-slow"
"#;

/// Answers every GET on the given routes with `{"ok": true}`.
async fn serve_ok(mocks: &Twins, routes: &[&str]) {
    for server in mocks.both() {
        for route in routes {
            Mock::given(method("GET"))
                .and(path(*route))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
                .mount(server)
                .await;
        }
    }
}

async fn paths_received(server: &MockServer) -> Vec<String> {
    let mut paths: Vec<String> = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    paths.sort();
    paths
}

#[tokio::test(flavor = "multi_thread")]
async fn tags_select_the_scenarios_that_run() {
    let cases: &[(&str, &[&str])] = &[
        ("@smoke and not @slow", &["Smoke only"]),
        ("@slow", &["Slow only", "Smoke and slow"]),
        ("@inventory", &["Slow only", "Smoke and slow", "Smoke only"]),
    ];
    for (expr, expected) in cases {
        let mocks = Twins::start().await;
        serve_ok(&mocks, &["/api/smoke", "/api/slow", "/api/smoke-slow"]).await;
        let project = Project::new(&TwinConfig::new(&mocks).render());
        project.feature("tagged.feature", TAGGED);

        let run = project.run().args(&["--tags", expr]).execute().await;

        run.assert_code(0);
        assert_eq!(run.scenario_names(), *expected, "--tags {expr}");
        assert_eq!(
            run.report()["summary"]["scenarios"],
            expected.len(),
            "--tags {expr}"
        );
        for server in mocks.both() {
            assert_eq!(
                paths_received(server).await.len(),
                expected.len(),
                "--tags {expr}: a scenario that was not selected sent a request"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn feature_paths_work_from_another_directory() {
    let mocks = Twins::start().await;
    serve_ok(&mocks, &["/api/smoke", "/api/slow", "/api/smoke-slow"]).await;
    let project = Project::new(&TwinConfig::new(&mocks).render());
    let feature = project.feature("tagged.feature", TAGGED);
    let elsewhere = project.root().join("elsewhere/deeper");
    std::fs::create_dir_all(&elsewhere).expect("create a working directory");
    let absolute = feature.display().to_string();
    let config = project.config_path().display().to_string();
    let cases: &[(&str, &str, &[&str])] = &[
        ("relative path", &config, &["../../features/tagged.feature"]),
        ("relative folder", &config, &["../../features"]),
        ("absolute path", &config, &[absolute.as_str()]),
        (
            "relative config, its [run] features",
            "../../driftgate.toml",
            &[],
        ),
    ];
    for (case, config, args) in cases {
        let run = project
            .run()
            .set("--config", config)
            .args(args)
            .args(&["--tags", "@smoke and not @slow"])
            .current_dir(&elsewhere)
            .execute()
            .await;

        run.assert_code(0);
        assert_eq!(run.scenario_names(), ["Smoke only"], "{case}");
        assert_eq!(run.scenario("Smoke only")["status"], "passed", "{case}");
        let shown = run.scenario("Smoke only")["feature"].as_str().unwrap_or("");
        assert!(
            shown.ends_with("features/tagged.feature"),
            "{case}: {shown}"
        );
    }
    for server in mocks.both() {
        assert_eq!(
            paths_received(server).await,
            ["/api/smoke"; 4],
            "every run sent its request"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_that_selects_no_scenario_is_a_usage_error_not_a_pass() {
    let mocks = Twins::start().await;
    let project = Project::new(&TwinConfig::new(&mocks).render());
    project.feature("tagged.feature", TAGGED);

    let run = project
        .run()
        .args(&["--tags", "@nothing-has-this"])
        .execute()
        .await;

    run.assert_usage_error(&["no scenarios selected", "@nothing-has-this"]);
    for server in mocks.both() {
        assert!(paths_received(server).await.is_empty());
    }
}
