import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

@testable import BerqenasAutoAPI

/// Geometry as GeoJSON: PostGIS reads and writes it for real; SQL Server's WKT is converted (the converter
/// and the T-SQL it runs are checked here, as no SQL Server runs on this machine).
struct GeoJSONTests {
    @Test(.enabled(if: PostgresTestCluster.shouldRun))
    func postGISColumnsReadAndWriteGeoJSON() async throws {
        let setup = [
            "CREATE EXTENSION IF NOT EXISTS postgis",
            "CREATE TABLE places (id integer PRIMARY KEY, spot geometry(Point, 4326), area geography)",
        ]
        try await TestSource.postgresql.with(setup, compiling: ["places"]) { connector, compilers in
            let compiler = compilers["places"]!
            let body = try JSONValue.parse(
                Array(
                    #"""
                    [{"id": 1, "spot": {"type": "Point", "coordinates": [13.4, 52.52]},
                      "area": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}},
                     {"id": 2, "spot": "SRID=4326;POINT(2.35 48.86)", "area": null}]
                    """#.utf8)
            ).arrayItems
            let plan = try compiler.insert(body, options: InsertOptions(), returning: [.all])
            let rows = try await connector.write(plan.statements, returning: plan.columns.map(\.value))
            let written = String(decoding: JSONRows.render(rows, columns: plan.columns), as: UTF8.self)
            #expect(
                written
                    == #"[{"id":1,"spot":{"type":"Point","coordinates":[13.4,52.52]},"area":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},"#
                    + #"{"id":2,"spot":{"type":"Point","coordinates":[2.35,48.86]},"area":null}]"#, "\(written)")
            let update = try compiler.update(
                .object([("spot", try JSONValue.parse(Array(#"{"type":"Point","coordinates":[1,2]}"#.utf8)))]),
                filters: try RequestParser.read([(name: "id", value: "eq.2")]).filters,
                returning: [.column(name: "spot", alias: nil, cast: nil)])
            let moved = try await connector.write(update.statements, returning: update.columns.map(\.value))
            #expect(
                String(decoding: JSONRows.render(moved, columns: update.columns), as: UTF8.self)
                    == #"[{"spot":{"type":"Point","coordinates":[1,2]}}]"#)
        }
    }

    @Test func wktBecomesGeoJSON() {
        #expect(WKTGeoJSON.convert("POINT (13.4 52.52)") == #"{"type":"Point","coordinates":[13.4,52.52]}"#)
        #expect(WKTGeoJSON.convert("POINT (1 2 3 4)") == #"{"type":"Point","coordinates":[1,2,3]}"#, "Z kept, M dropped")
        #expect(WKTGeoJSON.convert("LINESTRING (0 0, 1 1, 2 0.5)") == #"{"type":"LineString","coordinates":[[0,0],[1,1],[2,0.5]]}"#)
        #expect(
            WKTGeoJSON.convert("POLYGON ((0 0, 4 0, 4 4, 0 0), (1 1, 2 1, 2 2, 1 1))")
                == #"{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,0]],[[1,1],[2,1],[2,2],[1,1]]]}"#)
        #expect(WKTGeoJSON.convert("MULTIPOINT ((1 2), (3 4))") == #"{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}"#)
        #expect(
            WKTGeoJSON.convert("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))")
                == #"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}"#)
        #expect(
            WKTGeoJSON.convert("GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1))")
                == #"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"LineString","coordinates":[[0,0],[1,1]]}]}"#
        )
        #expect(WKTGeoJSON.convert("POINT EMPTY") == #"{"type":"Point","coordinates":[]}"#)
        #expect(WKTGeoJSON.convert("POINT (1)") == nil && WKTGeoJSON.convert("CIRCLE (1 2)") == nil && WKTGeoJSON.convert("POINT (1 2") == nil)
    }

    /// WKT number forms JSON does not have come out as JSON numbers with the same value (they used to be
    /// copied through, making the document unparseable).
    @Test func wktNumbersBecomeJSONNumbers() throws {
        let converted = try #require(WKTGeoJSON.convert("POINT (+1 .5 -.25)"))
        #expect(converted == #"{"type":"Point","coordinates":[1,0.5,-0.25]}"#)
        let forms = ["+1", ".5", "-.5", "5.", "007", "-00.50", "1.e3", "1E+05", "2e-007", "-0", "0.0", "12.5e-3", "+.5E+2"]
        for form in forms {
            let number = WKTGeoJSON.jsonNumber(Substring(form))
            #expect(number.wholeMatch(of: /-?(0|[1-9][0-9]*)(\.[0-9]+)?(e-?(0|[1-9][0-9]*))?/) != nil, "\(form) -> \(number)")
            #expect(Double(number) == Double(form), "\(form) -> \(number)")
        }
        #expect(WKTGeoJSON.jsonNumber("13.400") == "13.400", "digits as written")
    }

    @Test(.blockingWork) func sqlServerGeometryIsReadAsWKTAndShownAsGeoJSON() throws {
        let table = TableSchema(
            table: TableRef(schema: "dbo", name: "places"), kind: .table,
            columns: [
                ColumnSchema(name: "id", nativeType: "int", canonicalType: .integer(bits: 32), nullable: false),
                ColumnSchema(name: "spot", nativeType: "geography", canonicalType: .geometry(geography: true)),
            ], primaryKey: ["id"])
        let query = try QueryCompiler(flavor: .tsql, table: table).select(ReadRequest(), maxRows: 10)
        #expect(query.sql.contains("[spot].STAsText()") && query.columns[1].presentation == .geoJSONFromWKT)
        let rendered = JSONRows.render([Row([.integer(1), .text("POINT (13.4 52.52)")])], columns: query.columns)
        #expect(String(decoding: rendered, as: UTF8.self) == #"[{"id":1,"spot":{"type":"Point","coordinates":[13.4,52.52]}}]"#)
        try TSQLCheck.expectParsed([["name": "geography", "sql": query.sql]])
    }
}
