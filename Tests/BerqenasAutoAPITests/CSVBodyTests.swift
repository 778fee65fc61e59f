import DatabaseConnectors
import Testing

@testable import BerqenasAutoAPI

/// `text/csv` request bodies: RFC 4180 fields (quotes, doubled quotes, commas and line breaks inside quotes,
/// CRLF), nulls as PostgreSQL's COPY reads them, and every malformed shape refused with the line it is on.
struct CSVBodyTests {
    @Test func rowsBecomeTheObjectsAJSONBodyWouldBe() throws {
        let body = "id,name,note\r\n1,\"Pen, blue\",\"say \"\"hi\"\"\"\n2,,NULL\n3,\"\",\"NULL\"\n4,\"two\nlines\",x\n"
        #expect(
            try CSVBody.parse(Array(body.utf8))
                == .array([
                    .object([
                        (key: "id", value: .string("1")), (key: "name", value: .string("Pen, blue")), (key: "note", value: .string("say \"hi\"")),
                    ]),
                    .object([(key: "id", value: .string("2")), (key: "name", value: .null), (key: "note", value: .null)]),
                    .object([(key: "id", value: .string("3")), (key: "name", value: .string("")), (key: "note", value: .string("NULL"))]),
                    .object([(key: "id", value: .string("4")), (key: "name", value: .string("two\nlines")), (key: "note", value: .string("x"))]),
                ]))
        #expect(try CSVBody.parse(Array("id\n".utf8)) == .array([]), "a header alone is no row")
        #expect(
            try CSVBody.parse(Array("note\na\n\nb".utf8))
                == .array([
                    .object([(key: "note", value: .string("a"))]), .object([(key: "note", value: .null)]),
                    .object([(key: "note", value: .string("b"))]),
                ]),
            "one column: a blank line is its null")
        #expect(
            try CSVBody.parse(Array("a,b\n1,2\n\n".utf8)) == .array([.object([(key: "a", value: .string("1")), (key: "b", value: .string("2"))])]))
    }

    @Test func malformedBodiesAreRefusedWithTheirPlace() throws {
        for (body, words) in [
            ("", "no header"), ("id,\n1,2", "names no column"), ("id,id\n1,2", "named twice"), ("id,name\n1\n", "record 2 has 1 fields"),
            ("id\n\"open", "not closed"), ("id\na\"b", "quote inside"), ("id\n\"a\"b", "after a closing quote"),
        ] {
            do {
                _ = try CSVBody.parse(Array(body.utf8))
                Issue.record("\(body): refused expected")
            } catch let error as AutoAPIError {
                #expect(error.code == "PGRST102" && error.details?.contains(words) == true, "\(body): \(error)")
            }
        }
        #expect(throws: AutoAPIError.self, "a million fields and one: refused before they fill the memory") {
            try CSVBody.parse(Array(("a\n" + String(repeating: "\n", count: CSVBody.maxFields)).utf8))
        }
    }
}
