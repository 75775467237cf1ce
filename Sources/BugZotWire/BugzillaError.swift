import BugZotDomain
import BugZotStorage
import BugZotWire
import HTTPTypes

/// An error as Bugzilla's REST API reports it: a numeric code and a message.
struct BugzillaError: Error, Sendable {
    let code: Int
    let message: String

    init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    static func resourceNotFound(_ method: String, _ path: String) -> BugzillaError {
        BugzillaError(code: 32614, message: "A REST API resource was not found for '\(method) \(path)'.")
    }

    /// BugZot's code for "temporarily unavailable, try again" (JSON-RPC's server-error range, next
    /// to Bugzilla's -32000 for internal errors).
    static let unavailableCode = -32001

    /// An outage of the database or the disk: HTTP 503 (the middleware adds Retry-After).
    static func unavailable(_ outage: StorageUnavailable) -> BugzillaError {
        BugzillaError(code: unavailableCode, message: outage.message)
    }

    /// Bugzilla's REST_STATUS_CODE_MAP. Clients read error bodies only on 400, 401 and 404; an
    /// outage is 503, so that clients and proxies know to try again.
    var status: HTTPResponse.Status {
        switch code {
        case Self.unavailableCode: .serviceUnavailable
        case 51, 101, 32614: .notFound
        case 102, 106, 109, 110, 113, 115, 120, 300...304, 410, 504, 505: .unauthorized
        default: .badRequest
        }
    }

    var body: JSONValue {
        [
            "error": true, "code": .int(code), "message": .string(message),
            "documentation": "https://bugzilla.readthedocs.org/en/5.0/api/",
        ]
    }

    init(_ error: DomainError) {
        self.init(code: Self.code(for: error), message: error.message)
    }

    /// Each domain refusal's Bugzilla code.
    static func code(for error: DomainError) -> Int {
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
