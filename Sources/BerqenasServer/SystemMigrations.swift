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

/// Starts the sync worker, continuous sync and the VPN reconciler with the server and stops them on shutdown,
/// closing the generated APIs' source connections too.
struct SyncWorkerLifecycle: LifecycleHandler {
    let worker: SyncWorker
    let continuous: ContinuousSync
    let schedules: ScheduleService
    let vpn: VPNReconciler
    let apis: APIRegistry

    func didBootAsync(_ application: Application) async throws {
        await worker.start(schedules: schedules)
        await continuous.start()
        await vpn.start()
    }

    func shutdownAsync(_ application: Application) async {
        await vpn.stop()
        await continuous.stop()
        await worker.stop()
        await apis.closeAll()
        // The pools hand a connection back a moment after its query's result arrives; a query the loops
        // finished just now must be back in its pool before the pools close (PostgresNIO asserts that
        // every connection is closed by its pool), so the database shutdown that follows waits this long.
        try? await Task.sleep(for: .milliseconds(300))
    }
}
