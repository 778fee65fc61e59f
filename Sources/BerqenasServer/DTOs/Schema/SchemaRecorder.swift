import OpenAPIKit

/// A `Decoder` that answers every question a type's `init(from:)` asks with a placeholder and writes down
/// the questions: the keys asked for, the type of each, and whether it was asked as optional or nullable.
/// Dictionaries (which ask for no key by name) come out as objects of any properties.
final class SchemaRecorder {
    let direction: WireSchema.Direction

    init(direction: WireSchema.Direction) { self.direction = direction }

    /// What a walk of one type found.
    enum Shape {
        case leaf(JSONSchema)
        case object([(name: String, schema: JSONSchema)])
        case array(JSONSchema)
    }

    /// The schema of `type` and a value of it.
    func walk<T: Decodable>(_ type: T.Type) -> (schema: JSONSchema, value: T) {
        if let leaf = type as? any WireLeaf.Type {
            return (leaf.wireSchema, leaf.wirePlaceholder as! T)
        }
        let walked = walkInside(type)
        return ((type as? any WireDescribed.Type)?.wireSchema ?? walked.schema, walked.value)
    }

    /// The schema `type`'s own fields make (never the one it declares for itself).
    func walkFields<T: Decodable>(of type: T.Type) -> JSONSchema { walkInside(type).schema }

    private func walkInside<T: Decodable>(_ type: T.Type) -> (schema: JSONSchema, value: T) {
        let decoder = Walk(recorder: self)
        do {
            let value = try T(from: decoder)
            return (decoder.schema, value)
        } catch {
            preconditionFailure("the schema of \(T.self) cannot be derived: \(error)")
        }
    }

    /// One value being decoded.
    final class Walk: Decoder {
        let recorder: SchemaRecorder
        var shape: Shape = .leaf(.fragment)
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        init(recorder: SchemaRecorder) { self.recorder = recorder }

        var schema: JSONSchema {
            switch shape {
            case let .leaf(schema): schema
            case let .array(items): .array(items: items)
            case let .object(fields):
                fields.isEmpty ? .object : .object(properties: OrderedDictionary(fields, uniquingKeysWith: { first, _ in first }))
            }
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedDecodingContainer<Key> {
            if case .object = shape {} else { shape = .object([]) }
            return KeyedDecodingContainer(KeyedWalk<Key>(walk: self))
        }

        func unkeyedContainer() -> any UnkeyedDecodingContainer { UnkeyedWalk(walk: self) }

        func singleValueContainer() -> any SingleValueDecodingContainer { SingleWalk(walk: self) }

        /// Writes down a field (in place of an earlier mark for the same name: its `decodeNil` question).
        func field(_ name: String, _ schema: JSONSchema, required: Bool, nullable: Bool) {
            guard case var .object(fields) = shape else { return }
            var property = required ? schema.requiredSchemaObject() : schema.optionalSchemaObject()
            if nullable { property = property.nullableSchemaObject() }
            if let index = fields.firstIndex(where: { $0.name == name }) {
                fields[index].schema = property
            } else {
                fields.append((name, property))
            }
            shape = .object(fields)
        }

        /// Whether `decodeNil` was asked for `name` before its value.
        func askedNull(_ name: String) -> Bool {
            guard case let .object(fields) = shape, let field = fields.first(where: { $0.name == name }) else { return false }
            return field.schema.nullable
        }
    }

    struct KeyedWalk<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let walk: Walk
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }

        func contains(_ key: Key) -> Bool { true }

        /// Asked before a value of a field that may be null: the field is nullable (and, in a request, optional).
        func decodeNil(forKey key: Key) -> Bool {
            walk.field(key.stringValue, .fragment, required: false, nullable: true)
            return false
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let (schema, value) = walk.recorder.walk(type)
            let askedNull = walk.askedNull(key.stringValue)
            walk.field(key.stringValue, schema, required: !askedNull, nullable: askedNull)
            return value
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            let (schema, value) = walk.recorder.walk(type)
            switch walk.recorder.direction {
            case .request: walk.field(key.stringValue, schema, required: false, nullable: true)
            case .response:
                let alwaysThere = type is any ExplicitNullField.Type
                walk.field(key.stringValue, schema, required: alwaysThere, nullable: alwaysThere)
            }
            return value
        }

        // Synthesized `Decodable` asks for optional primitives through these (their protocol defaults would
        // read as "asked for null, then for a value").
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(type, key) }
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(type, key) }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(type, key) }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try present(type, key) }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try present(type, key) }

        private func present<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
            let generic: (T.Type, Key) throws -> T? = decodeIfPresent
            return try generic(type, key)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            throw DecodingError.typeMismatch(type, .init(codingPath: [key], debugDescription: "nested containers are not walked"))
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: [key], debugDescription: "nested containers are not walked"))
        }

        func superDecoder() throws -> any Decoder { walk }
        func superDecoder(forKey key: Key) throws -> any Decoder { walk }
    }

    /// An array of one item, walked for the items' schema.
    struct UnkeyedWalk: UnkeyedDecodingContainer {
        let walk: Walk
        var codingPath: [any CodingKey] { [] }
        var count: Int? { 1 }
        var isAtEnd: Bool { currentIndex > 0 }
        private(set) var currentIndex = 0

        init(walk: Walk) {
            self.walk = walk
            if case .array = walk.shape {} else { walk.shape = .array(.fragment) }
        }

        mutating func decodeNil() throws -> Bool { false }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let (schema, value) = walk.recorder.walk(type)
            walk.shape = .array(schema)
            currentIndex += 1
            return value
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            throw DecodingError.typeMismatch(type, .init(codingPath: [], debugDescription: "nested containers are not walked"))
        }

        func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: [], debugDescription: "nested containers are not walked"))
        }

        func superDecoder() throws -> any Decoder { walk }
    }

    /// A single value: a leaf the type's own `init(from:)` reads (a property wrapper, an enum without `WireEnum`).
    struct SingleWalk: SingleValueDecodingContainer {
        let walk: Walk
        var codingPath: [any CodingKey] { [] }

        func decodeNil() -> Bool { false }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let (schema, value) = walk.recorder.walk(type)
            walk.shape = .leaf(schema)
            return value
        }

    }
}

/// `@ExplicitNull`, which the walk tells from a plain optional (a response always carries it).
protocol ExplicitNullField {}
