"""Parses T-SQL statements with sqlglot (T-SQL dialect); exits 1 listing every statement that fails.

Input: a JSON list of {"name", "sql"} on stdin. A statement passes only when sqlglot parses it into a
real expression tree. sqlglot falls back to an opaque "Command" for syntax it does not model; five
constructs of this project are such (CHANGETABLE(CHANGES ...), WITH CHANGE_TRACKING_CONTEXT and
ALTER ... CHANGE_TRACKING inside EXEC strings, SET IDENTITY_INSERT, INSERT INTO @table ... EXEC): they are checked against exact patterns below and
replaced by neutral placeholders, so the rest of each statement is still parsed strictly.
"""
import json
import re
import sys

import sqlglot
from sqlglot import exp

NAME = r"\[(?:[^\]]|\]\])+\]"  # a bracketed identifier, `]]` inside
PATTERNS = [
    (re.compile(rf"CHANGETABLE\(CHANGES {NAME}\.{NAME}, CONVERT\(bigint, @p1\)\)"), "changetable_placeholder"),
    (re.compile(rf"^SET IDENTITY_INSERT {NAME}\.{NAME} (ON|OFF)$"), "SELECT 1"),
    (re.compile(r"^WITH CHANGE_TRACKING_CONTEXT \(CONVERT\(varbinary\(128\), @p0\)\) "), ""),
    (re.compile(r"EXEC\(N'ALTER DATABASE CURRENT SET CHANGE_TRACKING = ON \(CHANGE_RETENTION = 7 DAYS, AUTO_CLEANUP = ON\)'\)"),
     "SELECT 1"),
    (re.compile(rf"EXEC\(N'ALTER TABLE {NAME}\.{NAME} (ENABLE|DISABLE) CHANGE_TRACKING'\)"), "SELECT 1"),
    # A procedure's first result set collected in the call's table variable: the EXEC after it is parsed.
    (re.compile(rf"^INSERT INTO @bq_rows \({NAME}(, {NAME})*\) EXEC ", re.MULTILINE), "EXEC "),
]


def check(sql):
    for pattern, replacement in PATTERNS:
        sql = pattern.sub(replacement, sql)
    trees = sqlglot.parse(sql, read="tsql", error_level=sqlglot.ErrorLevel.RAISE)
    for tree in trees:
        if tree is None or isinstance(tree, exp.Command) or list(tree.find_all(exp.Command)):
            raise ValueError("sqlglot could only read it as an opaque command")


def main():
    failures = []
    statements = json.load(sys.stdin)
    for statement in statements:
        try:
            check(statement["sql"])
        except Exception as error:  # every parse failure is reported, not just the first
            failures.append(f"{statement['name']}: {error}\n    {statement['sql'][:400]}")
    print(f"sqlglot {sqlglot.__version__}: {len(statements) - len(failures)} of {len(statements)} statements parsed")
    for failure in failures:
        print("FAIL", failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
