import Logging
import Synchronization

/// Keeps what is logged through its `logger`, for specs about what gets logged and how often.
final class LogRecorder: Sendable {
    struct Entry: Sendable {
        let level: Logger.Level
        let message: String
    }

    private let entries = Mutex<[Entry]>([])

    /// A logger whose messages (at `level` and above) this records.
    func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "bugzot-test") { _ in Handler(recorder: self) }
        logger.logLevel = level
        return logger
    }

    /// The messages logged at `level` that contain `text`.
    func messages(_ level: Logger.Level, containing text: String) -> [String] {
        entries.withLock { $0.filter { $0.level == level && $0.message.contains(text) }.map(\.message) }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            recorder.entries.withLock { $0.append(Entry(level: event.level, message: event.message.description)) }
        }
    }
}
