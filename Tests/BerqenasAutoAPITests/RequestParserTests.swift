import Testing

@testable import BerqenasAutoAPI

/// PostgREST's URL grammar, read into requests: what each form means, and clear refusals.
struct RequestParserTests {
    func read(_ items: [(String, String)]) throws -> ReadRequest {
        try RequestParser.read(items.map { (name: $0.0, value: $0.1) })
    }

    @Test func selectWithRenamesCastsAndStar() throws {
        let request = try read([("select", "id,title:name,price::text,cost:price::numeric,*")])
        #expect(
            request.select == [
                .column(name: "id", alias: nil, cast: nil), .column(name: "name", alias: "title", cast: nil),
                .column(name: "price", alias: nil, cast: .text), .column(name: "price", alias: "cost", cast: .numeric), .all,
            ])
        #expect(try read([]).select == [.all], "no select: every column")
    }

    @Test func columnFiltersWithEveryOperator() throws {
        let request = try read([
            ("age", "gte.18"), ("name", "not.eq.Ann"), ("city", "in.(Oslo,\"New York, NY\",\"a\\\"b\")"), ("nick", "like.*ann*"),
            ("mail", "ilike.*@EXAMPLE.com"), ("code", "match.^A[0-9]+$"), ("gone", "is.null"), ("ok", "is.true"),
            ("note", "isdistinct.x"), ("tag", "in.()"), ("raw", "eq.a,b"),
        ])
        #expect(
            request.filters == [
                .condition(Condition(column: "age", operation: .compare(.gte, "18"))),
                .condition(Condition(column: "name", negated: true, operation: .compare(.eq, "Ann"))),
                .condition(Condition(column: "city", operation: .isIn(["Oslo", "New York, NY", "a\"b"]))),
                .condition(Condition(column: "nick", operation: .like("%ann%", caseInsensitive: false))),
                .condition(Condition(column: "mail", operation: .like("%@EXAMPLE.com", caseInsensitive: true))),
                .condition(Condition(column: "code", operation: .match("^A[0-9]+$", caseInsensitive: false))),
                .condition(Condition(column: "gone", operation: .isValue(.null))),
                .condition(Condition(column: "ok", operation: .isValue(.true))),
                .condition(Condition(column: "note", operation: .isDistinct("x"))),
                .condition(Condition(column: "tag", operation: .isIn([]))),
                .condition(Condition(column: "raw", operation: .compare(.eq, "a,b"))),
            ])
    }

    @Test func nestedLogicTreesWithQuotedValues() throws {
        let request = try read([
            ("or", "(age.lt.18,and(age.gt.65,retired.is.true),not.or(name.eq.\"a,b\",name.like.x*))"),
            ("not.and", "(a.eq.1,b.not.eq.2)"),
        ])
        #expect(
            request.filters == [
                .group(
                    conjunction: .or, negated: false,
                    members: [
                        .condition(Condition(column: "age", operation: .compare(.lt, "18"))),
                        .group(
                            conjunction: .and, negated: false,
                            members: [
                                .condition(Condition(column: "age", operation: .compare(.gt, "65"))),
                                .condition(Condition(column: "retired", operation: .isValue(.true))),
                            ]),
                        .group(
                            conjunction: .or, negated: true,
                            members: [
                                .condition(Condition(column: "name", operation: .compare(.eq, "a,b"))),
                                .condition(Condition(column: "name", operation: .like("x%", caseInsensitive: false))),
                            ]),
                    ]),
                .group(
                    conjunction: .and, negated: true,
                    members: [
                        .condition(Condition(column: "a", operation: .compare(.eq, "1"))),
                        .condition(Condition(column: "b", negated: true, operation: .compare(.eq, "2"))),
                    ]),
            ])
    }

    @Test func orderLimitAndOffset() throws {
        let request = try read([("order", "price.desc.nullslast,name,id.asc.nullsfirst"), ("limit", "10"), ("offset", "20")])
        #expect(
            request.order == [
                OrderTerm(column: "price", descending: true, nullsFirst: false), OrderTerm(column: "name"),
                OrderTerm(column: "id", descending: false, nullsFirst: true),
            ])
        #expect(request.limit == 10 && request.offset == 20)
    }

    @Test(arguments: [
        ("age", "gte"), ("age", "between.1"), ("city", "in.Oslo"), ("city", "in.(a,\"b)"), ("ok", "is.maybe"),
        ("or", "age.lt.18"), ("or", "()"), ("and", "(age)"), ("order", "price.sideways"), ("limit", "-1"), ("offset", "x"),
        ("select", "id,"), ("select", "price::money or true"), ("select", ":id"), ("or", "(a.eq.1))"),
    ])
    func malformedRequestsAre400WithPostgRESTsCode(_ name: String, _ value: String) {
        do {
            _ = try read([(name, value)])
            Issue.record("\(name)=\(value) was accepted")
        } catch let error as AutoAPIError {
            #expect(error.status == 400 && error.code == "PGRST100", "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// An attacker's largest inputs of today's grammar: a JSON path as deep as a URL allows, and a modifier's
    /// list as long: both refused before any SQL is made (each list value counts toward the 500 conditions).
    @Test func deepPathsAndLongModifierListsAreRefused() throws {
        let deep = "data" + String(repeating: "->a", count: JSONPath.maxSteps + 1)
        for item in [("select", deep), (deep, "eq.1"), ("order", deep)] {
            #expect(throws: AutoAPIError.self, "\(item.0)") { try read([item]) }
        }
        #expect(try read([("select", "data" + String(repeating: "->a", count: JSONPath.maxSteps))]).select.count == 1)
        let values = (1...RequestParser.maxConditions + 1).map(String.init).joined(separator: ",")
        #expect(throws: AutoAPIError.self) { try read([("id", "eq(any).{\(values)}")]) }
        #expect(try read([("id", "eq(any).{\(values.split(separator: ",").dropLast().joined(separator: ","))}")]).filters.count == 1)
    }

    @Test func notYetServedFeaturesSaySo() throws {
        for (name, value) in [
            ("select", "a(b(c(d(e(f)))))"), ("body", "fts(a b).cat"),
            // Modifiers follow eq, gt, gte, lt, lte, like, ilike, match, imatch, on a list in braces.
            ("tags", "neq(any).{a}"), ("tags", "in(any).{a}"), ("tags", "eq(any).a"), ("tags", "eq(some).{a}"), ("tags", "is(all).{}"),
        ] {
            #expect(throws: AutoAPIError.self) { try read([(name, value)]) }
        }
    }

    @Test func embedsParseWithAliasesAndNesting() throws {
        let request = try read([("select", #"id,buyer:customers(name),orders(id,"line items"(*)),notes()"#)])
        #expect(
            request.select == [
                .column(name: "id", alias: nil, cast: nil),
                .embed(Embed(target: "customers", alias: "buyer", select: [.column(name: "name", alias: nil, cast: nil)])),
                .embed(
                    Embed(
                        target: "orders",
                        select: [.column(name: "id", alias: nil, cast: nil), .embed(Embed(target: "line items", select: [.all]))])),
                .embed(Embed(target: "notes", select: [])),
            ],
            "an empty embed selects nothing (it only filters)")
    }

    @Test func embedsTakeHintsJoinsAndSpreads() throws {
        let select = try read([("select", "a:addresses!billing!inner(id),addresses!left(*),...customers!fk_c(name),x!inner()")]).select
        #expect(
            select == [
                .embed(Embed(target: "addresses", alias: "a", hint: "billing", inner: true, select: [.column(name: "id", alias: nil, cast: nil)])),
                .embed(Embed(target: "addresses")),
                .embed(Embed(target: "customers", hint: "fk_c", spread: true, select: [.column(name: "name", alias: nil, cast: nil)])),
                .embed(Embed(target: "x", inner: true, select: [])),
            ])
        let limits = try read([("select", "*,orders(*)"), ("orders.limit", "2"), ("orders.offset", "1")])
        #expect(limits.embedded["orders"]?.limit == 2 && limits.embedded["orders"]?.offset == 1)
        // One name, one embed (its filters and its key in the answer are found by it); an alias tells two apart.
        for twice in ["*,orders(*),orders(id)", "*,a:orders(*),a:lines(*)", "*,orders(lines(*),lines(id))"] {
            let error = #expect(throws: AutoAPIError.self, "\(twice)") { try read([("select", twice)]) }
            #expect(error?.details?.contains("two embeds are named") == true, "\(twice)")
        }
        #expect(try read([("select", "*,orders(*),late:orders(id)")]).select.count == 3)
        for bad in ["*,a!b!c(*)", "*,a!(*)", "*,!b(*)", "*,...al:t(*)", "*,a!inner!b(*)", "*,:t(*)"] {
            #expect(throws: AutoAPIError.self, "\(bad)") { try read([("select", bad)]) }
        }
        #expect(throws: AutoAPIError.self) { try read([("select", "*,orders(*)"), ("orders.limit", "-1")]) }
    }

    @Test func embeddedTablesTakeFiltersAndOrderByTheirPath() throws {
        let request = try read([
            ("select", "id,buyer:customers(name),orders(id,order_lines(*))"), ("orders.total", "gt.5"),
            ("orders.order", "total.desc"), ("orders.order_lines.not.or", "(qty.eq.1,qty.eq.2)"), ("buyer.name", "like.A*"),
            ("id", "eq.1"), ("\"odd.name\"", "eq.x"),
        ])
        #expect(
            request.filters == [
                .condition(Condition(column: "id", operation: .compare(.eq, "1"))),
                .condition(Condition(column: "odd.name", operation: .compare(.eq, "x"))),
            ],
            "a quoted name with a dot is a column")
        #expect(
            request.embedded["orders"]
                == EmbeddedOptions(
                    filters: [.condition(Condition(column: "total", operation: .compare(.gt, "5")))],
                    order: [OrderTerm(column: "total", descending: true)]))
        #expect(
            request.embedded["orders.order_lines"]?.filters == [
                .group(
                    conjunction: .or, negated: true,
                    members: [
                        .condition(Condition(column: "qty", operation: .compare(.eq, "1"))),
                        .condition(Condition(column: "qty", operation: .compare(.eq, "2"))),
                    ])
            ])
        #expect(
            request.embedded["buyer"]?.filters == [.condition(Condition(column: "name", operation: .like("A%", caseInsensitive: false)))],
            "an aliased embed is named by its alias")
        for items in [
            [("orders.total", "gt.5")], [("select", "*,orders(*)"), ("customers.name", "eq.x")],
            [("select", "*,orders(*)"), ("order_lines.qty", "eq.1")],
        ] {
            do {
                _ = try read(items)
                Issue.record("\(items): PGRST108 expected")
            } catch let error as AutoAPIError {
                #expect(error.code == "PGRST108", "\(items)")
            }
        }
    }
}
