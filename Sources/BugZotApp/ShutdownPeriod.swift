import Logging
import ServiceLifecycle
import UnixSignals

/// Runs `services` until SIGTERM or SIGINT, then stops them from the last to the first. Work under
/// way (requests, jobs) then gets `gracePeriod` to finish; after it, it is cut off (cancelled:
/// connections closed, nothing half-stored kept, a job left to run again when its lease ends) and
/// this returns, so that a stalled client or a hung endpoint can never hold the process up.
public func runUntilShutdown(_ services: [any Service], gracePeriod: Duration, logger: Logger) async throws {
    var configuration = ServiceGroupConfiguration(
        services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    configuration.maximumGracefulShutdownDuration = gracePeriod
    // Cancellation that itself hangs ends the process rather than leaving it running. The database,
    // cancelled with the rest, stops last: it first lets the clean-ups of the work cut off finish,
    // for a couple of seconds at most, well within this.
    configuration.maximumCancellationDuration = .seconds(10)
    try await ServiceGroup(configuration: configuration).run()
}
