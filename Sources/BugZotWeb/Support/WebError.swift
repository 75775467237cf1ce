import BugZotDomain
import BugZotHTTP
import Foundation
import HTTPTypes

/// Failures the web UI reports itself (domain refusals come as `DomainError`).
enum WebError: Error {
    /// A form without this visitor's CSRF token: forged, or from an expired session.
    case csrf
    case notFound
    case badRequest(String)

    /// The page's status and the sentence it shows.
    var statusAndMessage: (HTTPResponse.Status, String) {
        switch self {
        case .csrf: (.forbidden, "This form has expired or was sent from another site. Go back, reload the page and try again.")
        case .notFound: (.notFound, "There is nothing at this address.")
        case .badRequest(let message): (.badRequest, message)
        }
    }

    /// How a domain refusal is shown: hidden and missing things look the same, and say so.
    static func statusAndMessage(for error: DomainError) -> (HTTPResponse.Status, String) {
        switch error {
        case .bugNotFound(let id):
            (.notFound, "Bug \(id) does not exist, or you are not allowed to see it.")
        case .attachmentNotFound(let id):
            (.notFound, "Attachment \(id) does not exist, or you are not allowed to see it.")
        case .commentNotFound(let id):
            (.notFound, "Comment \(id) does not exist, or you are not allowed to see it.")
        case .invalidBugID, .objectNotFound:
            (.notFound, error.message)
        case .notInGroup, .notInsider, .illegalChange, .groupAccessDenied, .accountDisabled:
            (.forbidden, error.message)
        case .requestTooLarge, .attachmentTooLarge:
            (.contentTooLarge, error.message)
        default:
            (.unprocessableContent, error.message)
        }
    }

    /// Whether the refusal may be of something that exists but is hidden from the reader.
    static func mayBeHidden(_ error: DomainError) -> Bool {
        switch error {
        case .bugNotFound, .attachmentNotFound, .commentNotFound: true
        default: false
        }
    }
}

/// Sends the browser elsewhere (303 See Other), e.g. to log in first.
struct WebRedirect: Error {
    let location: String

    /// The login page, which comes back to `returnTo` afterwards (when it is a path here).
    static func login(returnTo: String) -> WebRedirect {
        WebRedirect(location: "/login?" + FormEncoding.encode([("return_to", ReturnPath.validated(returnTo))]))
    }
}
