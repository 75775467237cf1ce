import Foundation
import PostgresNIO

/// The data can't be reached or written just now, for a reason that passes: the database is down
/// or restarting, it did not answer in time, or the disk is full. Every edge maps it once to its
/// own "try again later" answer (HTTP 503 with Retry-After); `detail` is for the log only.
public struct StorageUnavailable: Error, Sendable, CustomStringConvertible {
    /// What happened.
    public enum Cause: Sendable, Equatable {
        /// The database refused or dropped the connection (stopped, restarting, unreachable).
        case databaseUnreachable
        /// The database did not answer within the deadline.
        case databaseTimedOut
        /// No space was left to store the data (attachment files or the database).
        case diskFull
    }

    /// What happened.
    public let cause: Cause
    /// The underlying error, for the log.
    public let detail: String

    /// An outage of `cause`; `detail` says more, in the log only.
    public init(_ cause: Cause, detail: String) {
        self.cause = cause
        self.detail = detail
    }

    /// The sentence people and clients see: what happened, and that it passes.
    public var message: String {
        switch cause {
        case .databaseUnreachable:
            "The database is not reachable at the moment (it may be restarting). This is temporary: please try again in a few seconds."
        case .databaseTimedOut:
            "The database did not answer in time. This is temporary: please try again in a few seconds."
        case .diskFull:
            "The server has no disk space left, so nothing was stored. This is temporary: please try again later."
        }
    }

    /// How long clients should wait before trying again (the Retry-After header).
    public var retryAfterSeconds: Int {
        cause == .diskFull ? 60 : 5
    }

    /// The message with the detail, for logs.
    public var description: String { "\(message) (\(detail))" }

    /// `error` as an outage, or nil when it is anything else (a refusal, a bug).
    public init?(classifying error: any Error) {
        switch error {
        case let error as StorageUnavailable:
            self = error
        case let error as PostgresTransactionError:
            // BEGIN, the body, COMMIT or ROLLBACK: whichever failed for an outage says so.
            let parts: [(any Error)?] = [error.beginError, error.closureError, error.commitError, error.rollbackError]
            guard let outage = parts.lazy.compactMap({ $0.flatMap(StorageUnavailable.init(classifying:)) }).first else { return nil }
            self = outage
        case let error as PSQLError:
            guard let cause = Self.cause(of: error) else { return nil }
            self.init(cause, detail: String(reflecting: error))
        case let error as SQLiteFailure:
            guard let cause = error.outage else { return nil }
            self.init(cause, detail: error.message)
        case let error as CocoaError where error.code == .fileWriteOutOfSpace:
            self.init(.diskFull, detail: String(describing: error))
        case let error as NSError where error.domain == NSPOSIXErrorDomain && [Int(ENOSPC), Int(EDQUOT)].contains(error.code):
            self.init(.diskFull, detail: String(describing: error))
        default:
            return nil
        }
    }

    private static func cause(of error: PSQLError) -> Cause? {
        switch error.code {
        case .clientClosedConnection, .serverClosedConnection, .connectionError, .uncleanShutdown, .poolClosed:
            return .databaseUnreachable
        case .queryCancelled:
            return .databaseTimedOut
        case .server:
            // SQLSTATE classes: 08 connection exception, 57P0x shutdown or starting up,
            // 53 insufficient resources (53100 disk full), 57014 statement timeout.
            let state = error.serverInfo?[.sqlState] ?? ""
            if state == "53100" { return .diskFull }
            if state == "57014" { return .databaseTimedOut }
            if state.hasPrefix("08") || state.hasPrefix("57P") || state.hasPrefix("53") { return .databaseUnreachable }
            return nil
        default:
            return nil
        }
    }
}
