import BerqenasPlatform
import Foundation
import Testing

/// docs/configuration.md cannot drift from the code: its table lists exactly the variables the code reads, and
/// the defaults it gives are the code's.
struct ConfigurationDocTests {
    static func table() throws -> [String] {
        ReadmeTests.tableRows(try ReadmeTests.document("docs/configuration.md"), header: "| variable |")
    }

    @Test func theTableListsEveryVariableTheCodeReadsAndNoOther() throws {
        let documented = Set(try Self.table().flatMap(ReadmeTests.firstCellItems))
        // Vapor's `LoggingSystem.bootstrap(from:)` and the JSON log handler read LOG_LEVEL.
        var read: Set<String> = ["LOG_LEVEL"]
        let sources = ReadmeTests.repository.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            // A variable is read by its name as a whole string literal.
            for match in text.matches(of: /"(BERQENAS_[A-Z0-9_]+)"/) { read.insert(String(match.output.1)) }
        }
        #expect(read.count > 20, "the code's variables were found")
        #expect(read.subtracting(documented).sorted().isEmpty, "variables missing from docs/configuration.md")
        #expect(documented.subtracting(read).sorted().isEmpty, "variables in docs/configuration.md that nothing reads")
    }

    @Test func theDefaultsTheTableGivesAreTheCodes() throws {
        let defaults = PlatformConfiguration()
        let expected: [String: String] = [
            "BERQENAS_HOST": defaults.host,
            "BERQENAS_PORT": "\(defaults.port)",
            "BERQENAS_ROLES": Set(ServerRole.allCases).listed,
            "BERQENAS_ACCESS_TOKEN_TTL": "\(Int(defaults.accessTokenLifetime))",
            "BERQENAS_BCRYPT_COST": "\(defaults.bcryptCost)",
            "BERQENAS_JOB_LEASE_SECONDS": "\(Int(defaults.jobLeaseSeconds))",
            "BERQENAS_UNDO_RETENTION_DAYS": "\(defaults.undoRetentionDays)",
            "BERQENAS_EVENT_RETENTION_DAYS": "\(defaults.eventRetentionDays)",
            "BERQENAS_ALERT_RETRY_SECONDS": "\(Int(defaults.alerts.firstRetry))",
            "BERQENAS_VPN_PORTS": "\(defaults.vpn.ports.lowerBound)-\(defaults.vpn.ports.upperBound)",
            "BERQENAS_VPN_ADDRESS_GRACE_SECONDS": "\(defaults.vpn.addressGraceSeconds)",
            "BERQENAS_PUBLISH_PORTS": "\(defaults.vpn.publishPorts.lowerBound)-\(defaults.vpn.publishPorts.upperBound)",
            "BERQENAS_LOGIN_RATE_LIMIT": "\(defaults.loginRatePerMinute)",
            "BERQENAS_ANONYMOUS_RATE_LIMIT": "\(defaults.anonymousRatePerMinute)",
            "BERQENAS_LOG_FORMAT": defaults.operations.logFormat.rawValue,
        ]
        var checked = 0
        for row in try Self.table() {
            let cells = row.split(separator: "|", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, let variable = ReadmeTests.firstCellItems(row).first, let code = expected[variable] else { continue }
            #expect(cells[1] == "`\(code)`", "\(variable): the table says \(cells[1]), the code \(code)")
            checked += 1
        }
        #expect(checked == expected.count, "every default listed here was found in the table")
    }
}
