import BerqenasTestSupport
import Foundation
import Testing

/// Numbers and nesting a caller chooses cannot crash or stall the hub: paging numbers are bounded where they
/// are parsed (management API and generated APIs alike), logic trees are bounded in depth and size.
struct RequestNumberAttackTests {
    static let huge = ["9223372036854775807", "9223372036854775808", "99999999999999999999999", "-1", "1e3", " 5", "+5"]

    @Test func hugePagingNumbersOnTheManagementAPIAre422sNotACrash() async throws {
        try await TestHub.run { hub in
            let token = try await hub.token()
            for value in Self.huge {
                for name in ["offset", "limit"] {
                    let path = "/api/v1/tenants?\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
                    let response = try await hub.send(.GET, path, token: token)
                    #expect(response.status == .unprocessableEntity, "\(name)=\(value): \(response.status)")
                    #expect(response.errorMessage?.contains(name) == true, "\(response.body.string)")
                }
            }
            let largest = try await hub.send(.GET, "/api/v1/tenants?offset=1000000000000&limit=500", token: token)
            #expect(largest.status == .ok, "the largest offset allowed is served: \(largest.body.string)")
        }
    }

    @Test func hugeRangesAndOffsetsOnAPublicAPIAreRefusedAnonymously() async throws {
        try await AttackSource.run { source in
            let hub = source.hub
            for range in ["0-9223372036854775807", "9223372036854775807-9223372036854775807", "1-99999999999999999999", "-5"] {
                let response = try await hub.send(.GET, "\(source.base)/items", headers: ["Range": range])
                #expect(response.status.code == 416, "Range: \(range): \(response.status)")
            }
            for name in ["offset", "limit"] {
                for value in Self.huge {
                    let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                    let response = try await hub.send(.GET, "\(source.base)/items?\(name)=\(encoded)")
                    #expect(response.status == .badRequest, "\(name)=\(value): \(response.status)")
                }
            }
            // A Range offset on top of the largest query offset stays inside Int and answers.
            let combined = try await hub.send(.GET, "\(source.base)/items?offset=1000000000000", headers: ["Range": "1000000000000-1000000000000"])
            #expect(combined.status == .ok && combined.body.string == "[]", "\(combined.status) \(combined.body.string)")
            let window = try await hub.send(.GET, "\(source.base)/items?order=id", headers: ["Range": "1-1000000000000"])
            #expect(window.body.string == #"[{"id":2,"name":"book"}]"#)
        }
    }

    @Test func deepLogicTreesAreRefusedAtOnce() async throws {
        try await AttackSource.run { source in
            let hub = source.hub
            for depth in [9, 100, 5_000] {
                let tree = String(repeating: "or(", count: depth - 1) + "id.eq.1" + String(repeating: ")", count: depth - 1)
                let response = try await hub.send(.GET, "\(source.base)/items?or=(\(tree))")
                #expect(
                    response.status == .badRequest && response.body.string.contains("nest at most"),
                    "depth \(depth): \(response.body.string.prefix(200))")
            }
            // Also inside embedded filters and negated groups.
            let deep = String(repeating: "and(", count: 20) + "id.eq.1" + String(repeating: ")", count: 20)
            #expect(try await hub.send(.GET, "\(source.base)/items?not.and=(\(deep))").status == .badRequest)
            // Eight levels are served.
            let allowed = String(repeating: "or(", count: 7) + "id.eq.2" + String(repeating: ")", count: 7)
            let served = try await hub.send(.GET, "\(source.base)/items?or=(\(allowed))")
            #expect(served.status == .ok && served.body.string == #"[{"id":2,"name":"book"}]"#, "\(served.body.string)")
        }
    }

    @Test func requestsWithTooManyConditionsAreRefused() async throws {
        try await AttackSource.run { source in
            let wide = (0..<501).map { "id.eq.\($0)" }.joined(separator: ",")
            let response = try await source.hub.send(.GET, "\(source.base)/items?or=(\(wide))")
            #expect(response.status == .badRequest && response.body.string.contains("at most 500"), "\(response.body.string.prefix(200))")
            let fine = (0..<400).map { "id.eq.\($0)" }.joined(separator: ",")
            #expect(try await source.hub.send(.GET, "\(source.base)/items?or=(\(fine))").status == .ok)
        }
    }
}
