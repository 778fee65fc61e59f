import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

/// Every PostgreSQL type: introspected to the right canonical type, and copied PostgreSQL -> PostgreSQL and
/// PostgreSQL -> SQLite -> PostgreSQL with every value exactly equal.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct PostgresTypeMatrixTests {
    static let setup = [
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
        "CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0)",
        """
        CREATE TABLE everything (
            id integer PRIMARY KEY,
            i2 smallint, i4 integer, i8 bigint,
            n numeric(38,10), n_free numeric, m money,
            f4 real, f8 double precision, b boolean,
            t text, vc varchar(12), ch char(5), by bytea, u uuid,
            d date, tm time(3), ttz time with time zone, ts timestamp, tstz timestamptz, iv interval,
            j json, jb jsonb, x xml, ip inet, net cidr, mac macaddr,
            e mood, dom positive_int, r int4range, tv tsvector,
            ai integer[], at text[], an numeric(10,2)[], a2 integer[][],
            g geometry(Point, 4326), geo geography
        )
        """,
        """
        INSERT INTO everything VALUES
        (1, -32768, -2147483648, -9223372036854775808,
         '9999999999999999999999999999.9999999999', '-0.00000000000000000001', '-92233720368547758.08',
         'NaN', '-Infinity', true,
         'emoji 🦄 and ünïcödé, "quotes", \\backslash\\', '', 'ab', '\\x00ff00'::bytea, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
         '0001-01-01', '23:59:59.999', '12:00:00+05:30', '2024-02-29 23:59:59.999999', '2024-06-30 12:34:56.123456+05:30',
         '1 year 2 mons 3 days 04:05:06.5',
         '{"b": 1, "a": [1, 2.50]}', '{"b": 1, "a": [1, 2.50, 1e400]}', '<a x="1">t</a>', '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03',
         'happy', 42, '[1,10)', 'a fat cat',
         '{1,NULL,3}', '{"a,b","c\\"d",NULL,"",NULL}', '{1.50,NULL}', '{{1,2},{3,4}}',
         'SRID=4326;POINT(30.1234567890123 -12.5)', 'POINT(1 2)'),
        (2, 32767, 2147483647, 9223372036854775807,
         '-9999999999999999999999999999.9999999999', '0', '92233720368547758.07',
         '3.4028235e38', '2.2250738585072014e-308', false,
         'NULL', 'x', 'abcde', '\\x'::bytea, '00000000-0000-0000-0000-000000000000',
         '9999-12-31', '00:00:00', '00:00:00-08', '1970-01-01 00:00:00', '1999-12-31 23:59:59.000001+00',
         '-3 days -00:00:00.000001',
         '[]', 'null', '<x/>', '::1', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff',
         'sad', 1, 'empty', '',
         '{}', '{}', '{}', '{}',
         NULL, NULL),
        (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
        (4, -32768, -2147483648, -9223372036854775808, NULL, NULL, NULL, '-1.401298e-45', '-0', NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL),
        (5, 0, 0, 0, NULL, NULL, NULL, NULL, '4.9406564584124654e-324', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
        """,
    ]

    @Test func introspectionMapsEveryTypeToItsCanonicalType() async throws {
        try await PostgresFixture.with(postGIS: true) { source in
            try await source.run(contentsOf: Self.setup)
            let table = try await source.connector.describeTable(TableRef(schema: "public", name: "everything"))
            let types = Dictionary(uniqueKeysWithValues: table.columns.map { ($0.name, $0.canonicalType) })
            #expect(table.primaryKey == ["id"])
            #expect(types["i2"] == .integer(bits: 16))
            #expect(types["i8"] == .integer(bits: 64))
            #expect(types["n"] == .decimal(precision: 38, scale: 10))
            #expect(types["n_free"] == .decimal(precision: nil, scale: nil))
            #expect(types["m"] == .decimal(precision: 19, scale: 2))
            #expect(types["f4"] == .float(bits: 32))
            #expect(types["vc"] == .text(length: 12, fixed: false, collation: nil))
            #expect(types["ch"] == .text(length: 5, fixed: true, collation: nil))
            #expect(types["by"] == .binary(length: nil, fixed: false))
            #expect(types["tm"] == .time(precision: 3, withZone: false))
            #expect(types["ttz"] == .time(precision: 6, withZone: true))
            #expect(types["tstz"] == .timestamp(precision: 6, withZone: true))
            #expect(types["jb"] == .json(binary: true))
            #expect(types["mac"] == .networkAddress(kind: "macaddr"))
            #expect(types["e"] == .enumeration(name: "mood", labels: ["sad", "ok", "happy"]))
            #expect(types["dom"] == .integer(bits: 32))
            #expect(types["r"] == .range(of: "int4range"))
            #expect(types["tv"] == .textSearch)
            #expect(types["ai"] == .array(of: .integer(bits: 32)))
            #expect(types["an"] == .array(of: .decimal(precision: 10, scale: 2)))
            #expect(types["g"] == .geometry(geography: false))
            #expect(types["geo"] == .geometry(geography: true))
            #expect(table.unknownTypeColumns.isEmpty)
            #expect(table.column("vc")?.length == 12)
            #expect(table.column("n")?.precision == 38)
            #expect(table.column("n")?.scale == 10)
            #expect(table.column("id")?.nullable == false)
        }
    }

    @Test func postgresToPostgresKeepsEveryValueExactly() async throws {
        try await PostgresFixture.with(postGIS: true) { source in
            try await source.run(contentsOf: Self.setup)
            let table = try await source.connector.describeTable(TableRef(schema: "public", name: "everything"))
            let original = try await readAll(source.connector, table)
            #expect(original.count == 5)
            try await PostgresFixture.with(postGIS: true) { target in
                try await target.connector.createTable(table)
                let created = try await target.connector.describeTable(table.table)
                try await target.connector.bulkLoad(original, into: created, origin: nil)
                #expect(try await readAll(target.connector, created) == original)

                // The upsert path (parameter casts) must give the same result as COPY.
                try await target.run("TRUNCATE everything")
                try await target.connector.apply(original.map(RowChange.upsert), to: created, origin: nil)
                #expect(try await readAll(target.connector, created) == original)

                // Keys are looked up and deleted through the same bound arrays.
                let found = try await target.connector.fetchRows(created, keys: [[.integer(4)], [.integer(2)], [.integer(99)]])
                #expect(found == [original[1], original[3]])
                try await target.connector.apply([.delete(key: [.integer(1)]), .delete(key: [.integer(3)])], to: created, origin: nil)
                #expect(try await readAll(target.connector, created) == [original[1], original[3], original[4]])
            }
        }
    }

    /// Composite keys whose text parts look like array syntax, quotes, NULL or nothing at all are written,
    /// found and deleted as themselves.
    @Test func awkwardCompositeKeysRoundTrip() async throws {
        try await PostgresFixture.with { target in
            try await target.run("CREATE TABLE pairs (k text, n integer, v text, PRIMARY KEY (k, n))")
            let table = try await target.connector.describeTable(TableRef(schema: "public", name: "pairs"))
            let texts = ["a\"b", "c\\d", "{}", "x,y", "NULL", "", " padded ", "{\"z\"}", "🦄"]
            let rows = texts.enumerated().map { index, text in
                Row([.text(text), .integer(Int64(index)), index.isMultiple(of: 2) ? .null : .text(text + "!")])
            }
            try await target.connector.apply(rows.map(RowChange.upsert), to: table, origin: nil)
            #expect(Set(try await readAll(target.connector, table)) == Set(rows))
            let keys = rows.map { Array($0.values.prefix(2)) }
            #expect(Set(try await target.connector.fetchRows(table, keys: keys + [[.text("NULL"), .integer(0)]])) == Set(rows))
            try await target.connector.apply(keys.dropLast().map { .delete(key: $0) }, to: table, origin: nil)
            #expect(try await readAll(target.connector, table) == [rows[rows.count - 1]])
        }
    }

    @Test func postgresThroughSQLiteAndBackKeepsEveryValueExactly() async throws {
        try await PostgresFixture.with(postGIS: true) { source in
            try await source.run(contentsOf: Self.setup)
            let table = try await source.connector.describeTable(TableRef(schema: "public", name: "everything"))
            let original = try await readAll(source.connector, table)
            let throughSQLite = try await SQLiteFixture.with { sqlite in
                try await sqlite.createTable(
                    TableSchema(
                        table: TableRef(schema: "main", name: "everything"),
                        columns: table.columns, primaryKey: table.primaryKey))
                let middle = try await sqlite.describeTable(TableRef(schema: "main", name: "everything"))
                #expect(middle.columns.map(\.canonicalType) == table.columns.map(\.canonicalType))
                try await sqlite.bulkLoad(original, into: middle, origin: nil)
                return try await readAll(sqlite, middle)
            }
            // The one named loss on this path (docs/types.md): SQLite keeps -0.0 as 0.0.
            let expected = original.map { row in
                Row(
                    row.values.map { value in
                        if case let .float(number) = value, number == 0 { return CanonicalValue.float(0) }
                        return value
                    })
            }
            #expect(throughSQLite == expected)
            #expect(original != expected, "the fixture holds a -0.0")
            try await PostgresFixture.with(postGIS: true) { back in
                try await back.connector.createTable(
                    TableSchema(
                        table: table.table, columns: table.columns,
                        primaryKey: table.primaryKey))
                let final = try await back.connector.describeTable(table.table)
                try await back.connector.apply(throughSQLite.map(RowChange.upsert), to: final, origin: nil)
                #expect(try await readAll(back.connector, final) == expected)
            }
        }
    }
}

extension PostgresFixture {
    func run(contentsOf statements: [String]) async throws {
        for statement in statements { try await run(statement) }
    }
}
