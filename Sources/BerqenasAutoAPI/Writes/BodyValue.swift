import DatabaseConnectors

/// A body's JSON value as the canonical value of the column it is written to (`JSONForm`, the forms reads
/// give); a value that does not fit is 400 22P02 naming the column.
enum BodyValue {
    static func canonical(_ json: JSONValue, for column: ColumnSchema) throws -> CanonicalValue {
        do {
            return try JSONForm.canonical(json, type: column.canonicalType, column: column.name)
        } catch {
            throw AutoAPIError(status: 400, code: "22P02", message: error.message, details: "got \(error.got)")
        }
    }
}
