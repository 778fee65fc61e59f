import BerqenasSync
import DatabaseConnectors
import Foundation
import Testing

@testable import BerqenasPlatform

/// Undo images are written by hand as JSON (a `JSONEncoder` costs more than the rest of the journaling);
/// what they are read back as must be exactly what was kept, whatever the values hold.
struct StoredUndoTests {
    static let awkward: [CanonicalValue] = [
        .null, .boolean(true), .boolean(false), .integer(Int64.min), .integer(42), .decimal("-12.3400"),
        .float(0.1), .float(-.infinity), .text("quote \" backslash \\ tab \t newline \n nul \u{0} bell \u{7} é 日本 🙂"),
        .text(""), .binary([0, 1, 254, 255]), .geometry([1, 2]), .uuid(UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!),
        .date("2024-02-29"), .time("23:59:59.999999+05:30"), .timestamp("2024-01-02 03:04:05.123456"),
        .timestampWithZone("2024-01-02 03:04:05+00:00"), .interval("1 day 02:03:04"), .json("{\"a\": [1, \"x\"]}"),
        .xml("<a b='c'>&amp;</a>"), .array([.integer(1), .null, .array([.text("nested \"q\"")])]),
    ]

    @Test func handWrittenUndoTextReadsBackAsTheImagesKept() throws {
        let before = Dictionary(uniqueKeysWithValues: Self.awkward.enumerated().map { ("column \"\($0.offset)\"", $0.element) })
        let images = [
            UndoImage(
                side: .cloud, table: TableRef(schema: "tenant_x", name: "or\"ders"), key: [.integer(1), .text("a\\b")],
                before: before, written: WrittenFingerprint(before)),
            UndoImage(
                side: .cloud, table: TableRef(schema: "tenant_x", name: "or\"ders"), key: [.integer(2), .text("")],
                before: nil, written: WrittenFingerprint(["id": .integer(2)])),
            UndoImage(
                side: .local, table: TableRef(schema: "public", name: "t"), key: Self.awkward.filter { $0 != .null },
                before: ["x": .text("gone")], written: nil),
        ]
        let text = StoredUndoGroup.text(StoredUndoGroup.groups(images))
        #expect(try StoredUndoGroup.images(from: text) == images)
        // The same text `Codable` reads; and what `Codable` writes reads the same.
        let coded = try StoredJSON.text(StoredUndoGroup.groups(images))
        #expect(try StoredUndoGroup.images(from: coded) == images)
        // Both are read by the byte reader, not by the `JSONDecoder` fallback.
        #expect(try StoredUndoGroup.read(text).flatMap { try $0.images() } == images)
        #expect(try StoredUndoGroup.read(coded).flatMap { try $0.images() } == images)
    }

    /// A batch kept before undo images were compact (whole images, no groups) still reads as its images: the
    /// byte reader must refuse it as groups rather than read it as groups without rows.
    @Test func batchesKeptAsWholeImagesStillReadBack() throws {
        let text =
            #"[{"side":"cloud","table":"tenant_x.orders","key":[{"integer":"7"}],"before":{"id":{"integer":"7"},"qty":{"integer":"1"}},"#
            + #""after":{"id":{"integer":"7"},"qty":{"integer":"2"}}},"#
            + #"{"side":"cloud","table":"tenant_x.orders","key":[{"integer":"8"}],"after":{"id":{"integer":"8"},"qty":{"integer":"5"}}}]"#
        #expect(throws: ConnectorError.self) { try StoredUndoGroup.read(text) }
        let images = try StoredUndoGroup.images(from: text)
        let orders = TableRef(schema: "tenant_x", name: "orders")
        #expect(
            images == [
                UndoImage(
                    side: .cloud, table: orders, key: [.integer(7)], before: ["id": .integer(7), "qty": .integer(1)],
                    written: WrittenFingerprint(["id": .integer(7), "qty": .integer(2)])),
                UndoImage(
                    side: .cloud, table: orders, key: [.integer(8)], before: nil,
                    written: WrittenFingerprint(["id": .integer(8), "qty": .integer(5)])),
            ])
    }

    @Test func theByteReaderFollowsJSONAndRefusesWhatIsNot() throws {
        var reader = StoredJSONReader(#" [ {"text": "a\/b \u00e9 \ud83d\ude42 \n"} , null, {"boolean": false}, {"array": []} ] "#)
        var values: [CanonicalValue] = []
        try reader.array { values.append(try CanonicalValue.readStored(&$0)) }
        try reader.expectEnd()
        #expect(values == [.text("a/b é 🙂 \n"), .null, .boolean(false), .array([])])

        for bad in [
            #"{"text": "open"#, #"{"text": "\ud83d"}"#, #"{"text": "\x"}"#, #"{"integer": "1.5"}"#,
            #"{"text": "a", "text": "b"}"#, #"{"colour": "red"}"#, "{\"text\": \"tab\tin\"}", "{}", #"{"uuid": "nope"}"#,
        ] {
            var bad = StoredJSONReader(bad)
            #expect(throws: ConnectorError.self) { try CanonicalValue.readStored(&bad) }
        }
        var trailing = StoredJSONReader("[] x")
        try trailing.array { _ in }
        #expect(throws: ConnectorError.self) { try trailing.expectEnd() }
    }
}
