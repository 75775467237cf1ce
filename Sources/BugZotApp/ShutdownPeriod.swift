import Logging
import ServiceLifecycle
import UnixSignals

/// Runs `service` until SIGTERM or SIGINT. Requests under way then get `gracePeriod` to finish;
/// after it they are cut off (cancelled, their connections closed, nothing half-stored kept) and
/// this returns, so that a stalled client can never hold the process up.
public func runUntilShutdown(_ service: some Service, gracePeriod: Duration, logger: Logger) async throws {
    var configuration = ServiceGroupConfiguration(
        services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    configuration.maximumGracefulShutdownDuration = gracePeriod
    // Cancellation that itself hangs ends the process rather than leaving it running.
    configuration.maximumCancellationDuration = .seconds(10)
    try await ServiceGroup(configuration: configuration).run()
}
