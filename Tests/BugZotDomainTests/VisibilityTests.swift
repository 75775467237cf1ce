import BugZotDomain
import Foundation
import Testing

@Suite("Who may see a bug")
struct BugVisibilityTests {
    let policy = Policy()

    /// A bug restricted to both `secret` and `partners`, CC'ing the insider.
    func restricted(creatorAccessible: Bool = true, ccAccessible: Bool = true) -> Bug {
        var bug = Stage.bug(cc: [People.insider], groups: ["secret", "partners"])
        bug.isCreatorAccessible = creatorAccessible
        bug.isCCAccessible = ccAccessible
        return bug
    }

    func canSee(_ bug: Bug, _ principal: Principal, policy: Policy = Policy()) -> Bool {
        Visibility.canSee(bug, principal, policy: policy)
    }

    @Test("a bug in no groups is visible to everyone, signed in or not", arguments: [Principal.anonymous, .stranger, .reporter])
    func publicBug(_ principal: Principal) {
        #expect(canSee(Stage.bug(), principal))
    }

    @Test("a bug in groups is hidden from anonymous visitors")
    func anonymousAndGroups() {
        #expect(!canSee(restricted(), .anonymous))
    }

    @Test("a bug in groups is visible to members of all of them")
    func membersOfAll() {
        #expect(canSee(restricted(), .signedIn(People.stranger, "secret", "partners")))
    }

    @Test("a bug in groups is hidden from members of only some of them", arguments: ["secret", "partners"])
    func membersOfSome(_ group: String) {
        #expect(!canSee(restricted(), .signedIn(People.stranger, group)))
    }

    @Test("a bug in groups is hidden from people in none of them")
    func stranger() {
        #expect(!canSee(restricted(), .stranger))
    }

    @Test("editbugs alone does not reveal a bug in groups")
    func editbugsDoesNotReveal() {
        #expect(!canSee(restricted(), .editor))
    }

    @Test("an administrator sees every bug")
    func admin() {
        #expect(canSee(restricted(creatorAccessible: false, ccAccessible: false), .admin))
    }

    @Test("the assignee sees a bug in groups they are not in")
    func assignee() {
        #expect(canSee(restricted(creatorAccessible: false, ccAccessible: false), .assignee))
    }

    @Test("the QA contact sees a bug in groups they are not in")
    func qaContact() {
        #expect(canSee(restricted(creatorAccessible: false, ccAccessible: false), .qaContact))
    }

    @Test("the QA contact gets no access when the installation does not use QA contacts")
    func qaContactWithoutQA() {
        #expect(!canSee(restricted(), .qaContact, policy: Policy(useQAContact: false)))
    }

    @Test("the reporter sees a bug in groups while it is creator-accessible")
    func reporter() {
        #expect(canSee(restricted(creatorAccessible: true), .reporter))
    }

    @Test("the reporter loses sight of a bug in groups when it is not creator-accessible")
    func reporterNotCreatorAccessible() {
        #expect(!canSee(restricted(creatorAccessible: false), .reporter))
    }

    @Test("people on the CC list see a bug in groups while it is CC-accessible")
    func cc() {
        #expect(canSee(restricted(ccAccessible: true), .signedIn(People.insider)))
    }

    @Test("people on the CC list lose sight of a bug in groups when it is not CC-accessible")
    func ccNotAccessible() {
        #expect(!canSee(restricted(ccAccessible: false), .signedIn(People.insider)))
    }

    @Test("the access facts of a bug are its groups, its people and its two flags")
    func accessFacts() {
        let access = Visibility.BugAccess(restricted(creatorAccessible: false))
        #expect(access == Visibility.BugAccess(
            groups: ["secret", "partners"], reporterID: People.reporter.id, assigneeID: People.assignee.id,
            qaContactID: People.qaContact.id, ccIDs: [People.insider.id], isCreatorAccessible: false, isCCAccessible: true))
    }
}

@Suite("Who may see a comment")
struct CommentVisibilityTests {
    func comment(isPrivate: Bool) -> Comment {
        Comment(id: 10, bugID: 1, count: 1, author: People.insider, text: "Note", isPrivate: isPrivate, creationTime: Stage.now)
    }

    @Test("a public comment is visible to everyone", arguments: [Principal.anonymous, .stranger, .insider])
    func publicComment(_ principal: Principal) {
        #expect(Visibility.canSee(comment(isPrivate: false), principal, policy: Policy()))
    }

    @Test("a private comment is visible to insiders and administrators", arguments: [Principal.insider, .admin])
    func privateForInsiders(_ principal: Principal) {
        #expect(Visibility.canSee(comment(isPrivate: true), principal, policy: Policy()))
    }

    @Test("a private comment is hidden from everyone else", arguments: [Principal.anonymous, .stranger, .editor, .reporter])
    func privateHidden(_ principal: Principal) {
        #expect(!Visibility.canSee(comment(isPrivate: true), principal, policy: Policy()))
    }

    @Test("the insider group is whichever group the policy names")
    func configurableInsiderGroup() {
        let policy = Policy(insiderGroup: "staff")
        #expect(Visibility.canSee(comment(isPrivate: true), .signedIn(People.stranger, "staff"), policy: policy))
        #expect(!Visibility.canSee(comment(isPrivate: true), .insider, policy: policy))
    }
}

@Suite("Who may see a comment about an attachment: whoever may see the attachment, as it is now")
struct AttachmentCommentVisibilityTests {
    /// "Created attachment 5" by the insider, its own flag public.
    func announcement(attachmentIsPrivate: Bool, ownFlag: Bool = false) -> Comment {
        Comment(
            id: 11, bugID: 1, count: 2, author: People.insider, text: "Created attachment 5\nCustomer list", isPrivate: ownFlag,
            creationTime: Stage.now, attachment: .init(id: 5, isPrivate: attachmentIsPrivate, creatorID: People.insider.id))
    }

    @Test("while the attachment is public, so is the comment", arguments: [Principal.anonymous, .stranger, .reporter, .insider])
    func publicAttachment(_ principal: Principal) {
        #expect(Visibility.canSee(announcement(attachmentIsPrivate: false), principal, policy: Policy()))
        #expect(!announcement(attachmentIsPrivate: false).isEffectivelyPrivate)
    }

    @Test("while the attachment is private, the comment is hidden from those who may not see it", arguments: [Principal.anonymous, .stranger, .reporter, .editor])
    func privateAttachmentHidden(_ principal: Principal) {
        #expect(!Visibility.canSee(announcement(attachmentIsPrivate: true), principal, policy: Policy()))
        #expect(announcement(attachmentIsPrivate: true).isEffectivelyPrivate)
    }

    @Test("insiders, administrators and the uploader still see it")
    func privateAttachmentShown() {
        let comment = announcement(attachmentIsPrivate: true)
        #expect(Visibility.canSee(comment, .insider, policy: Policy()))
        #expect(Visibility.canSee(comment, .admin, policy: Policy()))
        // The uploader is no longer an insider but still sees their own attachment and its comment.
        #expect(Visibility.canSee(comment, .signedIn(People.insider), policy: Policy()))
    }

    @Test("a comment marked private stays private when its attachment is public")
    func ownFlagStillCounts() {
        let comment = announcement(attachmentIsPrivate: false, ownFlag: true)
        #expect(!Visibility.canSee(comment, .stranger, policy: Policy()))
        #expect(comment.isEffectivelyPrivate)
    }
}
