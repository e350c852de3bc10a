//! The SQL transport against pysqlbridge: encryption modes, types, parameters,
//! refused logins, unreachable servers and a server killed between queries.

use std::path::Path;
use std::sync::Once;

use driftgate::config::Config;
use driftgate::secret::Redactor;
use driftgate::transport::sql::{SqlClient, SqlQuery};
use serde_json::json;

use super::server::{PASSWORD, TdsServer, free_port, unavailable};

const PASSWORD_VAR: &str = "DRIFTGATE_TDS_TEST_PASSWORD";

fn set_password() {
    static ONCE: Once = Once::new();
    // SAFETY: set once, before any test reads it, always to the same value.
    ONCE.call_once(|| unsafe { std::env::set_var(PASSWORD_VAR, PASSWORD) });
}

/// A client for `connection` as the config would build it.
fn client(connection: &str, timeout_ms: u64) -> (SqlClient, Redactor) {
    set_password();
    let text = format!(
        "[environments.staging.services.erpdb]\nkind = \"sqlserver\"\nconnection = {connection:?}\ntimeout_ms = {timeout_ms}\nconnect_timeout_ms = 3000\npool_size = 2\n"
    );
    let config = Config::parse(&text, Path::new("driftgate.toml")).expect("config");
    let redactor = Redactor::default();
    let env = config.environment("staging", &redactor).expect("env");
    let client = SqlClient::new("staging", "erpdb", &env.databases["erpdb"]).expect("client");
    (client, redactor)
}

fn query(statement: &str, parameters: &[&str]) -> SqlQuery {
    SqlQuery {
        statement: statement.to_owned(),
        parameters: parameters.iter().map(|p| (*p).to_owned()).collect(),
    }
}

#[tokio::test]
async fn queries_run_with_required_and_with_login_only_encryption() {
    if unavailable("queries_run_with_required_and_with_login_only_encryption") {
        return;
    }
    let server = TdsServer::start("production", &[], None);
    for encrypt in [true, false] {
        let (client, _) = client(&server.connection(PASSWORD_VAR, encrypt), 5000);
        let result = client
            .query(&query(
                "SELECT OrderNo, Total, Weight FROM orders WHERE OrderNo = @P1",
                &["PO-1001"],
            ))
            .await;
        assert_eq!(result.error, None, "Encrypt={encrypt}");
        assert_eq!(
            result.rows,
            vec![vec![json!("PO-1001"), json!(1325.5), json!(12)]]
        );
        let names: Vec<(&str, &str)> = result
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.sql_type.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("OrderNo", "nvarchar"),
                ("Total", "float"),
                ("Weight", "int")
            ]
        );
    }
}

#[tokio::test]
async fn every_type_the_server_sends_maps_to_json() {
    if unavailable("every_type_the_server_sends_maps_to_json") {
        return;
    }
    let server = TdsServer::start("production", &[], None);
    let (client, _) = client(&server.connection(PASSWORD_VAR, true), 5000);
    let result = client
        .query(&query(
            "SELECT CAST(7 AS tinyint) AS tiny, CAST(7 AS smallint) AS small, CAST(7 AS int) AS regular, \
             CAST(7 AS bigint) AS big, CAST(1 AS bit) AS flag, CAST(0.5 AS float) AS ratio, \
             CAST(0.25 AS real) AS quarter, N'Grüße' AS text, CAST('ab' AS varchar(5)) AS narrow, \
             CAST('ab' AS char(3)) AS fixed, CAST(NULL AS int) AS nothing, \
             CAST('2026-11-26T10:15:30.997' AS datetime) AS stamp, CAST('2026-11-26' AS date) AS day, \
             CAST('2026-11-26T10:15:30.1234567' AS datetime2) AS precise, \
             CAST('2026-11-26T10:15:00' AS smalldatetime) AS minute, \
             CAST(1325.5 AS decimal(10,2)) AS amount, CAST(82.5 AS money) AS price, \
             CAST(1.25 AS smallmoney) AS fee",
            &[],
        ))
        .await;
    assert_eq!(result.error, None);
    // pysqlbridge sends every date and time type as datetime and decimal and
    // money as float (its wire types: int, smallint, bit, float, nvarchar,
    // datetime, uniqueidentifier, binary); the other SQL Server types are
    // covered by the unit tests of the type mapping.
    let types: Vec<&str> = result.columns.iter().map(|c| c.sql_type.as_str()).collect();
    assert!(
        types.contains(&"datetime") && types.contains(&"float") && types.contains(&"bit"),
        "{types:?}"
    );
    let row = as_object(&result);
    let expected = json!({
        "tiny": 7, "small": 7, "regular": 7, "big": 7, "flag": true, "ratio": 0.5, "quarter": 0.25,
        "text": "Grüße", "narrow": "ab", "fixed": "ab ", "nothing": null,
        "stamp": "2026-11-26T10:15:30.997", "day": "2026-11-26T00:00:00.000",
        "precise": "2026-11-26T10:15:30.123", "minute": "2026-11-26T10:15:00.000",
        "amount": 1325.5, "price": 82.5, "fee": 1.25
    });
    assert_eq!(serde_json::Value::Object(row), expected);
    let catalog = client
        .query(&query("SELECT TOP 1 owner_sid FROM sys.databases", &[]))
        .await;
    assert_eq!(catalog.error, None);
    assert_eq!(catalog.rows[0][0], json!("0x"), "varbinary as hex");
}

fn as_object(result: &driftgate::trace::SqlExchange) -> serde_json::Map<String, serde_json::Value> {
    result
        .columns
        .iter()
        .map(|c| c.name.clone())
        .zip(result.rows[0].clone())
        .collect()
}

#[tokio::test]
async fn a_refused_login_names_env_and_service_and_never_the_password() {
    if unavailable("a_refused_login_names_env_and_service_and_never_the_password") {
        return;
    }
    let server = TdsServer::start("production", &[], None);
    set_password();
    let wrong = "DRIFTGATE_TDS_TEST_WRONG_PASSWORD";
    // SAFETY: a variable only this test reads.
    unsafe { std::env::set_var(wrong, "Wrong-Secret-9922") };
    let (client, redactor) = client(&server.connection(wrong, true), 5000);
    let result = client.query(&query("SELECT 1 AS one", &[])).await;
    let error = result.error.clone().expect("login must fail");
    assert!(
        error.contains("`erpdb` in `staging`") && error.contains("Login failed"),
        "{error}"
    );
    assert!(
        !error.contains("Wrong-Secret-9922") && !error.contains(PASSWORD),
        "{error}"
    );
    let json = serde_json::to_string(&result).unwrap();
    assert!(!redactor.redact(&json).contains("Wrong-Secret-9922"));
    assert!(
        !json.contains("Wrong-Secret-9922"),
        "no secret in the observation"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_a_clear_error() {
    let (client, _) = client(
        &format!(
            "Server=tcp:127.0.0.1,{};User Id=a;Password=${{{PASSWORD_VAR}}};Encrypt=false",
            free_port()
        ),
        2000,
    );
    let error = client
        .query(&query("SELECT 1 AS one", &[]))
        .await
        .error
        .unwrap();
    assert!(
        error.contains("`erpdb` in `staging`") && error.contains("cannot reach 127.0.0.1"),
        "{error}"
    );
}

#[tokio::test]
async fn a_killed_server_fails_the_query_and_the_pool_recovers_after_restart() {
    if unavailable("a_killed_server_fails_the_query_and_the_pool_recovers_after_restart") {
        return;
    }
    let mut server = TdsServer::start("production", &[], None);
    let port = server.port;
    let (client, _) = client(&server.connection(PASSWORD_VAR, true), 3000);
    let count = query("SELECT COUNT(*) AS n FROM orders", &[]);
    assert_eq!(client.query(&count).await.rows, vec![vec![json!(3)]]);
    server.kill();
    let error = client.query(&count).await.error.expect("server is gone");
    assert!(error.contains("`erpdb` in `staging`"), "{error}");
    let _restarted = TdsServer::start("production", &[], Some(port));
    let again = client.query(&count).await;
    assert_eq!(
        again.error, None,
        "a fresh connection replaces the broken one"
    );
    assert_eq!(again.rows, vec![vec![json!(3)]]);
}

#[tokio::test]
async fn a_server_error_keeps_the_connection_usable() {
    if unavailable("a_server_error_keeps_the_connection_usable") {
        return;
    }
    let server = TdsServer::start("production", &[], None);
    let (client, _) = client(&server.connection(PASSWORD_VAR, false), 5000);
    let error = client
        .query(&query("SELECT nope FROM orders", &[]))
        .await
        .error
        .unwrap();
    assert!(
        error.contains("refused the statement") && error.contains("nope"),
        "{error}"
    );
    assert_eq!(
        client
            .query(&query("SELECT COUNT(*) AS n FROM items", &[]))
            .await
            .rows,
        vec![vec![json!(3)]]
    );
}
