import FluentKit
import Foundation

/// A named value the hub keeps about itself (for example the master-key check).
package final class SystemSetting: Model, @unchecked Sendable {
    package static let schema = "system_settings"

    @ID(custom: "key", generatedBy: .user) package var id: String?
    @Field(key: "value") package var value: String

    package init() {}

    /// Creates a setting.
    package init(key: String, value: String) {
        self.id = key
        self.value = value
    }
}
