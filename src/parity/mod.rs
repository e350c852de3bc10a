//! Database configuration parity: the catalog queries that describe a SQL
//! Server's settings and a table's schema, run on both environments and
//! compared like any query result (differences are `configuration` drift).
//!
//! ```text
//! probes(["dbo.Orders"])
//!   server settings          sys.configurations, keyed by name
//!   server version           product version, edition, server collation
//!   database settings        compatibility level, collation, snapshot/RCSI, recovery, stats
//!   table dbo.Orders columns INFORMATION_SCHEMA.COLUMNS, keyed by column name
//!   table dbo.Orders indexes sys.indexes + key/included columns, keyed by index name
//!   table dbo.Orders constraints  PK/UQ/FK/CHECK/DEFAULT objects, keyed by name
//! ──▶ production max degree of parallelism 0, staging 8
//!     configuration  server settings: row[name=max degree of parallelism].value_in_use  0 → 8
//! ```
//!
//! `driftgate db-parity` runs the probes outside any scenario, and
//! `driftgate topology` reads the broker topology the same way: both record
//! what they saw as the records of a run ([`ParityRecording`]), so they are
//! judged, reported and stored like one.
//!
//! Every probe is a single SELECT (it passes the read-only guard of
//! protected environments); `sql_variant` values are cast so they map to
//! JSON. The database name itself is not compared (environments name their
//! databases differently on purpose).

mod recording;
mod run;

pub use recording::{CheckFeature, ParityRecording, write_trace};
pub use run::{ParityError, check};

use crate::transport::sql::SqlQuery;

/// One catalog query and how its rows pair across environments.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// What the result describes, e.g. `table dbo.Orders indexes`.
    pub aspect: String,
    /// The query.
    pub query: SqlQuery,
    /// Columns identifying a row.
    pub key: Vec<String>,
}

const SERVER_SETTINGS: &str = "SELECT name, CAST(value AS bigint) AS value, \
CAST(value_in_use AS bigint) AS value_in_use FROM sys.configurations ORDER BY name";

const SERVER_VERSION: &str = "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS product_version, \
CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS edition, \
CAST(SERVERPROPERTY('Collation') AS nvarchar(128)) AS server_collation";

const DATABASE_SETTINGS: &str = "SELECT compatibility_level, collation_name, \
is_read_committed_snapshot_on, snapshot_isolation_state_desc, recovery_model_desc, \
is_auto_create_stats_on, is_auto_update_stats_on, is_ansi_nulls_on, is_read_only \
FROM sys.databases WHERE name = DB_NAME()";

const TABLE_COLUMNS: &str = "SELECT COLUMN_NAME AS column_name, ORDINAL_POSITION AS ordinal, \
DATA_TYPE AS data_type, CHARACTER_MAXIMUM_LENGTH AS max_length, NUMERIC_PRECISION AS numeric_precision, \
NUMERIC_SCALE AS numeric_scale, IS_NULLABLE AS is_nullable, COLUMN_DEFAULT AS column_default \
FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = @P1 AND TABLE_NAME = @P2 ORDER BY ORDINAL_POSITION";

const TABLE_INDEXES: &str = "SELECT i.name AS index_name, i.type_desc AS index_type, \
i.is_unique, i.is_primary_key, i.has_filter, i.filter_definition, \
(SELECT STRING_AGG(c.name + CASE WHEN ic.is_descending_key = 1 THEN ' DESC' ELSE '' END, ', ') \
WITHIN GROUP (ORDER BY ic.key_ordinal) FROM sys.index_columns ic \
JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id \
WHERE ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.is_included_column = 0) AS key_columns, \
(SELECT STRING_AGG(c.name, ', ') WITHIN GROUP (ORDER BY c.name) FROM sys.index_columns ic \
JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id \
WHERE ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.is_included_column = 1) AS included_columns \
FROM sys.indexes i WHERE i.object_id = OBJECT_ID(@P1) AND i.index_id > 0 ORDER BY i.name";

const TABLE_CONSTRAINTS: &str = "SELECT o.name AS constraint_name, o.type_desc AS constraint_type \
FROM sys.objects o WHERE o.parent_object_id = OBJECT_ID(@P1) \
AND o.type IN ('PK', 'UQ', 'F', 'C', 'D') ORDER BY o.name";

/// A table name as `schema.table` (default schema `dbo`), each part unquoted.
pub fn split_table(name: &str) -> (String, String) {
    let unquote = |part: &str| part.trim().trim_matches(['[', ']']).to_owned();
    match name.split_once('.') {
        Some((schema, table)) => (unquote(schema), unquote(table)),
        None => ("dbo".to_owned(), unquote(name)),
    }
}

/// The server and database probes, then three probes per table.
pub fn probes(tables: &[String]) -> Vec<Probe> {
    let probe = |aspect: &str, statement: &str, parameters: Vec<String>, key: &[&str]| Probe {
        aspect: aspect.to_owned(),
        query: SqlQuery {
            statement: statement.to_owned(),
            parameters,
        },
        key: key.iter().map(|k| (*k).to_owned()).collect(),
    };
    let mut all = vec![
        probe("server settings", SERVER_SETTINGS, vec![], &["name"]),
        probe("server version", SERVER_VERSION, vec![], &[]),
        probe("database settings", DATABASE_SETTINGS, vec![], &[]),
    ];
    for table in tables {
        let (schema, name) = split_table(table);
        let qualified = format!("{schema}.{name}");
        all.push(probe(
            &format!("table {qualified} columns"),
            TABLE_COLUMNS,
            vec![schema.clone(), name.clone()],
            &["column_name"],
        ));
        all.push(probe(
            &format!("table {qualified} indexes"),
            TABLE_INDEXES,
            vec![qualified.clone()],
            &["index_name"],
        ));
        all.push(probe(
            &format!("table {qualified} constraints"),
            TABLE_CONSTRAINTS,
            vec![qualified.clone()],
            &["constraint_name"],
        ));
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::sql::check_read_only;

    #[test]
    fn every_probe_is_a_read_and_binds_table_names_as_parameters() {
        let all = probes(&[
            "dbo.Orders".into(),
            "[sales].[Lines]".into(),
            "Items".into(),
        ]);
        assert_eq!(all.len(), 3 + 3 * 3);
        for probe in &all {
            assert_eq!(
                check_read_only(&probe.query.statement),
                Ok(()),
                "{}",
                probe.aspect
            );
            assert!(
                !probe.query.statement.contains("Orders"),
                "{}",
                probe.aspect
            );
        }
        assert_eq!(all[3].aspect, "table dbo.Orders columns");
        assert_eq!(all[3].query.parameters, ["dbo", "Orders"]);
        assert_eq!(all[7].query.parameters, ["sales.Lines"]);
        assert_eq!(all[9].query.parameters, ["dbo", "Items"]);
        assert_eq!(all[10].query.parameters, ["dbo.Items"]);
    }
}
