import ArgumentParser
import BugZotApp
import BugZotRealtime
import Foundation

/// The HTTP server's protections against idle, slow and too many clients, and against searches too large to answer.
struct ServerOptions: ParsableArguments {
    @Option(help: "Seconds before an idle keep-alive connection is closed (env BUGZOT_IDLE_TIMEOUT; default 60).")
    var idleTimeout: Double?

    @Option(help: "Seconds a request's headers may take to arrive (env BUGZOT_HEADER_TIMEOUT; default 20).")
    var headerTimeout: Double?

    @Option(help: "Open connections served at once; more are answered 503 (env BUGZOT_MAX_CONNECTIONS; default 1000, lowered to fit the open-files limit).")
    var maxConnections: Int?

    @Option(help: "Most bugs one /rest search returns; a search matching more is refused with an error naming this limit, never cut short (env BUGZOT_MAX_SEARCH_RESULTS; default 10000).")
    var maxSearchResults: Int?

    @Option(help: "Largest WAMP message a /ws client may send, in bytes; a bigger one closes the connection with 1009 (env BUGZOT_WS_MAX_MESSAGE_BYTES; default 1048576).")
    var wsMaxMessageBytes: Int?

    func check() throws {
        var configuration = AppConfiguration()
        try apply(to: &configuration)
    }

    func apply(to configuration: inout AppConfiguration) throws {
        if let idle = try seconds(idleTimeout, "idle-timeout", "BUGZOT_IDLE_TIMEOUT") { configuration.idleTimeoutSeconds = idle }
        if let header = try seconds(headerTimeout, "header-timeout", "BUGZOT_HEADER_TIMEOUT") { configuration.headerTimeoutSeconds = header }
        if let count = try value(maxConnections, "max-connections", "BUGZOT_MAX_CONNECTIONS", 1...1_000_000) { configuration.maxConnections = count }
        if let count = try value(maxSearchResults, "max-search-results", "BUGZOT_MAX_SEARCH_RESULTS", 1...10_000_000) {
            configuration.maxSearchResults = count
        }
        if let bytes = try value(wsMaxMessageBytes, "ws-max-message-bytes", "BUGZOT_WS_MAX_MESSAGE_BYTES", 1024...(64 << 20)) {
            configuration.realtime.maxMessageBytes = bytes
        }
    }
}

/// How long work under way (requests, jobs) gets to finish after SIGTERM: shared by `serve` and `worker`.
struct ShutdownOptions: ParsableArguments {
    @Option(help: "Seconds work under way (requests, jobs) gets to finish after SIGTERM before it is cut off (env BUGZOT_SHUTDOWN_TIMEOUT; default 15).")
    var shutdownTimeout: Double?

    func check() throws {
        var configuration = AppConfiguration()
        try apply(to: &configuration)
    }

    func apply(to configuration: inout AppConfiguration) throws {
        if let shutdown = try seconds(shutdownTimeout, "shutdown-timeout", "BUGZOT_SHUTDOWN_TIMEOUT") { configuration.shutdownTimeoutSeconds = shutdown }
    }
}

/// The flag's value, else the environment variable's; a bad value of either is an error that
/// names both and says what is `allowed` (by default, the range).
private func value<T: LosslessStringConvertible & Comparable>(
    _ flag: T?, _ name: String, _ variable: String, _ range: ClosedRange<T>, allowed: String? = nil
) throws -> T? {
    guard let text = flag.map({ String($0) }) ?? ProcessInfo.processInfo.environment[variable] else { return nil }
    guard let value = T(text), range.contains(value) else {
        throw ValidationError("--\(name) (or \(variable)) must be \(allowed ?? "between \(range.lowerBound) and \(range.upperBound)").")
    }
    return value
}

/// A number of seconds from a flag or the environment, from 0.1 to a day.
private func seconds(_ flag: Double?, _ name: String, _ variable: String) throws -> Double? {
    try value(flag, name, variable, 0.1...86400, allowed: "a number of seconds between 0.1 and 86400")
}
