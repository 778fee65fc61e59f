import Foundation
import OpenAPIKit

/// An instant written in ISO 8601 with milliseconds (`2026-12-07T06:50:21.123Z`): an event's time, precise
/// enough to order events of one second and to time their delivery.
struct MillisecondTime: Codable, Sendable, WireLeaf {
    let date: Date

    init(_ date: Date) {
        self.date = date
    }

    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = (try? Self.style.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text)) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 time: \(text)"))
        }
        self.date = date
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(date.formatted(Self.style))
    }

    static var wireSchema: JSONSchema { .string(format: .dateTime) }
    static var wirePlaceholder: MillisecondTime { MillisecondTime(Date(timeIntervalSince1970: 0)) }
}
