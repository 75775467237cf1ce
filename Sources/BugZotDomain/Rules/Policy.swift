/// Installation-wide switches that the rules consult.
public struct Policy: Sendable, Equatable {
    /// Members of this group see and set private comments and attachments.
    public var insiderGroup: String
    public var useQAContact: Bool
    /// Whether reporters may set the priority of their own bugs.
    public var letSubmitterChoosePriority: Bool
    public var minimumPasswordLength: Int
    public var maximumCommentLength: Int
    public var maximumSummaryLength: Int

    public init(
        insiderGroup: String = SystemGroup.insider.rawValue, useQAContact: Bool = true,
        letSubmitterChoosePriority: Bool = true, minimumPasswordLength: Int = 8,
        maximumCommentLength: Int = 65_535, maximumSummaryLength: Int = 255
    ) {
        self.insiderGroup = insiderGroup
        self.useQAContact = useQAContact
        self.letSubmitterChoosePriority = letSubmitterChoosePriority
        self.minimumPasswordLength = minimumPasswordLength
        self.maximumCommentLength = maximumCommentLength
        self.maximumSummaryLength = maximumSummaryLength
    }

    public func isInsider(_ principal: Principal) -> Bool {
        principal.isMember(of: insiderGroup)
    }
}
