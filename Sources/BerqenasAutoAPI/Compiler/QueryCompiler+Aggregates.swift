import DatabaseConnectors

extension QueryCompiler {
    /// An aggregate's result column: `COUNT` as a bigint, `SUM` and `AVG` of numbers as numeric (floats as
    /// double), `MIN` and `MAX` of any column as that column; then the item's own cast.
    func aggregated(_ aggregate: Aggregate) throws -> ResultColumn {
        let name = aggregate.name
        let counter = ColumnSchema(name: name, nativeType: "bigint", canonicalType: .integer(bits: 64))
        var result: ResultColumn
        if let columnName = aggregate.column {
            let source = try column(columnName)
            let reference = flavor.quote(source.name)
            switch aggregate.function {
            case .count:
                result = ResultColumn(name: name, source: source, value: counter, expression: flavor.cast("COUNT(\(reference))", to: .bigint))
            case .min, .max:
                var value = source
                value.name = name
                result = ResultColumn(
                    name: name, source: source, value: value, expression: "\(aggregate.function.rawValue.uppercased())(\(reference))")
            case .sum, .avg:
                let type: CastType
                switch source.canonicalType {
                case .integer, .decimal, .money: type = .numeric
                case .float: type = .double
                default:
                    throw AutoAPIError(
                        status: 400, code: "PGRST100", message: "\(aggregate.function.rawValue)() needs a column of numbers",
                        details: "'\(columnName)' is \(source.nativeType)")
                }
                // SQL Server averages integers as integers: the value is made numeric first.
                let input: String
                if case .tsql = flavor { input = flavor.cast(reference, to: type) } else { input = reference }
                result = ResultColumn(
                    name: name, source: source, value: flavor.column(named: name, castTo: type),
                    expression: flavor.cast("\(aggregate.function.rawValue.uppercased())(\(input))", to: type))
            }
        } else {
            guard aggregate.function == .count else {
                throw AutoAPIError.unparsable("select", details: "\(aggregate.function.rawValue)() needs a column")
            }
            result = ResultColumn(name: name, source: counter, value: counter, expression: flavor.cast("COUNT(*)", to: .bigint))
        }
        result.aggregated = true
        if let cast = aggregate.cast {
            result.cast = cast
            result.value = flavor.column(named: name, castTo: cast)
            if case .named = cast, !flavor.isPostgreSQL {
                throw AutoAPIError.unsupported("a cast to \(cast.name) needs a PostgreSQL source")
            }
        }
        return result
    }
}
