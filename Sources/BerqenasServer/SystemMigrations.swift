import BerqenasPlatform
import Vapor

/// Every migration of the system database, in order.
enum SystemMigrations {
    static func add(to app: Application) {
        app.migrations.add(CreateFoundationSchema())
        app.migrations.add(CreateSyncSchema())
        app.migrations.add(CreateVPNSchema())
        app.migrations.add(CreatePublicationSchema())
        app.migrations.add(CreateEventSchema())
        app.migrations.add(CreateAPIDefinitionSchema())
        app.migrations.add(AddAPIUnfilteredWrites())
        app.migrations.add(CreateAPIKeySchema())
        app.migrations.add(AddSyncJobRepair())
        app.migrations.add(AddRemoteWatermark())
    }
}
