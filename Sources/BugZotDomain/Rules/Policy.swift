/// Installation-wide switches that the rules consult.
public struct Policy: Sendable, Equatable {
    /// Members of this group see and set private comments and attachments.
    public var insiderGroup: String
    public var useQAContact: Bool
    /// Whether reporters may set the priority of their own bugs.
    public var letSubmitterChoosePriority: Bool
    public var minimumPasswordLength: Int
    /// The comment and summary limits of the text table (`TextField`), which an installation may lower.
    public var maximumCommentLength: Int
    public var maximumSummaryLength: Int
    /// The most items one request may add to, remove from or set on a list field.
    public var maximumListItems: Int

    public init(
        insiderGroup: String = SystemGroup.insider.rawValue, useQAContact: Bool = true,
        letSubmitterChoosePriority: Bool = true, minimumPasswordLength: Int = 8,
        maximumCommentLength: Int = TextField.comment.maximumLength, maximumSummaryLength: Int = TextField.summary.maximumLength,
        maximumListItems: Int = 1000
    ) {
        self.insiderGroup = insiderGroup
        self.useQAContact = useQAContact
        self.letSubmitterChoosePriority = letSubmitterChoosePriority
        self.minimumPasswordLength = minimumPasswordLength
        self.maximumCommentLength = maximumCommentLength
        self.maximumSummaryLength = maximumSummaryLength
        self.maximumListItems = maximumListItems
    }

    /// Bounds the work one request can cause: no list may name more than `maximumListItems`.
    public func checkListSizes(_ sizes: [(field: String, count: Int)]) throws(DomainError) {
        for (field, count) in sizes where count > maximumListItems {
            throw .invalidParameter(parameter: field, reason: "at most \(maximumListItems) items may be given at once.")
        }
    }

    public func isInsider(_ principal: Principal) -> Bool {
        principal.isMember(of: insiderGroup)
    }
}
