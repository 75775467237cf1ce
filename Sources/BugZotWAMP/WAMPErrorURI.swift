/// The standard error and close reason URIs (wamp-proto `uri_reference.md`, and those autobahn knows).
public enum WAMPErrorURI {
    /// `wamp.error.invalid_uri`.
    public static let invalidURI = "wamp.error.invalid_uri"
    /// `wamp.error.no_such_procedure`.
    public static let noSuchProcedure = "wamp.error.no_such_procedure"
    /// `wamp.error.procedure_already_exists`.
    public static let procedureAlreadyExists = "wamp.error.procedure_already_exists"
    /// `wamp.error.no_such_registration`.
    public static let noSuchRegistration = "wamp.error.no_such_registration"
    /// `wamp.error.no_such_subscription`.
    public static let noSuchSubscription = "wamp.error.no_such_subscription"
    /// `wamp.error.no_such_session`.
    public static let noSuchSession = "wamp.error.no_such_session"
    /// `wamp.error.invalid_argument`.
    public static let invalidArgument = "wamp.error.invalid_argument"
    /// `wamp.error.canceled`.
    public static let canceled = "wamp.error.canceled"
    /// `wamp.error.payload_size_exceeded`.
    public static let payloadSizeExceeded = "wamp.error.payload_size_exceeded"
    /// `wamp.error.protocol_violation`.
    public static let protocolViolation = "wamp.error.protocol_violation"
    /// `wamp.error.not_authorized`.
    public static let notAuthorized = "wamp.error.not_authorized"
    /// `wamp.error.authorization_failed`.
    public static let authorizationFailed = "wamp.error.authorization_failed"
    /// `wamp.error.authentication_failed`.
    public static let authenticationFailed = "wamp.error.authentication_failed"
    /// `wamp.error.no_auth_method`.
    public static let noAuthMethod = "wamp.error.no_auth_method"
    /// `wamp.error.no_such_realm`.
    public static let noSuchRealm = "wamp.error.no_such_realm"
    /// `wamp.error.no_such_role`.
    public static let noSuchRole = "wamp.error.no_such_role"
    /// `wamp.error.timeout`.
    public static let timeout = "wamp.error.timeout"

    /// Close reasons (GOODBYE and ABORT).
    /// `wamp.close.normal`.
    public static let closeNormal = "wamp.close.normal"
    /// `wamp.close.goodbye_and_out`.
    public static let closeGoodbyeAndOut = "wamp.close.goodbye_and_out"
    /// `wamp.close.system_shutdown`.
    public static let closeSystemShutdown = "wamp.close.system_shutdown"
    /// `wamp.close.close_realm`.
    public static let closeRealm = "wamp.close.close_realm"
    /// `wamp.close.killed`.
    public static let closeKilled = "wamp.close.killed"
}
