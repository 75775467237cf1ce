import BugZotDomain
import Testing

@Suite("Domain error messages")
struct DomainErrorTests {
    @Test("an illegal move from a new bug says \"(new bug)\"")
    func newBugTransition() {
        #expect(DomainError.illegalStatusTransition(from: "", to: "CLOSED").message
            == "You are not allowed to change the bug status from (new bug) to CLOSED.")
    }

    @Test("an illegal move between statuses names both")
    func statusTransition() {
        #expect(DomainError.illegalStatusTransition(from: "NEW", to: "VERIFIED").message
            == "You are not allowed to change the bug status from NEW to VERIFIED.")
    }

    @Test("a disabled account shows the administrator's text, or a standard one when there is none")
    func accountDisabled() {
        #expect(DomainError.accountDisabled("Gone fishing.").message == "Gone fishing.")
        #expect(DomainError.accountDisabled("").message == "Your account has been disabled by an administrator.")
    }

    @Test("a refused resolution shows the reason as given")
    func resolutionNotAllowed() {
        #expect(DomainError.resolutionNotAllowed("Not now.").message == "Not now.")
    }

    @Test("messages name the things they are about")
    func messagesNameTheirSubjects() {
        #expect(DomainError.illegalChange(field: "assigned_to").message.contains("assigned_to"))
        #expect(DomainError.groupNotAllowed("secret").message.contains("'secret'"))
        #expect(DomainError.invalidComponent(component: "Nope", product: "Widget").message
            == "There is no component named 'Nope' in the 'Widget' product.")
        #expect(DomainError.notInGroup(group: "editbugs", action: "edit bugs").message
            == "Sorry, you aren't a member of the 'editbugs' group, and only users with that permission may edit bugs.")
    }

    @Test("the rules' everyday refusals read as Bugzilla words them")
    func everydayMessages() {
        #expect(DomainError.summaryRequired.message == "You must enter a summary for this bug.")
        #expect(DomainError.resolutionRequired.message == "A valid resolution is required to mark bugs as closed.")
        #expect(DomainError.loginRequired.message == "You must log in before using this part of Bugzilla.")
        #expect(DomainError.duplicateOfItself.message == "You can't mark a bug as a duplicate of itself.")
    }

    @Test("errors with the same case and values are equal, and differ otherwise")
    func equality() {
        #expect(DomainError.illegalChange(field: "cc") == .illegalChange(field: "cc"))
        #expect(DomainError.illegalChange(field: "cc") != .illegalChange(field: "status"))
        #expect(DomainError.summaryRequired != .commentRequired)
    }
}
