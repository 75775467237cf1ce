/// The standard error and close reason URIs (wamp-proto `uri_reference.md`, and those autobahn knows).
public enum WAMPErrorURI {
    public static let invalidURI = "wamp.error.invalid_uri"
    public static let noSuchProcedure = "wamp.error.no_such_procedure"
    public static let procedureAlreadyExists = "wamp.error.procedure_already_exists"
    public static let noSuchRegistration = "wamp.error.no_such_registration"
    public static let noSuchSubscription = "wamp.error.no_such_subscription"
    public static let noSuchSession = "wamp.error.no_such_session"
    public static let invalidArgument = "wamp.error.invalid_argument"
    public static let canceled = "wamp.error.canceled"
    public static let payloadSizeExceeded = "wamp.error.payload_size_exceeded"
    public static let protocolViolation = "wamp.error.protocol_violation"
    public static let notAuthorized = "wamp.error.not_authorized"
    public static let authorizationFailed = "wamp.error.authorization_failed"
    public static let authenticationFailed = "wamp.error.authentication_failed"
    public static let noAuthMethod = "wamp.error.no_auth_method"
    public static let noSuchRealm = "wamp.error.no_such_realm"
    public static let noSuchRole = "wamp.error.no_such_role"
    public static let timeout = "wamp.error.timeout"

    /// Close reasons (GOODBYE and ABORT).
    public static let closeNormal = "wamp.close.normal"
    public static let closeGoodbyeAndOut = "wamp.close.goodbye_and_out"
    public static let closeSystemShutdown = "wamp.close.system_shutdown"
    public static let closeRealm = "wamp.close.close_realm"
    public static let closeKilled = "wamp.close.killed"
}
