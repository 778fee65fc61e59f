/// A database function (PostgreSQL) or stored procedure (SQL Server) a generated API can call at `/rpc/{name}`,
/// as introspected.
package struct FunctionSchema: Sendable, Hashable, Codable {
    package var schema: String
    package var name: String
    /// The input parameters in order (a parameter without a name has an empty one).
    package var parameters: [ColumnSchema]
    /// How many trailing parameters have defaults (a call may leave them out).
    package var defaults: Int
    package var result: Result
    /// Whether it returns a set (`SETOF`, `TABLE (…)`): read, filtered, ordered and paged like a table.
    package var returnsSet: Bool
    /// Whether it may change data (PostgreSQL `VOLATILE`): a GET calls it in a read-only transaction.
    package var volatile: Bool
    /// Whether the last parameter is `VARIADIC` (an array, passed as `VARIADIC name => …`).
    package var variadic: Bool?
    /// The table or view whose row type it returns (its relationships are the function's rows').
    package var rowsOf: TableRef?
    /// A SQL Server procedure's `OUTPUT` parameters, by name (they take a value in too): answered as an object.
    package var outputs: [String]?

    package enum Result: Sendable, Hashable, Codable {
        case void
        /// One value of a base type, named as the function.
        case scalar(ColumnSchema)
        /// Rows of these columns (a table or composite type, `TABLE (…)`, OUT parameters).
        case rows([ColumnSchema])
    }

    package init(
        schema: String, name: String, parameters: [ColumnSchema], defaults: Int = 0, result: Result, returnsSet: Bool = false,
        volatile: Bool = true
    ) {
        self.schema = schema
        self.name = name
        self.parameters = parameters
        self.defaults = defaults
        self.result = result
        self.returnsSet = returnsSet
        self.volatile = volatile
    }

    /// The parameters a call must give (those without defaults).
    package var required: ArraySlice<ColumnSchema> { parameters.dropLast(defaults) }
}
