import BugZotDomain
import Testing

@Suite("Principals")
struct PrincipalTests {
    @Test("an anonymous visitor has no user, no groups and no powers")
    func anonymous() {
        let principal = Principal.anonymous
        #expect(principal.isAnonymous)
        #expect(!principal.isAdmin)
        #expect(SystemGroup.allCases.allSatisfy { !principal.has($0) })
    }

    @Test("an anonymous visitor must log in before acting")
    func anonymousRequiresLogin() {
        #expect(throws: DomainError.loginRequired) { try Principal.anonymous.requireUser() }
        #expect(throws: DomainError.loginRequired) { try Principal.anonymous.require(.editbugs, action: "edit bugs") }
    }

    @Test("a signed-in user is who they say they are")
    func signedIn() throws {
        let principal = Principal.reporter
        #expect(!principal.isAnonymous)
        #expect(try principal.requireUser() == People.reporter)
    }

    @Test("a user holds exactly the powers of the system groups they are in")
    func powersFromGroups() {
        let principal = Principal.signedIn(People.editor, "editbugs", "canconfirm")
        #expect(principal.has(.editbugs))
        #expect(principal.has(.canconfirm))
        #expect(!principal.has(.insider))
        #expect(!principal.has(.editusers))
        #expect(!principal.isAdmin)
    }

    @Test("an administrator holds every power and belongs to every group", arguments: SystemGroup.allCases)
    func adminHoldsEverything(_ power: SystemGroup) {
        #expect(Principal.admin.has(power))
        #expect(Principal.admin.isMember(of: power.rawValue))
    }

    @Test("an administrator counts as a member of any bug group")
    func adminInBugGroups() {
        #expect(Principal.admin.isMember(of: "secret"))
    }

    @Test("membership means being in the group")
    func membership() {
        let principal = Principal.signedIn(People.stranger, "secret")
        #expect(principal.isMember(of: "secret"))
        #expect(!principal.isMember(of: "partners"))
    }

    @Test("requiring a missing power names the group and the action")
    func requireMissingPower() {
        #expect(throws: DomainError.notInGroup(group: "editcomponents", action: "edit components")) {
            try Principal.reporter.require(.editcomponents, action: "edit components")
        }
    }

    @Test("requiring a held power passes")
    func requireHeldPower() {
        #expect(throws: Never.self) { try Principal.editor.require(.editbugs, action: "edit bugs") }
    }

    @Test("system groups are named as Bugzilla names them")
    func systemGroupNames() {
        #expect(SystemGroup.allCases.map(\.rawValue) == ["admin", "editusers", "editcomponents", "editbugs", "canconfirm", "creategroups", "insider"])
        #expect(SystemGroup.allCases.allSatisfy { !$0.description.isEmpty })
    }
}
