//! Table-driven cases for the read-only guard: every way a write was seen
//! to slip past a keyword blocklist, each also hidden behind comments,
//! line-break variants, string literals and batches; and the reads the
//! shipped features, tests and parity probes send.

use super::check_read_only;

/// Reads that must pass: the shapes QA writes, and the project's own queries.
const READS: &[&str] = &[
    "SELECT * FROM dbo.Orders WHERE OrderNo = @P1",
    "  select count(*) as n from Orders;  ",
    "SELECT 1 AS one",
    "SELECT TOP 1 owner_sid FROM sys.databases",
    "SELECT TOP (5) OrderNo FROM orders ORDER BY Total DESC",
    "SELECT OrderNo, Plant, Customer, Status FROM orders WHERE OrderNo = @P1",
    "SELECT LineNo, Sku, Quantity, UnitPrice FROM order_lines WHERE OrderNo = @P1 ORDER BY LineNo",
    "SELECT OrderNo, Plant, Customer FROM orders WHERE OrderNo = @P1 AND Plant = @P2",
    "SELECT OrderNo FROM orders WHERE Customer = @P1 AND Total > 1000",
    "SELECT CAST(7 AS tinyint) AS tiny, CAST(7 AS smallint) AS small, CAST(7 AS int) AS regular",
    "WITH t AS (SELECT 1 AS n) SELECT n FROM t",
    "WITH big AS (SELECT OrderNo, Total FROM orders WHERE Total > @P1), \
     ranked AS (SELECT OrderNo, ROW_NUMBER() OVER (ORDER BY Total DESC) AS rn FROM big) \
     SELECT OrderNo FROM ranked WHERE rn <= 10",
    "SELECT o.OrderNo, l.Sku FROM dbo.Orders o WITH (NOLOCK) \
     INNER JOIN dbo.OrderLines l WITH (NOLOCK) ON l.OrderNo = o.OrderNo \
     LEFT JOIN dbo.Items i ON i.Sku = l.Sku WHERE o.Plant = @P1",
    "SELECT Sku, SUM(Quantity) OVER (PARTITION BY Plant ORDER BY Sku) AS running FROM order_lines",
    "SELECT OrderNo FROM orders ORDER BY OrderNo OFFSET 20 ROWS FETCH NEXT 10 ROWS ONLY",
    "SELECT OrderNo FROM orders UNION ALL SELECT OrderNo FROM archived_orders",
    "SELECT CASE WHEN Total > 100 THEN 'big' ELSE 'small' END AS size FROM orders",
    "SELECT OrderNo FROM orders o WHERE EXISTS (SELECT 1 FROM order_lines l WHERE l.OrderNo = o.OrderNo)",
    "SELECT OrderNo FROM orders FOR JSON PATH",
    "SELECT * FROM dbo.fn_open_orders(@P1)",
    "SELECT 'DELETE FROM x; INSERT' AS note -- UPDATE in a comment\nFROM t",
    "SELECT [update], \"set\" FROM t /* DROP TABLE */",
    "SELECT 'it''s; fine' AS s",
    "SELECT OrderNo\r\nFROM orders\r\nWHERE OrderNo = @P1\r\n",
];

/// Statements that write, change state or run other code.
const WRITES: &[&str] = &[
    "SELECT NEXT VALUE FOR dbo.OrderSeq",
    "SELECT 1 DISABLE TRIGGER ALL ON orders",
    "ENABLE TRIGGER trg_orders ON orders",
    "DISABLE TRIGGER ALL ON orders",
    "WRITETEXT orders.notes @ptr 'x'",
    "UPDATETEXT orders.notes @ptr 0 NULL 'x'",
    "RECEIVE TOP(1) * FROM dbo.OrderQueue",
    "CHECKPOINT",
    "SETUSER 'bob'",
    "SELECT 1 -- x\rDELETE FROM orders",
    "DELETE FROM orders",
    "UPDATE orders SET Status = 'X'",
    "INSERT INTO orders (OrderNo) VALUES ('X')",
    "MERGE INTO orders AS t USING staged AS s ON t.OrderNo = s.OrderNo WHEN MATCHED THEN DELETE",
    "TRUNCATE TABLE orders",
    "DROP TABLE orders",
    "SELECT * INTO #copy FROM orders",
    "WITH d AS (SELECT 1 AS n) DELETE FROM orders",
    "WITH d AS (SELECT 1 AS n) SELECT n INTO copy FROM d",
    "SELECT 1 EXEC('DROP TABLE orders')",
    "EXEC sp_who",
    "EXECUTE dbo.purge_orders",
    "SELECT * FROM OPENROWSET('SQLNCLI', 'Server=x', 'DELETE FROM orders')",
    "SELECT * FROM OPENQUERY(linked, 'DELETE FROM orders')",
    "SELECT 1; DELETE FROM orders",
    "SELECT 1\nGO\nDELETE FROM orders",
    "DECLARE @x int",
    "SET NOCOUNT ON",
    "WAITFOR DELAY '00:00:10'",
    "BEGIN TRANSACTION",
    "SELECT OrderNo FROM orders FOR UPDATE",
    "SELECT 'unclosed",
    "SELECT 1 /* open",
    "SELECT 1 \u{b} FROM orders",
];

/// Ways to hide a statement: comments, line breaks, string literals, batches.
fn disguises(statement: &str) -> Vec<String> {
    let mut all = vec![
        statement.to_owned(),
        format!("/* a read */ {statement}"),
        format!("-- a read\n{statement}"),
        format!("-- a read\r\n{statement}"),
        format!("{statement}\n-- trailing comment"),
        format!("{statement};"),
        format!("SELECT 1 AS n -- comment\r{statement}"),
        format!("SELECT 1 AS n /* comment */ ; {statement}"),
        format!("SELECT 'it''s -- not a comment' AS s;\n{statement}"),
        format!("SELECT '/*' AS s\n{statement}"),
        format!("SELECT 1 AS n\nGO\n{statement}"),
        format!("SELECT 1 AS n\r\n{statement}"),
    ];
    for gap in ["\r", "\n", "\r\n", "\t"] {
        all.push(statement.replace(' ', gap));
    }
    all
}

#[test]
fn reads_pass() {
    for sql in READS {
        assert_eq!(check_read_only(sql), Ok(()), "{sql}");
    }
}

#[test]
fn every_write_is_refused_in_every_disguise() {
    for write in WRITES {
        for sql in disguises(write) {
            assert!(check_read_only(&sql).is_err(), "allowed: {sql:?}");
        }
    }
}

#[test]
fn a_read_stays_a_read_behind_comments_and_line_breaks() {
    for read in READS.iter().filter(|r| !r.contains("--")) {
        for sql in [
            format!("/* a read */ {read}"),
            format!("-- a read\r{read}"),
            format!("{read}\n-- trailing"),
        ] {
            assert_eq!(check_read_only(&sql), Ok(()), "{sql:?}");
        }
    }
}

#[test]
fn the_refusal_says_what_was_found_and_where() {
    for (sql, reason) in [
        ("DELETE FROM dbo.Orders", "a DELETE statement, not a query"),
        (
            "SELECT 1; DELETE FROM dbo.Orders",
            "2 statements, the second at line 1, column 11",
        ),
        ("SELECT 1 -- x\rDELETE FROM orders", "Line: 2, Column: 1"),
        (
            "SELECT * INTO #copy FROM dbo.Orders",
            "(`INTO #copy`), at line 1, column 1",
        ),
        (
            "WITH d AS (SELECT 1 AS n) DELETE FROM t",
            "not a SELECT: `DELETE",
        ),
        (
            "SELECT NEXT VALUE FOR dbo.OrderSeq",
            "cannot read it as a query",
        ),
        ("SELECT * FROM OPENQUERY(l, 'x')", "`OPENQUERY`"),
        ("SELECT a FROM t FOR UPDATE", "lock for writing"),
        ("SELECT\n1 \u{b}", "U+000B at line 2, column 3"),
        ("  -- only a comment", "empty"),
    ] {
        let err = check_read_only(sql).unwrap_err();
        assert!(err.contains(reason), "{sql:?}: {err}");
    }
}

#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    for depth in [33, 10_000] {
        let sql = format!("SELECT {}1{}", "(".repeat(depth), ")".repeat(depth));
        let err = check_read_only(&sql).unwrap_err();
        assert!(err.contains("cannot read it"), "{err}");
    }
    let nested = format!("SELECT {}1{} AS n", "(".repeat(20), ")".repeat(20));
    assert_eq!(check_read_only(&nested), Ok(()));
}
