import BugZotWire
import HTTPTypes

extension BugzillaError {
    /// The response status REST answers this error with.
    var status: HTTPResponse.Status { HTTPResponse.Status(code: httpStatus) }
}
