import BerqenasPlatform
import Foundation
import Vapor

/// Alert channels, rules and deliveries: a tenant's under `/tenants/{name}/…` (its users read, its admins
/// change), and the platform's at the top (admins only; platform rules watch every tenant).
struct AlertController {
    func register(on routes: any RoutesBuilder) {
        register(on: routes.grouped("tenants", ":name"), tenantScoped: true)
        register(on: routes, tenantScoped: false)
    }

    private func register(on routes: any RoutesBuilder, tenantScoped: Bool) {
        let prefix = tenantScoped ? "alerts" : "platform-alerts"
        let whose = tenantScoped ? "a tenant's" : "the platform's (admins)"
        let channels = routes.grouped("alert-channels")
        channels.on(
            .POST,
            operation: Operation(
                id: "\(prefix).channels.create", summary: "Add \(whose) alert channel: email (SMTP), Slack or a signed webhook",
                tag: "alerts", requestBody: AlertChannelRequest.schema, successStatus: 201, responseBody: AlertChannelResponse.schema,
                failureStatuses: [404, 409]), use: createChannel)
        channels.on(
            .GET,
            operation: Operation(
                id: "\(prefix).channels.list", summary: "List \(whose) alert channels (secrets never shown)", tag: "alerts",
                responseBody: .array(items: AlertChannelResponse.schema), failureStatuses: [404]), use: listChannels)
        let channel = channels.grouped(":id")
        channel.on(
            .GET,
            operation: Operation(
                id: "\(prefix).channels.show", summary: "One alert channel", tag: "alerts", responseBody: AlertChannelResponse.schema,
                failureStatuses: [404]), use: showChannel)
        channel.on(
            .PATCH,
            operation: Operation(
                id: "\(prefix).channels.update", summary: "Change an alert channel: the settings given replace, an empty string removes",
                tag: "alerts", requestBody: AlertChannelRequest.patchSchema, responseBody: AlertChannelResponse.schema,
                failureStatuses: [404, 409]), use: updateChannel)
        channel.on(
            .DELETE,
            operation: Operation(
                id: "\(prefix).channels.delete", summary: "Remove an alert channel and its deliveries", tag: "alerts", successStatus: 204,
                failureStatuses: [404]), use: deleteChannel)
        channel.on(
            .POST, "test",
            operation: Operation(
                id: "\(prefix).channels.test", summary: "Send a test message now; the delivery shows the outcome", tag: "alerts",
                responseBody: AlertDeliveryResponse.schema, failureStatuses: [404]), use: testChannel)
        let rules = routes.grouped("alert-rules")
        rules.on(
            .POST,
            operation: Operation(
                id: "\(prefix).rules.create", summary: "Add \(whose) alert rule: a condition and the channels told when it starts and stops",
                tag: "alerts", requestBody: AlertRuleRequest.schema, successStatus: 201, responseBody: AlertRuleResponse.schema,
                failureStatuses: [404, 409]), use: createRule)
        rules.on(
            .GET,
            operation: Operation(
                id: "\(prefix).rules.list", summary: "List \(whose) alert rules and what each is firing for", tag: "alerts",
                responseBody: .array(items: AlertRuleResponse.schema), failureStatuses: [404]), use: listRules)
        let rule = rules.grouped(":id")
        rule.on(
            .GET,
            operation: Operation(
                id: "\(prefix).rules.show", summary: "One alert rule", tag: "alerts", responseBody: AlertRuleResponse.schema,
                failureStatuses: [404]), use: showRule)
        rule.on(
            .PATCH,
            operation: Operation(
                id: "\(prefix).rules.update", summary: "Change an alert rule (not its condition)", tag: "alerts",
                requestBody: AlertRuleRequest.patchSchema, responseBody: AlertRuleResponse.schema, failureStatuses: [404, 409]),
            use: updateRule)
        rule.on(
            .DELETE,
            operation: Operation(
                id: "\(prefix).rules.delete", summary: "Remove an alert rule", tag: "alerts", successStatus: 204, failureStatuses: [404]),
            use: deleteRule)
        routes.on(
            .GET, "alert-deliveries",
            operation: Operation(
                id: "\(prefix).deliveries.list", summary: "\(whose.prefix(1).uppercased() + whose.dropFirst()) alert deliveries, newest first",
                tag: "alerts", responseBody: .array(items: AlertDeliveryResponse.schema),
                query: [
                    .init(name: "limit", schema: .integer(required: false), description: "at most this many (default 100, at most 500)"),
                    .init(name: "rule_id", schema: .string(format: .uuid, required: false), description: "only this rule's"),
                ],
                failureStatuses: [404, 422]), use: listDeliveries)
    }

    /// The tenant named in the path (nil on the platform's routes, which need an admin); for changes, one
    /// the caller may change.
    private func scope(_ request: Request, changing: Bool) async throws -> (id: UUID?, name: String?) {
        guard request.parameters.get("name") != nil else {
            try request.requireCaller().requireAdmin()
            return (nil, nil)
        }
        let (tenant, _) = changing ? try await TenantScope.writable(request) : try await TenantScope.readable(request)
        return (try tenant.requireID(), tenant.name)
    }

    private func id(_ request: Request, _ what: String) throws -> UUID {
        let id = try TenantScope.id(request, "id", what: what)
        request.auditContext.target = "\(what.replacingOccurrences(of: " ", with: "-")):\(id.uuidString)"
        return id
    }

    @Sendable
    func createChannel(_ request: Request) async throws -> Response {
        let scope = try await scope(request, changing: true)
        let body = try request.content.decode(AlertChannelRequest.self)
        let channel = try await request.berqenas.platform.alerts.channels.create(body, tenantID: scope.id)
        request.auditContext.target = "alert-channel:\(try channel.requireID().uuidString)"
        return try await AlertChannelResponse(channel).encodeResponse(status: .created, for: request)
    }

    @Sendable
    func listChannels(_ request: Request) async throws -> [AlertChannelResponse] {
        let scope = try await scope(request, changing: false)
        return try await request.berqenas.platform.alerts.channels.list(tenantID: scope.id).map(AlertChannelResponse.init)
    }

    @Sendable
    func showChannel(_ request: Request) async throws -> AlertChannelResponse {
        let scope = try await scope(request, changing: false)
        return try AlertChannelResponse(
            try await request.berqenas.platform.alerts.channels.find(try id(request, "alert channel"), tenantID: scope.id))
    }

    @Sendable
    func updateChannel(_ request: Request) async throws -> AlertChannelResponse {
        let scope = try await scope(request, changing: true)
        let body = try request.content.decode(AlertChannelRequest.self)
        let channel = try await request.berqenas.platform.alerts.channels.update(try id(request, "alert channel"), with: body, tenantID: scope.id)
        return try AlertChannelResponse(channel)
    }

    @Sendable
    func deleteChannel(_ request: Request) async throws -> HTTPStatus {
        let scope = try await scope(request, changing: true)
        try await request.berqenas.platform.alerts.channels.delete(try id(request, "alert channel"), tenantID: scope.id)
        return .noContent
    }

    @Sendable
    func testChannel(_ request: Request) async throws -> AlertDeliveryResponse {
        let scope = try await scope(request, changing: true)
        let alerts = request.berqenas.platform.alerts
        let delivery = try await alerts.channels.test(
            try id(request, "alert channel"), tenantID: scope.id, tenantName: scope.name, publicURL: alerts.settings.publicURL)
        return try AlertDeliveryResponse(delivery)
    }

    @Sendable
    func createRule(_ request: Request) async throws -> Response {
        let scope = try await scope(request, changing: true)
        let body = try request.content.decode(AlertRuleRequest.self)
        let rule = try await request.berqenas.platform.alerts.rules.create(body, tenantID: scope.id)
        request.auditContext.target = "alert-rule:\(try rule.requireID().uuidString)"
        return try await AlertRuleResponse(rule, firing: []).encodeResponse(status: .created, for: request)
    }

    @Sendable
    func listRules(_ request: Request) async throws -> [AlertRuleResponse] {
        let scope = try await scope(request, changing: false)
        let alerts = request.berqenas.platform.alerts
        let rules = try await alerts.rules.list(tenantID: scope.id)
        let firing = try await alerts.rules.firing(rules)
        return try rules.map { try AlertRuleResponse($0, firing: firing[try $0.requireID()] ?? []) }
    }

    @Sendable
    func showRule(_ request: Request) async throws -> AlertRuleResponse {
        let scope = try await scope(request, changing: false)
        let rules = request.berqenas.platform.alerts.rules
        let rule = try await rules.find(try id(request, "alert rule"), tenantID: scope.id)
        return try AlertRuleResponse(rule, firing: try await rules.firing(rule))
    }

    @Sendable
    func updateRule(_ request: Request) async throws -> AlertRuleResponse {
        let scope = try await scope(request, changing: true)
        let body = try request.content.decode(AlertRuleRequest.self)
        let rules = request.berqenas.platform.alerts.rules
        let rule = try await rules.update(try id(request, "alert rule"), with: body, tenantID: scope.id)
        return try AlertRuleResponse(rule, firing: try await rules.firing(rule))
    }

    @Sendable
    func deleteRule(_ request: Request) async throws -> HTTPStatus {
        let scope = try await scope(request, changing: true)
        try await request.berqenas.platform.alerts.rules.delete(try id(request, "alert rule"), tenantID: scope.id)
        return .noContent
    }

    @Sendable
    func listDeliveries(_ request: Request) async throws -> [AlertDeliveryResponse] {
        let scope = try await scope(request, changing: false)
        let limit = try request.query.get(Int?.self, at: "limit") ?? 100
        var ruleID: UUID?
        if let text = try request.query.get(String?.self, at: "rule_id") {
            guard let parsed = UUID(uuidString: text) else { throw PlatformError.validation(field: "rule_id", "must be a rule's id") }
            ruleID = parsed
        }
        return try await request.berqenas.platform.alerts.deliveries(tenantID: scope.id, ruleID: ruleID, limit: limit)
            .map(AlertDeliveryResponse.init)
    }
}
