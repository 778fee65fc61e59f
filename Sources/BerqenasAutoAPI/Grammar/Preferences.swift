import Foundation

/// The `Prefer` header's choices PostgREST honours (`return=`, `count=`, `resolution=`, `missing=`, `handling=`,
/// `max-affected=`, `tx=`), from any number of headers, each a comma-separated list; unknown preferences are
/// ignored, as RFC 7240 asks, unless `handling=strict`.
package struct Preferences: Sendable, Equatable {
    package enum Return: String, Sendable {
        case minimal, headersOnly = "headers-only", representation
    }

    package enum Count: String, Sendable {
        case exact, planned, estimated
    }

    /// `tx=`: whether a write's transaction ends by committing (the default) or rolling back (a dry run that
    /// still answers with what it would have done).
    package enum Transaction: String, Sendable {
        case commit, rollback
    }

    package var returning: Return?
    package var count: Count?
    package var resolution: InsertOptions.Resolution?
    package var missingDefault = false
    /// `handling=strict`: an invalid preference is an error (PGRST122) instead of being ignored.
    package var strict = false
    /// `max-affected=N` (with `handling=strict`): a PATCH or DELETE touching more rows is undone (PGRST124).
    package var maxAffected: Int?
    package var transaction: Transaction?
    /// `params=single-object`: a function's one JSON parameter takes the whole body.
    package var singleObject = false
    /// Preferences that were not understood, as sent.
    package var invalid: [String] = []

    package init(headers: [String]) {
        for header in headers {
            for item in header.split(separator: ",") {
                let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard parts.count == 2 else {
                    if !item.allSatisfy(\.isWhitespace) { invalid.append(item.trimmingCharacters(in: .whitespaces)) }
                    continue
                }
                switch (parts[0], parts[1]) {
                case ("return", let value) where Return(rawValue: value) != nil: returning = Return(rawValue: value)
                case ("count", let value) where Count(rawValue: value) != nil: count = Count(rawValue: value)
                case ("resolution", "merge-duplicates"): resolution = .mergeDuplicates
                case ("resolution", "ignore-duplicates"): resolution = .ignoreDuplicates
                case ("missing", "default"): missingDefault = true
                case ("missing", "null"): missingDefault = false
                case ("handling", "strict"): strict = true
                case ("handling", "lenient"): strict = false
                case ("tx", let value) where Transaction(rawValue: value) != nil: transaction = Transaction(rawValue: value)
                case ("max-affected", let value) where Int(value).map { $0 >= 0 } == true: maxAffected = Int(value)
                case ("params", "single-object"): singleObject = true
                // Understood elsewhere or harmless to ignore.
                case ("timezone", _): continue
                default: invalid.append("\(parts[0])=\(parts[1])")
                }
            }
        }
    }

    /// With `handling=strict`, the invalid preferences as PostgREST names them (PGRST122); nil otherwise.
    package var strictFailure: AutoAPIError? {
        guard strict, !invalid.isEmpty else { return nil }
        return AutoAPIError(
            status: 400, code: "PGRST122", message: "Invalid preferences given with handling=strict",
            details: "Invalid preferences: \(invalid.joined(separator: ", "))")
    }

    /// `Preference-Applied`: what of it this response honoured.
    package var applied: String {
        var parts: [String] = []
        if let returning { parts.append("return=\(returning.rawValue)") }
        if let count { parts.append("count=\(count.rawValue)") }
        if let resolution { parts.append("resolution=\(resolution == .mergeDuplicates ? "merge-duplicates" : "ignore-duplicates")") }
        if missingDefault { parts.append("missing=default") }
        if strict { parts.append("handling=strict") }
        if strict, let maxAffected { parts.append("max-affected=\(maxAffected)") }
        if let transaction { parts.append("tx=\(transaction.rawValue)") }
        if singleObject { parts.append("params=single-object") }
        return parts.joined(separator: ", ")
    }
}
