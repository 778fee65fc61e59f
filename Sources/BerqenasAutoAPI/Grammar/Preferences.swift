/// The `Prefer` header's choices PostgREST honours (`return=`, `count=`, `resolution=`, `missing=`);
/// unknown preferences are ignored, as RFC 7240 asks.
package struct Preferences: Sendable, Equatable {
    package enum Return: String, Sendable {
        case minimal, headersOnly = "headers-only", representation
    }

    package enum Count: String, Sendable {
        case exact, planned, estimated
    }

    package var returning: Return?
    package var count: Count?
    package var resolution: InsertOptions.Resolution?
    package var missingDefault = false

    package init(headers: [String]) {
        for header in headers {
            for item in header.split(separator: ",") {
                let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard parts.count == 2 else { continue }
                switch (parts[0], parts[1]) {
                case ("return", let value): returning = Return(rawValue: value) ?? returning
                case ("count", let value): count = Count(rawValue: value) ?? count
                case ("resolution", "merge-duplicates"): resolution = .mergeDuplicates
                case ("resolution", "ignore-duplicates"): resolution = .ignoreDuplicates
                case ("missing", "default"): missingDefault = true
                default: continue
                }
            }
        }
    }

    /// `Preference-Applied`: what of it this response honoured.
    package var applied: String {
        var parts: [String] = []
        if let returning { parts.append("return=\(returning.rawValue)") }
        if let count { parts.append("count=\(count.rawValue)") }
        if let resolution { parts.append("resolution=\(resolution == .mergeDuplicates ? "merge-duplicates" : "ignore-duplicates")") }
        if missingDefault { parts.append("missing=default") }
        return parts.joined(separator: ", ")
    }
}
