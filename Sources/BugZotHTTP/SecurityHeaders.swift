import HTTPTypes

/// The headers that keep responses from being sniffed into another type or framed by another site.
public enum SecurityHeaders {
    public static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    public static let frameOptions = HTTPField.Name("X-Frame-Options")!

    /// What every response of BugZot carries, pages, API answers, errors and files alike.
    public static let common: HTTPFields = [contentTypeOptions: "nosniff", frameOptions: "DENY"]

    /// Adds `common` to `headers`, keeping any value already set.
    public static func apply(to headers: inout HTTPFields) {
        for field in common where headers[field.name] == nil { headers[field.name] = field.value }
    }
}
