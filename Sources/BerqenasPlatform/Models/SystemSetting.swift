import FluentKit
import Foundation

/// A named value the hub keeps about itself (for example the master-key check).
public final class SystemSetting: Model, @unchecked Sendable {
    public static let schema = "system_settings"

    @ID(custom: "key", generatedBy: .user) public var id: String?
    @Field(key: "value") public var value: String

    public init() {}

    /// Creates a setting.
    public init(key: String, value: String) {
        self.id = key
        self.value = value
    }
}
