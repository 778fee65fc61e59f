/// `(p1, p2), (p3, p4), …`: `rowCount` parenthesized tuples over `columns`, each placeholder numbered
/// from 1 in row-major order (the order values are bound in).
enum ValueTuples {
    static func render(rowCount: Int, columns: [ColumnSchema], placeholder: (Int, ColumnSchema) -> String) -> String {
        var parameter = 0
        return (0..<rowCount).map { _ in
            "("
                + columns.map { column in
                    parameter += 1
                    return placeholder(parameter, column)
                }.joined(separator: ", ") + ")"
        }.joined(separator: ", ")
    }
}
