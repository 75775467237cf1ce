import BugZotDomain
import BugZotStorage

/// Any failure of a call as every API reports it, mapped once: Bugzilla's code and message, the
/// HTTP status REST answers with, and the error URI a WAMP ERROR carries.
public enum WireError {
    /// `error` as the APIs report it. An error no rule expects is an internal error whose message
    /// says it has been logged: the caller logs it (`isUnexpected`).
    public static func describe(_ error: any Error) -> (code: Int, message: String, httpStatus: Int, wampURI: String) {
        let fault = fault(for: error)
        return (fault.code, fault.message, fault.httpStatus, wampURI(for: error, fault: fault))
    }

    /// `error` as Bugzilla's code and message.
    public static func fault(for error: any Error) -> BugzillaError {
        switch error {
        case let error as BugzillaError: error
        case let error as DomainError: BugzillaError(error)
        case let outage as StorageUnavailable: .unavailable(outage)
        case is CancellationError:
            // The shutdown period ran out while this call was under way.
            BugzillaError(
                code: BugzillaError.unavailableCode, message: "The server is restarting and cut this request off. This is temporary: please try again.")
        default: BugzillaError(code: BugzillaError.internalCode, message: "An internal error occurred. It has been logged.")
        }
    }

    /// Whether `error` is none of the refusals and outages the APIs expect: a fault to log.
    public static func isUnexpected(_ error: any Error) -> Bool {
        !(error is BugzillaError || error is DomainError || error is StorageUnavailable || error is CancellationError)
    }

    /// The WAMP error URI: `bugzot.error.invalid_bug` for a bug that doesn't exist (or may not be
    /// seen), `wamp.error.invalid_argument` for a bad parameter, `wamp.error.not_authorized` for
    /// what REST answers 401 (login required, access denied), else `bugzot.error.<refusal>` (the
    /// domain refusal's name in snake case: `bugzot.error.dependency_loop`).
    private static func wampURI(for error: any Error, fault: BugzillaError) -> String {
        switch error {
        case DomainError.bugNotFound, DomainError.invalidBugID: return "bugzot.error.invalid_bug"
        case DomainError.missingParameter, DomainError.notNumeric, DomainError.invalidParameter, DomainError.illegalDate:
            return "wamp.error.invalid_argument"
        case let error as DomainError:
            return fault.httpStatus == 401 ? "wamp.error.not_authorized" : "bugzot.error." + snakeCase(caseName(of: error))
        default:
            switch fault.code {
            case BugzillaError.unavailableCode: return "bugzot.error.unavailable"
            case BugzillaError.internalCode: return "bugzot.error.internal"
            default: return fault.httpStatus == 401 ? "wamp.error.not_authorized" : "wamp.error.invalid_argument"
            }
        }
    }

    /// The refusal's case name (`dependencyLoop`), with or without its values.
    private static func caseName(of error: DomainError) -> String {
        Mirror(reflecting: error).children.first?.label ?? String(describing: error)
    }

    /// `dependencyLoop` → `dependency_loop`, `invalidAPIKey` → `invalid_api_key`.
    private static func snakeCase(_ name: String) -> String {
        let characters = Array(name)
        var result = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let afterLower = characters[index - 1].isLowercase
                let endsAcronym = characters[index - 1].isUppercase && index + 1 < characters.count && characters[index + 1].isLowercase
                if afterLower || endsAcronym { result.append("_") }
            }
            result += character.lowercased()
        }
        return result
    }
}
