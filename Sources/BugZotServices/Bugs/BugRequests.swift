import Foundation
import BugZotDomain

/// A request to file a bug, as it arrives: people, product and bugs by name or number.
public struct BugCreateRequest: Sendable {
    public var product: String
    public var component: String
    public var version: String
    public var summary: String
    public var description = ""
    public var descriptionIsPrivate = false
    public var severity: String?
    public var priority: String?
    public var opSys: String?
    public var platform: String?
    public var aliases: [String] = []
    public var assignedTo: String?
    public var qaContact: String?
    public var cc: [String] = []
    public var groups: [String]?
    public var status: String?
    public var resolution: String?
    public var targetMilestone: String?
    public var keywords: [String] = []
    public var blocks: [Int] = []
    public var dependsOn: [Int] = []
    public var url = ""
    public var whiteboard = ""
    public var deadline: String?

    public init(product: String, component: String, version: String, summary: String) {
        self.product = product
        self.component = component
        self.version = version
        self.summary = summary
    }
}

/// A request to change bugs, as it arrives. nil leaves a field alone.
public struct BugUpdateRequest: Sendable {
    public var summary: String?
    public var product: String?
    public var component: String?
    public var version: String?
    public var targetMilestone: String?
    public var status: String?
    public var resolution: String?
    public var severity: String?
    public var priority: String?
    public var opSys: String?
    public var platform: String?
    public var url: String?
    public var whiteboard: String?
    public var assignedTo: String?
    public var resetAssignedTo = false
    /// "" clears the QA contact.
    public var qaContact: String?
    public var resetQAContact = false
    /// `.some(nil)` clears the deadline.
    public var deadline: String??
    public var dupeOf: Int?
    public var isCreatorAccessible: Bool?
    public var isCCAccessible: Bool?
    public var aliases = ListEdit<String>()
    public var keywords = ListEdit<String>()
    public var blocks = ListEdit<Int>()
    public var dependsOn = ListEdit<Int>()
    public var cc = ListEdit<String>()
    public var groups = ListEdit<String>()
    public var seeAlso = ListEdit<String>()
    public var comment: NewComment?
    /// Comment id → new privacy.
    public var commentPrivacy: [Int: Bool] = [:]

    public init() {}

    /// Every login the request names.
    var logins: [String] {
        [assignedTo, qaContact].compactMap { $0 }.filter { !$0.isEmpty } + cc.add + cc.remove + (cc.set ?? [])
    }

    /// Every other bug the request names.
    var referencedBugs: [Int] {
        blocks.add + (blocks.set ?? []) + dependsOn.add + (dependsOn.set ?? []) + (dupeOf.map { [$0] } ?? [])
    }
}

/// What one bug's update did.
public struct BugUpdateResult: Sendable {
    public var id: Int
    public var aliases: [String]
    public var lastChangeTime: Date
    public var changes: [FieldChange]
}
