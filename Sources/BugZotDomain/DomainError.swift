/// Every way a request can be refused by the rules. Each edge maps these once to its own form
/// (Bugzilla error codes on /rest); the messages are the user-visible text.
public enum DomainError: Error, Sendable, Equatable {
    // Input
    case missingParameter(String, function: String)
    case notNumeric(parameter: String, value: String)
    case invalidParameter(parameter: String, reason: String)
    case illegalDate(String)
    case requestTooLarge(limit: Int)
    // Objects
    case bugNotFound(String)
    case invalidBugID(String)
    case aliasInUse(String)
    case invalidAlias(String)
    case invalidSeeAlso(String)
    case objectNotFound(kind: String, name: String)
    case invalidFieldValue(field: String, value: String)
    case invalidComponent(component: String, product: String)
    case productNotEnterable(String)
    case summaryRequired
    case commentRequired
    case commentPrivate(id: Int)
    case commentNotFound(String)
    case commentTooLong(limit: Int)
    case notInsider
    case illegalChange(field: String)
    case dependencyLoop
    case duplicateLoop(Int)
    case duplicateOfItself
    case duplicateIDRequired
    case groupNotAllowed(String)
    case resolutionRequired
    case resolutionNotAllowed(String)
    case illegalStatusTransition(from: String, to: String)
    // Attachments
    case attachmentTooLarge(limit: Int)
    case invalidContentType(String)
    case attachmentFileNameRequired
    case attachmentSummaryRequired
    case attachmentEmpty
    case attachmentNotFound(String)
    case invalidAttachmentData
    // Accounts and authentication
    case invalidLogin
    case accountDisabled(String)
    case notInGroup(group: String, action: String)
    case invalidAPIKey
    case invalidToken
    case loginRequired
    case loginThrottled
    /// Too many requests of one kind (`what`: "sign-ups") from one client address.
    case addressThrottled(what: String)
    case accountExists(String)
    case illegalEmail(String)
    case passwordTooShort(minimum: Int)
    case weakPassword(String)
    case activationInvalid
    case resetInvalid
    case anonymousUserLookup
    // Administration
    case productExists(String)
    case productNameRequired
    case productDescriptionRequired
    case productVersionRequired
    case groupExists(String)
    case groupNameRequired
    case groupDescriptionRequired
    case groupAccessDenied
    case componentExists(component: String, product: String)
    case componentNameRequired
    case componentDescriptionRequired
    case componentAssigneeRequired
    case valueExists(kind: String, name: String, product: String)
    case valueNameRequired(kind: String)

    public var message: String {
        switch self {
        case .missingParameter(let param, let function):
            "The function \(function) requires a \(param) argument, and that argument was not set."
        case .notNumeric(let param, let value):
            "Invalid parameter '\(param)': '\(value)' is not a number."
        case .invalidParameter(let param, let reason): "Invalid parameter '\(param)': \(reason)"
        case .illegalDate(let value): "'\(value)' is not a legal date."
        case .requestTooLarge(let limit): "The request is larger than the limit of \(limit) bytes."
        case .bugNotFound(let id): "Bug #\(id) does not exist."
        case .invalidBugID(let id): "'\(id)' is not a valid bug number nor an alias to a bug."
        case .aliasInUse(let alias): "The alias '\(alias)' is already in use by another bug."
        case .invalidAlias(let alias):
            "The alias '\(alias)' is not valid: an alias must contain a letter and no commas or spaces."
        case .invalidSeeAlso(let url): "'\(url)' is not a valid See Also entry: it must be an http or https URL."
        case .objectNotFound(let kind, let name): "There is no \(kind) named '\(name)'."
        case .invalidFieldValue(let field, let value): "There is no \(field) named '\(value)'."
        case .invalidComponent(let component, let product):
            "There is no component named '\(component)' in the '\(product)' product."
        case .productNotEnterable(let product):
            "Either the product '\(product)' does not exist or you do not have access to enter bugs in it."
        case .summaryRequired: "You must enter a summary for this bug."
        case .commentRequired: "You must enter a comment."
        case .commentPrivate(let id): "Comment \(id) is private."
        case .commentNotFound(let id): "There is no comment with the id '\(id)'."
        case .commentTooLong(let limit): "Comments cannot be longer than \(limit) characters."
        case .notInsider: "You are not allowed to mark comments or attachments as private."
        case .illegalChange(let field): "You tried to change the \(field) field, but only a user with the proper permissions may change it."
        case .dependencyLoop: "You can't make a bug block itself or depend on itself, directly or through other bugs."
        case .duplicateLoop(let id): "Marking this bug a duplicate of bug \(id) would make a loop of duplicates."
        case .duplicateOfItself: "You can't mark a bug as a duplicate of itself."
        case .duplicateIDRequired: "You must specify a bug id to mark this bug as a duplicate of."
        case .groupNotAllowed(let group): "You tried to restrict this bug to the '\(group)' group, which is not allowed."
        case .resolutionRequired: "A valid resolution is required to mark bugs as closed."
        case .resolutionNotAllowed(let reason): reason
        case .illegalStatusTransition(let from, let to):
            "You are not allowed to change the bug status from \(from.isEmpty ? "(new bug)" : from) to \(to)."
        case .attachmentTooLarge(let limit): "Attachments may not be larger than \(limit) bytes."
        case .invalidContentType(let type): "'\(type)' is not a valid content type (like text/plain or image/png)."
        case .attachmentFileNameRequired: "You must give the attachment a file name."
        case .attachmentSummaryRequired: "You must enter a description (summary) for the attachment."
        case .attachmentEmpty: "The file you are trying to attach is empty."
        case .attachmentNotFound(let id): "Attachment #\(id) does not exist."
        case .invalidAttachmentData: "The attachment data is not valid base64."
        case .invalidLogin: "The username or password you entered is not valid."
        case .accountDisabled(let text):
            text.isEmpty ? "Your account has been disabled by an administrator." : text
        case .notInGroup(let group, let action):
            "Sorry, you aren't a member of the '\(group)' group, and only users with that permission may \(action)."
        case .invalidAPIKey: "The API key you specified is invalid. Please check that you typed it correctly."
        case .invalidToken: "The cookies or token provide were not valid or have expired. You may login again to get a new token."
        case .loginRequired: "You must log in before using this part of Bugzilla."
        case .loginThrottled: "Too many failed logins. Please wait a few minutes and try again."
        case .addressThrottled(let what): "Too many \(what) from your address. Please try again later."
        case .accountExists(let login): "There is already an account with the login name \(login)."
        case .illegalEmail(let email): "The e-mail address you entered (\(email)) didn't pass our syntax checking."
        case .passwordTooShort(let minimum): "The password must be at least \(minimum) characters long."
        case .weakPassword(let reason): "That password is too easy to guess: \(reason)"
        case .activationInvalid: "This activation link is not valid or has expired. Sign up again to get a new one."
        case .resetInvalid: "This password-reset link is not valid or has expired. Ask for a new one."
        case .anonymousUserLookup: "Logged-out users cannot use the 'ids' or 'match' arguments to this function to access any user information."
        case .productExists(let name): "A product with the name '\(name)' already exists."
        case .productNameRequired: "You must enter a name for the product."
        case .productDescriptionRequired: "You must enter a description for this product."
        case .productVersionRequired: "You must enter a valid version to create a new product."
        case .groupExists(let name): "The group \(name) already exists."
        case .groupNameRequired: "The group name can't be empty."
        case .groupDescriptionRequired: "The group description can't be empty."
        case .groupAccessDenied: "You do not have permission to view groups."
        case .componentExists(let component, let product):
            "The '\(product)' product already has a component named '\(component)'."
        case .componentNameRequired: "You must enter a name for the new component."
        case .componentDescriptionRequired: "You must enter a non-blank description for this component."
        case .componentAssigneeRequired: "A default assignee is required for this component."
        case .valueExists(let kind, let name, let product): "The '\(product)' product already has a \(kind) named '\(name)'."
        case .valueNameRequired(let kind): "You must enter a name for the new \(kind)."
        }
    }
}
