import BugZotREST
import BugZotWire
import Foundation
import HTTPTypes
import Testing

@Suite("Nothing confidential leaks")
struct ConfidentialityAPITests {
    /// A bug in the secret group, filed by the insider and assigned to the admin, blocking a public bug.
    private func secretSetup(_ site: TestSite) async throws -> (secret: Int, public: Int) {
        let publicBug = try await site.fileBug("Public bug", as: "dev")
        let secret = try await site.fileSecretBug("Leaked credentials", extra: ["blocks": [.int(publicBug)]])
        return (secret, publicBug)
    }

    @Test("a hidden bug answers exactly like a missing one", arguments: TestBackend.all)
    func hiddenIsMissing(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let (secret, _) = try await secretSetup(site)
            let missing = secret + 1000
            for user: String? in [nil, "outsider", "dev"] {
                let hidden = try await site.get("/rest/bug/\(secret)", as: user)
                let absent = try await site.get("/rest/bug/\(missing)", as: user)
                #expect(hidden.status == absent.status)
                #expect(hidden.text == absent.text.replacingOccurrences(of: "\(missing)", with: "\(secret)"))
                for path in ["history", "comment"] {
                    let hiddenPart = try await site.get("/rest/bug/\(secret)/\(path)", as: user)
                    let absentPart = try await site.get("/rest/bug/\(missing)/\(path)", as: user)
                    #expect(hiddenPart.text == absentPart.text.replacingOccurrences(of: "\(missing)", with: "\(secret)"))
                }
                let update = try await site.put("/rest/bug/\(secret)", ["comment": ["body": "x"]], as: user ?? "outsider")
                let updateMissing = try await site.put("/rest/bug/\(missing)", ["comment": ["body": "x"]], as: user ?? "outsider")
                #expect(update.text == updateMissing.text.replacingOccurrences(of: "\(missing)", with: "\(secret)"))
            }
            #expect(try await site.bug(secret, as: "insider")["summary"] == "Leaked credentials")
        }
    }

    @Test("search, dependency lists and history leave hidden bugs out", arguments: TestBackend.all)
    func noLeakThroughLinks(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let (secret, publicBug) = try await secretSetup(site)
            #expect(try await site.get("/rest/bug?summary=Leaked", as: "outsider").expect(.ok)["bugs"].array.isEmpty)
            #expect(try await site.get("/rest/bug?id=\(secret)", as: nil).expect(.ok)["bugs"].array.isEmpty)
            #expect(try await site.bug(publicBug, as: "outsider")["depends_on"] == [])
            #expect(try await site.bug(publicBug, as: "insider")["depends_on"] == [.int(secret)])
            let history = try await site.get("/rest/bug/\(publicBug)/history", as: "outsider").expect(.ok)["bugs"][0]["history"]
            #expect(history.array.isEmpty)
            try await site.put("/rest/bug/\(publicBug)", ["blocks": ["add": [.int(secret)]]], as: "dev").expectError(101, .notFound)
        }
    }

    @Test("the people on a hidden bug still see it: assignee, and CC when CC-accessible", arguments: TestBackend.all)
    func peopleSeeTheirBugs(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let secret = try await site.fileBug(
                "Confidential", as: "insider", extra: ["groups": ["secret"], "cc": ["outsider@example.com"], "assigned_to": "dev@example.com"])
            #expect(try await site.bug(secret, as: "dev")["id"] == .int(secret))
            #expect(try await site.bug(secret, as: "outsider")["id"] == .int(secret))
            try await site.put("/rest/bug/\(secret)", ["is_cc_accessible": false], as: "insider").expect(.ok)
            try await site.get("/rest/bug/\(secret)", as: "outsider").expectError(101, .notFound)
            try await site.get("/rest/bug/\(secret)", as: "reporter").expectError(101, .notFound)
        }
    }

    @Test("private comments are for insiders: hidden in lists and search, refused by id", arguments: TestBackend.all)
    func privateComments(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug(as: "dev")
            let privateID = try await site.post("/rest/bug/\(id)/comment", ["comment": "Customer is ACME", "is_private": true], as: "insider")
                .expect(.created)["id"].int
            try await site.post("/rest/bug/\(id)/comment", ["comment": "Sneaky", "is_private": true], as: "dev").expectError(113, .unauthorized)

            let outsiderView = try await site.get("/rest/bug/\(id)/comment", as: "outsider").expect(.ok)["bugs"]["\(id)"]["comments"]
            #expect(outsiderView.array.map { $0["text"].string } == ["Steps: save."])
            let insiderView = try await site.get("/rest/bug/\(id)/comment", as: "insider").expect(.ok)["bugs"]["\(id)"]["comments"]
            #expect(insiderView.array.map { $0["is_private"] } == [false, true])

            try await site.get("/rest/bug/comment/\(privateID)", as: "outsider").expectError(110, .unauthorized)
            #expect(try await site.get("/rest/bug/comment/\(privateID)", as: "insider").expect(.ok)["comments"]["\(privateID)"]["text"] == "Customer is ACME")
            #expect(try await site.get("/rest/bug?longdesc=ACME", as: "outsider").expect(.ok)["bugs"].array.isEmpty)
            #expect(try await site.get("/rest/bug?longdesc=ACME", as: "insider").expect(.ok)["bugs"].array.count == 1)
        }
    }

    @Test("comments can be made private later, by insiders only", arguments: TestBackend.all)
    func commentPrivacyChange(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug(as: "dev")
            let commentID = try await site.post("/rest/bug/\(id)/comment", ["comment": "Oops, a password"], as: "dev").expect(.created)["id"].int
            try await site.put("/rest/bug/\(id)", ["comment_is_private": [.init(stringLiteral: "\(commentID)"): true]], as: "dev")
                .expectError(113, .unauthorized)
            try await site.put("/rest/bug/\(id)", ["comment_is_private": .object(["\(commentID)": true])], as: "insider").expect(.ok)
            let comments = try await site.get("/rest/bug/\(id)/comment", as: "outsider").expect(.ok)["bugs"]["\(id)"]["comments"]
            #expect(comments.array.count == 1)
        }
    }

    @Test("editing a bug's links neither reveals nor removes links to bugs the editor can't see", arguments: TestBackend.all)
    func hiddenLinksSurviveEdits(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let (secret, publicBug) = try await secretSetup(site)
            let cleared = try await site.put("/rest/bug/\(publicBug)", ["depends_on": ["set": []]], as: "dev").expect(.ok)
            #expect(cleared["bugs"][0]["changes"] == [:])
            let probe = try await site.put("/rest/bug/\(publicBug)", ["depends_on": ["remove": [.int(secret)]]], as: "outsider")
            let control = try await site.put("/rest/bug/\(publicBug)", ["depends_on": ["remove": [.int(secret + 1000)]]], as: "outsider")
            #expect(probe.text == control.text)
            #expect(try await site.bug(publicBug, as: "insider")["depends_on"] == [.int(secret)])
        }
    }

    @Test("advanced search over links ignores hidden bugs", arguments: TestBackend.all)
    func linkSearchRespectsVisibility(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let (secret, publicBug) = try await secretSetup(site)
            let query = "/rest/bug?f1=dependson&o1=equals&v1=\(secret)&include_fields=id"
            #expect(try await site.get(query, as: "outsider").expect(.ok)["bugs"].array.isEmpty)
            #expect(try await site.get(query, as: "insider").expect(.ok)["bugs"][0]["id"] == .int(publicBug))
            #expect(try await site.get("/rest/bug?f1=dependson&o1=isnotempty&include_fields=id", as: "outsider").expect(.ok)["bugs"].array.isEmpty)
        }
    }

    @Test("marking a confidential bug a duplicate of a public one leaves no note naming it on the public bug", arguments: TestBackend.all)
    func duplicateNotes(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let publicBug = try await site.fileBug("Public crash", as: "dev")
            let secret = try await site.fileSecretBug("Same crash, customer data")
            try await site.put("/rest/bug/\(secret)", ["dupe_of": .int(publicBug), "status": "RESOLVED", "resolution": "DUPLICATE"], as: "insider").expect(.ok)
            let comments = try await site.get("/rest/bug/\(publicBug)/comment", as: "outsider").expect(.ok)["bugs"]["\(publicBug)"]["comments"]
            #expect(!comments.array.contains { $0["text"].string.contains("\(secret)") })
            #expect(try await site.bug(secret, as: "insider")["dupe_of"] == .int(publicBug))
        }
    }
}
