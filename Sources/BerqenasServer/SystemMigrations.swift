import BerqenasPlatform
import Fluent
import Vapor

/// Every migration of the system database, in order.
enum SystemMigrations {
    static let all: [any Migration] = [
        CreateFoundationSchema(), CreateSyncSchema(), CreateVPNSchema(), CreatePublicationSchema(), CreateEventSchema(),
        CreateAPIDefinitionSchema(), AddAPIUnfilteredWrites(), CreateAPIKeySchema(), AddSyncJobRepair(), AddRemoteWatermark(),
        CreateEventLog(), CreateDashboardSchema(), CreateAlertSchema(), AddPlatformCountIndexes(), NumberEventsOnceOnSQLite(),
        CreateGatewaySchema(), AddAPIAggregates(), AddAPIFunctions(),
    ]

    static func add(to app: Application) {
        app.migrations.add(all)
    }
}
