import BerqenasPlatform
import Foundation
import OpenAPIKit
import Testing

@testable import BerqenasServer

/// DTO schemas come from the DTO's declaration: each field's name, type, and whether it is required or
/// nullable follow how the field is declared and how it travels.
struct WireSchemaTests {
    struct Inner: Codable {
        let count: Int
        let note: String?
    }

    struct Sample: Codable {
        let id: UUID
        let name: String
        let nickname: String?
        @ExplicitNull var removedAt: Date?
        let role: UserRole
        let tags: [String]
        let inner: Inner
        let labels: [String: String]
        let ratio: Double

        enum CodingKeys: String, CodingKey {
            case id, name, nickname, role, tags, inner, labels, ratio, removedAt = "removed_at"
        }
    }

    /// A field that tells "absent" from "null", as update requests do.
    struct Clearable: Decodable {
        let value: String??
        let password: String?

        enum CodingKeys: String, CodingKey { case value, password }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            value =
                container.contains(.value)
                ? .some(try container.decodeNil(forKey: .value) ? nil : container.decode(String.self, forKey: .value)) : .none
            password = try container.decodeIfPresent(String.self, forKey: .password)
        }
    }

    static func properties(_ schema: JSONSchema) throws -> OrderedDictionary<String, JSONSchema> {
        guard case let .object(_, object) = schema.value else { throw Failure("not an object: \(schema)") }
        return object.properties
    }

    @Test func responsesCarryEveryFieldButPlainOptionals() throws {
        let fields = try Self.properties(WireSchema.of(Sample.self, .response))
        #expect(Set(fields.keys) == ["id", "name", "nickname", "removed_at", "role", "tags", "inner", "labels", "ratio"])
        #expect(fields["id"] == .string(format: .uuid))
        #expect(fields["nickname"] == .string(required: false), "left out when nil, never null")
        #expect(fields["removed_at"] == .string(format: .dateTime, nullable: true), "always there, null when nil")
        #expect(fields["role"] == .string(allowedValues: UserRole.allowedValues))
        #expect(fields["tags"] == .array(items: .string))
        #expect(fields["ratio"] == .number)
        #expect(fields["labels"] == .object)
        let inner = try Self.properties(try #require(fields["inner"]))
        #expect(inner["count"] == .integer && inner["note"] == .string(required: false))
    }

    @Test func requestsTakeOptionalFieldsAsAbsentOrNull() throws {
        let fields = try Self.properties(WireSchema.of(Sample.self, .request, overriding: ["name": .string(pattern: "^[a-z]+$")]))
        #expect(fields["name"] == .string(pattern: "^[a-z]+$"))
        #expect(fields["nickname"] == .string(required: false, nullable: true))
        let clearable = try Self.properties(WireSchema.of(Clearable.self, .request))
        #expect(clearable["value"] == .string(required: false, nullable: true))
        #expect(clearable["password"] == .string(format: .password, required: false, nullable: true))
        let creating = try Self.properties(WireSchema.of(Clearable.self, .request, requiring: ["value"]))
        #expect(creating["value"]?.required == true && creating["value"]?.nullable == true)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
