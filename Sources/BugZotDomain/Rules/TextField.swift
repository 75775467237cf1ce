/// Every kind of text people send, with its limit and the characters it may hold: the one table
/// of text limits. `InputRules.check(_:as:)` applies it; services call it for each value before
/// any other work (and before any database lookup), so no adapter can skip it.
///
/// Limits count Unicode scalars (code points), as databases count characters.
public enum TextField: String, CaseIterable, Sendable {
    // Bugs
    case summary, comment, alias, url, whiteboard, keyword, seeAlso, deadline
    // Values named on a bug, and the catalogue's own names
    case product, component, version, targetMilestone, status, resolution, severity, priority, opSys, platform
    case group, classification
    case productDescription, componentDescription, groupDescription
    // People
    case login, realName, password, disabledText
    // Attachments
    case attachmentSummary, fileName, contentType
    // Accounts and administration
    case apiKeyDescription, savedSearchName, savedSearchQuery, webhookURL, webhookSecret
    // Lookups: a bug number or alias, an API key or token, a search term
    case bugIdentifier, credential, searchValue

    /// Which characters a field may hold besides printable text.
    public enum Lines: Sendable {
        /// One line: no control characters at all (no NUL, CR, LF, tab or escape).
        case single
        /// Text with line breaks: tabs and line breaks (LF, and CR as browsers send CRLF) only.
        case multiple
    }

    /// The field's name in the API, for error messages.
    public var parameter: String {
        switch self {
        case .seeAlso: "see_also"
        case .targetMilestone: "target_milestone"
        case .opSys: "op_sys"
        case .productDescription, .componentDescription, .groupDescription: "description"
        case .realName: "real_name"
        case .disabledText: "login_denied_text"
        case .attachmentSummary: "summary"
        case .fileName: "file_name"
        case .contentType: "content_type"
        case .apiKeyDescription: "description"
        case .savedSearchName: "name"
        case .savedSearchQuery: "query"
        case .webhookURL: "url"
        case .webhookSecret: "secret"
        case .bugIdentifier: "ids"
        case .credential: "api_key"
        case .searchValue: "search value"
        default: rawValue
        }
    }

    /// The most Unicode scalars the field may hold.
    public var maximumLength: Int {
        switch self {
        case .summary, .attachmentSummary, .seeAlso, .contentType, .group, .login, .realName, .webhookSecret,
            .bugIdentifier, .credential:
            255
        case .apiKeyDescription: 200
        case .comment: 65_535
        case .alias: 40
        case .deadline: 10
        case .url, .webhookURL, .whiteboard: 2_048
        case .keyword, .product, .component, .version, .targetMilestone, .status, .resolution, .severity, .priority,
            .opSys, .platform, .classification, .savedSearchName:
            64
        case .productDescription, .componentDescription, .groupDescription, .disabledText:
            10_000
        case .password: 1_024
        // The name as sent, folders included; the stored name is cut to 255 bytes of UTF-8.
        case .fileName: 1_024
        case .savedSearchQuery: 4_000
        case .searchValue: 10_000
        }
    }

    /// Whether the field may span lines.
    public var lines: Lines {
        switch self {
        case .comment, .productDescription, .componentDescription, .groupDescription, .disabledText:
            .multiple
        default: .single
        }
    }

    /// Names, addresses and identifiers refuse bidirectional-text controls (U+202A–U+202E,
    /// U+2066–U+2069, U+200E, U+200F, U+061C), which can make `report\u{202E}txt.exe` read as
    /// `reportexe.txt`; free text may hold them (right-to-left writing uses them).
    public var allowsBidiControls: Bool {
        switch self {
        case .summary, .comment, .whiteboard, .productDescription, .componentDescription, .groupDescription,
            .disabledText, .attachmentSummary, .apiKeyDescription, .savedSearchName,
            .savedSearchQuery, .searchValue, .password:
            true
        default: false
        }
    }
}
