import BerqenasPlatform
import BerqenasTestSupport
import Foundation
import Testing
import Vapor

@testable import BerqenasServer

/// `/metrics` is answered only to the bearer of `BERQENAS_METRICS_TOKEN`: not to anyone, and not to a signed-in
/// user's token, not even an admin's (what the hub counts is the operator's monitoring's, not the API's).
struct MetricsAccessTests {
    @Test func onlyTheMetricsTokenReadsTheMetrics() async throws {
        let secret = "metrics-" + UUID().uuidString
        try await TestHub.run(adjust: { $0.operations.metricsToken = secret }) { hub in
            let admin = try await hub.token()
            for token in [nil, admin, secret + "x", String(secret.dropLast())] {
                let refused = try await hub.send(.GET, "/metrics", token: token)
                #expect(refused.status == .unauthorized && refused.errorCode == "unauthorized", "\(token ?? "no token")")
                #expect(!refused.body.string.contains("berqenas_"))
            }
            let answer = try await hub.send(.GET, "/metrics", token: secret)
            #expect(answer.status == .ok)
            #expect(answer.body.string.contains("# TYPE berqenas_realtime_clients gauge"), "\(answer.body.string.prefix(500))")
        }
    }
}
