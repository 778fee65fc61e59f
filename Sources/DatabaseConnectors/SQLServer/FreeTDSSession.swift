import CFreeTDS
import Foundation
import NIOPosix
import Synchronization

/// One FreeTDS db-lib connection. Every call blocks, so all of them run on `NIOThreadPool.singleton`,
/// never on an event loop; the pool hands a session to one caller at a time.
final class FreeTDSSession: @unchecked Sendable {
    private let process: OpaquePointer
    private(set) var isClosed = false

    private init(process: OpaquePointer) {
        self.process = process
    }

    /// `dbinit()` must run once per process; a global `let` is initialised once, thread-safely.
    private static let initialized: Bool = {
        guard dbinit() == SUCCEED else { return false }
        dberrhandle { _, _, code, _, text, _ in
            FreeTDSDiagnostics.record(code: Int(code), text: text.map { String(cString: $0) } ?? "", fromServer: false)
            return INT_CANCEL
        }
        dbmsghandle { _, number, _, severity, text, _, _, _ in
            if severity > 10 { FreeTDSDiagnostics.record(code: Int(number), text: text.map { String(cString: $0) } ?? "", fromServer: true) }
            return 0
        }
        return true
    }()

    /// Opens a session for `spec`, or throws the typed failure.
    static func open(_ spec: ConnectionSpec) async throws -> FreeTDSSession {
        let session = try await NIOThreadPool.singleton.runIfActive {
            guard initialized else { throw ConnectorError(.unsupported, "FreeTDS could not be initialised") }
            FreeTDSDiagnostics.clear()
            guard let login = dblogin() else { throw ConnectorError(.unsupported, "FreeTDS: dblogin failed") }
            defer { dbloginfree(login) }
            dbsetlname(login, spec.username, DBSETUSER)
            dbsetlname(login, spec.password, DBSETPWD)
            dbsetlname(login, "berqenas", DBSETAPP)
            dbsetlname(login, "UTF-8", DBSETCHARSET)
            dbsetlname(login, spec.database, DBSETDBNAME)
            let encryption =
                switch spec.tls {
                case .disable: "off"
                case .prefer: "request"
                case .require: "require"
                case .verifyFull: "strict"
                }
            dbsetlname(login, encryption, DBSETENCRYPT)
            dbsetlogintime(Int32(max(1, spec.connectTimeout.rounded(.up))))
            dbsettime(Int32(max(1, spec.statementTimeout.rounded(.up))))
            guard let process = dbopen(login, "\(spec.host):\(spec.port)") else {
                throw FreeTDSDiagnostics.connectError(spec: spec)
            }
            return FreeTDSSession(process: process)
        }
        do {
            _ = try await session.query(sessionSettings)
        } catch {
            await session.close()
            throw error
        }
        return session
    }

    /// Settings that must not depend on the login's defaults: a small TEXTSIZE cuts values of the `max` types when
    /// they are read (a few kilobytes on DB-Library logins), and with any ANSI option off SQL Server refuses writes to
    /// tables with filtered indexes, indexed views or indexed computed columns (error 1934) and cuts too-long text
    /// instead of refusing it. Every session sets what ODBC and SQL Server's own tools set.
    static let sessionSettings = """
        SET TEXTSIZE 2147483647; SET ANSI_NULLS ON; SET ANSI_PADDING ON; SET ANSI_WARNINGS ON; SET ARITHABORT ON; \
        SET CONCAT_NULL_YIELDS_NULL ON; SET QUOTED_IDENTIFIER ON; SET NUMERIC_ROUNDABORT OFF
        """

    /// Runs `sql` with nvarchar parameters `@p1…` (through `sp_executesql`, or `@p0…` when `firstIndex`
    /// is 0) and returns every row of every result as optional texts.
    func query(_ sql: String, _ parameters: [String?] = [], firstIndex: Int = 1) async throws -> [[String?]] {
        try await resultSets(sql, parameters, firstIndex: firstIndex).flatMap { $0 }
    }

    /// Runs `sql` as `query` does and returns each result that has columns on its own, in order (a batch of
    /// several statements, a procedure's results).
    func resultSets(_ sql: String, _ parameters: [String?] = [], firstIndex: Int = 1) async throws -> [[[String?]]] {
        try await NIOThreadPool.singleton.runIfActive { [self] in
            FreeTDSDiagnostics.clear()
            if parameters.isEmpty {
                guard dbcmd(process, sql) == SUCCEED, dbsqlexec(process) == SUCCEED else { throw failure(sql) }
            } else {
                try sendExecuteSQL(sql, parameters, firstIndex: firstIndex)
            }
            var sets: [[[String?]]] = []
            while true {
                let status = dbresults(process)
                if status == NO_MORE_RESULTS { break }
                guard status == SUCCEED else { throw failure(sql) }
                let columns = dbnumcols(process)
                guard columns > 0 else { continue }
                var rows: [[String?]] = []
                while true {
                    let row = dbnextrow(process)
                    if row == NO_MORE_ROWS { break }
                    guard row != FAIL else { throw failure(sql) }
                    rows.append((1...columns).map { text(column: Int32($0)) })
                }
                sets.append(rows)
            }
            // An error inside a procedure or `sp_executesql` may leave every result SUCCEED: the server's report
            // is the failure.
            guard !FreeTDSDiagnostics.serverReportedError() else { throw failure(sql) }
            return sets
        }
    }

    /// Closes the session.
    func close() async {
        guard !isClosed else { return }
        isClosed = true
        _ = try? await NIOThreadPool.singleton.runIfActive { [self] in dbclose(process) }
    }

    private func sendExecuteSQL(_ sql: String, _ parameters: [String?], firstIndex: Int) throws {
        guard dbrpcinit(process, "sp_executesql", 0) == SUCCEED else { throw failure(sql) }
        let declarations = parameters.indices.map { "@p\($0 + firstIndex) nvarchar(max)" }.joined(separator: ", ")
        try addParameter("@stmt", sql)
        try addParameter("@params", declarations)
        for (index, value) in parameters.enumerated() {
            try addParameter("@p\(index + firstIndex)", value)
        }
        guard dbrpcsend(process) == SUCCEED, dbsqlok(process) == SUCCEED else { throw failure(sql) }
    }

    /// Binds one nvarchar parameter; FreeTDS converts the UTF-8 text to the server's UCS-2.
    private func addParameter(_ name: String, _ value: String?) throws {
        let type = Int32(SYBNVARCHAR)
        let status: RETCODE
        if let value {
            var bytes = Array(value.utf8)
            status = bytes.withUnsafeMutableBufferPointer { buffer in
                dbrpcparam(process, name, 0, type, -1, DBINT(buffer.count), buffer.baseAddress)
            }
        } else {
            status = dbrpcparam(process, name, 0, type, -1, 0, nil)
        }
        guard status == SUCCEED else { throw failure("parameter \(name)") }
    }

    private func text(column: Int32) -> String? {
        guard let data = dbdata(process, column) else { return nil }
        let length = Int(dbdatlen(process, column))
        let type = dbcoltype(process, column)
        let isCharacter = [SYBCHAR, SYBVARCHAR, SYBTEXT, SYBNVARCHAR, SYBNTEXT].map { Int32($0) }.contains(type)
        if isCharacter { return String(decoding: UnsafeBufferPointer(start: data, count: length), as: UTF8.self) }
        var buffer = [UInt8](repeating: 0, count: max(64, length * 2 + 3))
        let written = buffer.withUnsafeMutableBufferPointer { output in
            dbconvert(process, type, data, DBINT(length), Int32(SYBCHAR), output.baseAddress, DBINT(output.count))
        }
        guard written >= 0 else { return nil }
        return String(decoding: buffer.prefix(Int(written)), as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    private func failure(_ context: String) -> ConnectorError {
        dbcancel(process)
        let (code, message) = FreeTDSDiagnostics.primary() ?? (0, "the statement failed")
        if code == 229 || code == 230 || code == 262 || code == 1088 { return ConnectorError(.permissionDenied, message) }
        if code == Int(SYBETIME) { return ConnectorError(.timeout, message) }
        if isClosedError(code) {
            isClosed = true
            return ConnectorError(.unreachable, "the connection to SQL Server was lost: \(message)")
        }
        switch code {
        // Raised by the database's own code (RAISERROR, THROW in a procedure or trigger): its words are for the caller.
        case 50000...: return ConnectorError(.queryFailed, message, source: .init(state: "P0001", message: message))
        // A procedure called without a parameter it needs, or with one it does not take.
        case 201, 8144, 8145: return ConnectorError(.queryFailed, message, source: .init(state: "42000", message: message))
        // A value the type cannot take (a conversion or an overflow). SQL Server's words may quote a stored value
        // (a row a view or procedure read), so they are not passed on.
        case 220, 241, 242, 244, 245, 8114, 8115:
            return ConnectorError(.invalidValue, "a value does not fit the type of its column or parameter (SQL Server error \(code))")
        // A value longer than its column holds (PostgreSQL's 22001), refused whole rather than cut. SQL Server's words
        // (table, column, the value's start) are for the operator (a sync job's error); an API caller gets the code.
        case 2628, 8152:
            let words = "a value is longer than its column holds (SQL Server error \(code))"
            return ConnectorError(.queryFailed, "\(words): \(message)", source: .init(state: "22001", message: words))
        case 2627, 2601: return ConnectorError(.uniqueViolation, message)
        case 515: return ConnectorError(.notNullViolation, message)
        case 547 where message.contains("CHECK"): return ConnectorError(.checkViolation, message)
        case 547: return ConnectorError(.foreignKeyViolation, message)
        default:
            var error = ConnectorError(.queryFailed, "SQL Server \(code): \(message)")
            error.serverCode = code
            return error
        }
    }

    private func isClosedError(_ code: Int) -> Bool { code == Int(SYBECONN) || code == 20006 || code == 20047 }
}

/// The last db-lib error or server message of the current thread (db-lib reports through callbacks).
enum FreeTDSDiagnostics {
    /// One report: its number, its words, and whether the server sent it (an error message of severity above 10)
    /// or DB-Library raised it (its own numbers, and warnings such as a character it could not convert).
    typealias Report = (code: Int, text: String, fromServer: Bool)

    private static let messages = Mutex<[UInt: [Report]]>([:])

    private static var thread: UInt { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(bitPattern: UInt(pthread_self())))) }

    static func record(code: Int, text: String, fromServer: Bool) {
        let key = thread
        messages.withLock { all in
            if all[key, default: []].count < 16 { all[key, default: []].append((code, text, fromServer)) }
        }
    }

    static func clear() {
        let key = thread
        _ = messages.withLock { $0.removeValue(forKey: key) }
    }

    private static var reports: [Report] {
        let key = thread
        return messages.withLock { $0[key] } ?? []
    }

    /// The report that says what went wrong: a lost connection or a timeout (DB-Library's own), else the
    /// server's first error (later ones are its consequences: a doomed transaction 3930, a count mismatch 266,
    /// and DB-Library's "check messages from the server"), else the last report.
    static func primary() -> (Int, String)? {
        let lost = [Int(SYBETIME), Int(SYBECONN), 20006, 20047]
        let all = reports
        let chosen = all.first { !$0.fromServer && lost.contains($0.code) } ?? all.first(where: \.fromServer) ?? all.last
        return chosen.map { ($0.code, $0.text) }
    }

    /// Whether the server reported an error since `clear()` (DB-Library's own warnings do not count).
    static func serverReportedError() -> Bool { reports.contains(where: \.fromServer) }

    static func connectError(spec: ConnectionSpec) -> ConnectorError {
        let target = "\(spec.host):\(spec.port)"
        guard let (code, message) = primary() else {
            return ConnectorError(.unreachable, "cannot reach SQL Server at \(target)")
        }
        switch code {
        case 18456: return ConnectorError(.authFailed, "login failed for user '\(spec.username)'")
        case 4060: return ConnectorError(.databaseNotFound, "cannot open database '\(spec.database)' on \(target)")
        case Int(SYBETIME): return ConnectorError(.timeout, "no answer from \(target) within \(spec.connectTimeout) s")
        case Int(SYBECONN), Int(SYBEFCON), Int(SYBEUHST):
            return message.lowercased().contains("time")
                ? ConnectorError(.timeout, "no answer from \(target) within \(spec.connectTimeout) s")
                : ConnectorError(.unreachable, "cannot reach SQL Server at \(target): \(message)")
        default:
            if message.lowercased().contains("encrypt") || message.lowercased().contains("tls") {
                return ConnectorError(.tlsRequired, "\(target): \(message)")
            }
            return ConnectorError(.unreachable, "cannot connect to SQL Server at \(target): \(message)")
        }
    }
}
