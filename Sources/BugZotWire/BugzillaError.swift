import BugZotDomain
import BugZotStorage

/// An error as Bugzilla's APIs report it: a numeric code and a message.
public struct BugzillaError: Error, Sendable, Equatable {
    /// Bugzilla's code (`code(for:)` for the domain's refusals).
    public let code: Int
    /// The text shown to the caller.
    public let message: String

    /// The error of this code and message.
    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    /// No such REST resource (REST's own: the other APIs name procedures instead).
    public static func resourceNotFound(_ method: String, _ path: String) -> BugzillaError {
        BugzillaError(code: 32614, message: "A REST API resource was not found for '\(method) \(path)'.")
    }

    /// A request the caller got wrong in a way no domain rule names (a body that is not a JSON object).
    public static let badRequestCode = 32000

    /// Bugzilla's code for an internal error.
    public static let internalCode = -32000

    /// BugZot's code for "temporarily unavailable, try again" (JSON-RPC's server-error range, next
    /// to Bugzilla's -32000 for internal errors).
    public static let unavailableCode = -32001

    /// An outage of the database or the disk: HTTP 503 (REST adds Retry-After).
    public static func unavailable(_ outage: StorageUnavailable) -> BugzillaError {
        BugzillaError(code: unavailableCode, message: outage.message)
    }

    /// The HTTP status of Bugzilla's REST_STATUS_CODE_MAP. Clients read error bodies only on 400,
    /// 401 and 404; an outage is 503, so that clients and proxies know to try again.
    public var httpStatus: Int {
        switch code {
        case Self.unavailableCode: 503
        case 51, 101, 32614: 404
        case 102, 106, 109, 110, 113, 115, 120, 300...304, 410, 504, 505: 401
        default: 400
        }
    }

    /// REST's error body: `{"error": true, "code": N, "message": "…", "documentation": "…"}`.
    public var body: JSONValue {
        [
            "error": true, "code": .int(code), "message": .string(message),
            "documentation": "https://bugzilla.readthedocs.org/en/5.0/api/",
        ]
    }

    /// A domain refusal with its Bugzilla code.
    public init(_ error: DomainError) {
        self.init(code: Self.code(for: error), message: error.message)
    }

    /// Each domain refusal's Bugzilla code.
    public static func code(for error: DomainError) -> Int {
        switch error {
        case .missingParameter: 50
        case .objectNotFound: 51
        case .notNumeric: 52
        case .invalidParameter: 53
        case .illegalDate: 56
        case .requestTooLarge: 32000
        case .invalidBugID: 100
        case .bugNotFound: 101
        case .aliasInUse, .invalidAlias: 103
        case .invalidSeeAlso: 112
        case .invalidFieldValue: 104
        case .invalidComponent: 105
        case .productNotEnterable: 106
        case .summaryRequired: 107
        case .commentPrivate: 110
        case .commentNotFound: 111
        case .notInsider: 113
        case .commentTooLong: 114
        case .illegalChange: 115
        case .dependencyLoop: 116
        case .commentRequired: 32000
        case .duplicateLoop, .duplicateOfItself: 118
        case .duplicateIDRequired: 119
        case .groupNotAllowed: 120
        case .resolutionRequired: 121
        case .resolutionNotAllowed: 122
        case .illegalStatusTransition: 123
        case .attachmentTooLarge: 600
        case .invalidContentType: 601
        case .attachmentFileNameRequired: 602
        case .attachmentSummaryRequired: 603
        case .invalidAttachmentData: 604
        case .attachmentEmpty: 606
        case .attachmentNotFound: 101
        case .invalidLogin, .loginThrottled, .addressThrottled: 300
        case .accountDisabled: 301
        case .notInGroup: 304
        case .invalidAPIKey: 306
        case .invalidToken: 32000
        case .loginRequired: 410
        case .accountExists: 500
        case .illegalEmail: 501
        case .passwordTooShort, .weakPassword: 502
        case .activationInvalid, .resetInvalid: 32000
        case .anonymousUserLookup: 505
        case .productNameRequired: 700
        case .productExists: 702
        case .productDescriptionRequired: 703
        case .productVersionRequired: 704
        case .groupNameRequired: 800
        case .groupExists: 801
        case .groupDescriptionRequired: 802
        case .groupAccessDenied: 805
        case .componentExists: 1200
        case .componentNameRequired: 1210
        case .componentDescriptionRequired: 1211
        case .componentAssigneeRequired: 1213
        case .valueExists: 702
        case .valueNameRequired: 700
        }
    }
}
