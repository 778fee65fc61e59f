import Foundation
import Testing

/// Parses T-SQL statements with sqlglot (`Tests/DatabaseConnectorsTests/tsql_check.py`, run by python3), which
/// stands in for a SQL Server that cannot run here.
package enum TSQLCheck {
    /// What the check printed, and how python ended.
    package struct Report: Sendable {
        package let status: Int32
        package let text: String

        /// sqlglot is missing (an environment that did not run scripts/test.sh).
        package var sqlglotMissing: Bool { text.contains("No module named 'sqlglot'") }
    }

    /// Parses `statements` (each `["name": …, "sql": …]`). Tests that call this block while python runs:
    /// mark them `.blockingWork`.
    package static func run(_ statements: [[String: String]]) throws -> Report {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../DatabaseConnectorsTests/tsql_check.py").standardized
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // The statements are a few hundred kilobytes at most, while python reads all its input before it writes.
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: statements))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Report(status: process.terminationStatus, text: text)
    }

    /// Expects every statement to parse (the report names those that do not).
    package static func expectParsed(_ statements: [[String: String]], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let report = try run(statements)
        #expect(report.status == 0, "\(report.text)", sourceLocation: sourceLocation)
    }
}
