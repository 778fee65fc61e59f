import BerqenasPlatform
import BerqenasSync
import DatabaseConnectors
import Foundation
import OpenAPIKit

/// A type a schema shows as one value, without looking inside (a UUID is a string, not the fields of its
/// `init(from:)`), with a value of it to hand back while a type that holds it is walked.
protocol WireLeaf: Decodable {
    static var wireSchema: JSONSchema { get }
    static var wirePlaceholder: Self { get }
}

/// An enum that travels as one of its words: its schema lists them.
protocol WireEnum: WireLeaf, CaseIterable, RawRepresentable where RawValue == String {}

extension WireEnum {
    static var wireSchema: JSONSchema { .string(allowedValues: allowedValues) }
    static var wirePlaceholder: Self { allCases.first! }
}

extension String: WireLeaf {
    static var wireSchema: JSONSchema { .string }
    static var wirePlaceholder: String { "" }
}

extension Bool: WireLeaf {
    static var wireSchema: JSONSchema { .boolean }
    static var wirePlaceholder: Bool { false }
}

extension Int: WireLeaf {
    static var wireSchema: JSONSchema { .integer }
    static var wirePlaceholder: Int { 0 }
}

extension Int64: WireLeaf {
    static var wireSchema: JSONSchema { .integer(format: .int64) }
    static var wirePlaceholder: Int64 { 0 }
}

extension Double: WireLeaf {
    static var wireSchema: JSONSchema { .number }
    static var wirePlaceholder: Double { 0 }
}

extension UUID: WireLeaf {
    static var wireSchema: JSONSchema { .string(format: .uuid) }
    static var wirePlaceholder: UUID { UUID() }
}

extension Date: WireLeaf {
    static var wireSchema: JSONSchema { .string(format: .dateTime) }
    static var wirePlaceholder: Date { Date(timeIntervalSince1970: 0) }
}

extension JSONValue: WireLeaf {
    static var wireSchema: JSONSchema { .fragment }
    static var wirePlaceholder: JSONValue { .null }
}

// The enums fields of the API take: their schemas list their words.
extension UserRole: WireEnum {}
extension TenantStatus: WireEnum {}
extension DatabaseEngine: WireEnum {}
extension ConnectionSpec.TLSMode: WireEnum {}
extension CaptureMode: WireEnum {}
extension SyncMode: WireEnum {}
extension ConflictStrategy: WireEnum {}
extension SyncJobStatus: WireEnum {}
extension ConflictStatus: WireEnum {}
extension ConflictWinner: WireEnum {}
extension VPNNetworkState: WireEnum {}
extension PublicationState: WireEnum {}
extension APIAuth: WireEnum {}
extension APISourceKind: WireEnum {}
extension APIOperation: WireEnum {}
extension TableVerification.DifferingRow.Kind: WireEnum {}
extension EventKind: WireEnum {}
extension AlertChannelType: WireEnum {}
extension AlertCondition: WireEnum {}
extension AlertDeliveryKind: WireEnum {}
extension AlertDeliveryStatus: WireEnum {}

extension SyncJobKind: WireLeaf {
    static var wireSchema: JSONSchema { .string(allowedValues: (SyncMode.allCases.map(\.rawValue) + ["rollback"]).map { AnyCodable($0) }) }
    static var wirePlaceholder: SyncJobKind { .rollback }
}

/// `untested`, `ok`, or the code of the error the last test failed with.
extension ConnectionTestStatus: WireLeaf {
    static var wireSchema: JSONSchema { .string }
    static var wirePlaceholder: ConnectionTestStatus { .untested }
}
