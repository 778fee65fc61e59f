import BerqenasPlatform
import Vapor

/// Every migration of the system database, in order.
enum SystemMigrations {
    static func add(to app: Application) {
        app.migrations.add(CreateFoundationSchema())
        app.migrations.add(CreateSyncSchema())
    }
}

/// Starts the sync worker with the server and stops it on shutdown.
struct SyncWorkerLifecycle: LifecycleHandler {
    let worker: SyncWorker

    func didBootAsync(_ application: Application) async throws {
        await worker.start()
    }

    func shutdownAsync(_ application: Application) async {
        await worker.stop()
    }
}
