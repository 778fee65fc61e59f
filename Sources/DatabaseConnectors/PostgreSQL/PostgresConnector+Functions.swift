import Foundation
import PostgresNIO

extension PostgresConnector {
    /// The schema's plain functions (not procedures, aggregates or window functions, nor those an extension
    /// brought), each with its parameters and result. Functions whose parameters or result have no JSON form
    /// (pseudo-types such as `anyelement`, `trigger`, a bare `record`) are left out.
    package func describeFunctions(schema: String) async throws -> [FunctionSchema] {
        try await withConnection { connection in
            var functions: [FunctionSchema] = []
            for row in try await textRows(Self.functionsSQL, [schema], on: connection) {
                guard let name = row[0], let arguments = row[7].flatMap({ try? JSONDecoder().decode([Argument].self, from: Data($0.utf8)) })
                else { continue }
                let inputs = arguments.filter { ["i", "b", "v"].contains($0.mode) }
                let outputs = arguments.filter { ["o", "b", "t"].contains($0.mode) }
                guard !inputs.contains(where: \.pseudo), !outputs.contains(where: \.pseudo) else { continue }
                // Unnamed parameters are called by name here: only a function of one takes it (the whole body).
                guard inputs.count == 1 || !inputs.contains(where: { ($0.name ?? "").isEmpty }) else { continue }
                let returnType = row[4] ?? ""
                let result: FunctionSchema.Result
                if !outputs.isEmpty {
                    result = .rows(outputs.map { $0.column })
                } else if returnType == "void" {
                    result = .void
                } else if let relation = row[6], relation != "-" {
                    result = .rows(try await textRows(Self.columnsSQL, [relation], on: connection).map(Self.column))
                } else if row[5] == "p" {
                    continue  // a pseudo-type (trigger, record without columns, any…)
                } else {
                    let descriptor = PostgresTypeMap.Descriptor(formatted: returnType, kind: row[5]?.first ?? "b")
                    result = .scalar(ColumnSchema(name: name, nativeType: returnType, canonicalType: PostgresTypeMap.canonical(descriptor)))
                }
                var function = FunctionSchema(
                    schema: schema, name: name, parameters: inputs.map(\.column), defaults: Int(row[3] ?? "") ?? 0, result: result,
                    returnsSet: row[1] == "true", volatile: row[2] == "v")
                function.variadic = inputs.last?.mode == "v"
                if let schema = row[8], let table = row[9] { function.rowsOf = TableRef(schema: schema, name: table) }
                functions.append(function)
            }
            return functions
        }
    }

    /// One argument as the introspection query lists it.
    private struct Argument: Decodable {
        var name: String?
        /// `i` in, `o` out, `b` both, `v` variadic, `t` a `TABLE (…)` column.
        var mode: String
        var type: String
        /// `pg_type.typtype` (`p`: a pseudo-type).
        var kind: String

        var pseudo: Bool { kind == "p" }

        var column: ColumnSchema {
            ColumnSchema(
                name: name ?? "", nativeType: type,
                canonicalType: PostgresTypeMap.canonical(PostgresTypeMap.Descriptor(formatted: type, kind: kind.first ?? "b")))
        }
    }

    static let functionsSQL = """
        SELECT p.proname, p.proretset::text, p.provolatile::text, p.pronargdefaults::text,
               format_type(p.prorettype, NULL), rt.typtype::text,
               CASE WHEN rt.typrelid <> 0 THEN rt.typrelid::regclass::text ELSE '-' END,
               COALESCE((SELECT json_agg(json_build_object(
                           'name', NULLIF(p.proargnames[a.o], ''), 'mode', COALESCE(p.proargmodes[a.o]::text, 'i'),
                           'type', format_type(a.t, -1), 'kind', at.typtype::text) ORDER BY a.o)
                         FROM unnest(COALESCE(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY AS a(t, o)
                         JOIN pg_type at ON at.oid = a.t), '[]')::text,
               rn.nspname, rc.relname
        FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        JOIN pg_type rt ON rt.oid = p.prorettype
        LEFT JOIN pg_class rc ON rc.oid = rt.typrelid AND rc.relkind IN ('r', 'p', 'v', 'm')
        LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
        WHERE n.nspname = $1 AND p.prokind = 'f'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
        ORDER BY p.proname, p.oid
        """
}
