import BugZotWAMP
import BugZotWire
import Testing

@Suite("URI rules (wamp.md §4)")
struct WAMPURITests {
    @Test("loose URIs: non-empty components without dots, # or whitespace")
    func loose() {
        for uri in ["bugzot.bug.changed.12345", "get_bug", "bugzot.product.My%20Product.bug.created.1", "com.Example.Ünïcode", "a-b.c+d"] {
            #expect(WAMPURI.isValid(uri), "\(uri)")
        }
        for uri in ["", "bugzot..bad", "bugzot.bug.", ".bugzot", "bugzot..bad uri#", "a b", "a#b", "a\tb", "a\u{00A0}b", "a\u{2003}b"] {
            #expect(!WAMPURI.isValid(uri), "\(uri)")
        }
    }

    @Test("strict URIs: only 0-9, a-z and _")
    func strict() {
        #expect(WAMPURI.isValid("com.example.bench_topic.2", rule: .strict))
        #expect(!WAMPURI.isValid("com.Example", rule: .strict))
        #expect(!WAMPURI.isValid("com.ex-ample", rule: .strict))
        #expect(!WAMPURI.isValid("com.café", rule: .strict))
    }

    @Test("prefix patterns may end with an empty component; wildcards may have empty ones anywhere")
    func patterns() {
        #expect(WAMPURI.isValid("bugzot.bug.", match: .prefix))
        #expect(WAMPURI.isValid("bugzot.product.Widget.", match: .prefix))
        #expect(WAMPURI.isValid("bugzot.bug.chan", match: .prefix))
        #expect(!WAMPURI.isValid("bugzot..bug.", match: .prefix))
        #expect(!WAMPURI.isValid("", match: .prefix))
        #expect(WAMPURI.isValid("bugzot.bug..12345", match: .wildcard))
        #expect(WAMPURI.isValid("..", match: .wildcard))
        #expect(WAMPURI.isValid(".bug.", match: .wildcard))
        #expect(!WAMPURI.isValid("bugzot.bug..1 2", match: .wildcard))
        #expect(!WAMPURI.isValid("", match: .wildcard))
    }

    @Test("the match option: exact without one; unknown names and non-strings are none")
    func matchOption() {
        #expect(WAMPURI.Match(options: [:]) == .exact)
        #expect(WAMPURI.Match(options: ["match": "prefix"]) == .prefix)
        #expect(WAMPURI.Match(options: ["match": "wildcard"]) == .wildcard)
        #expect(WAMPURI.Match(options: ["match": "regex"]) == nil)
        #expect(WAMPURI.Match(options: ["match": 1]) == nil)
    }

    @Test("URIs under wamp. are the router's")
    func reserved() {
        #expect(WAMPURI.isReserved("wamp.session.count"))
        #expect(WAMPURI.isReserved("wamp.bugzot.proc"))
        #expect(!WAMPURI.isReserved("wampy.thing"))
        #expect(!WAMPURI.isReserved("bugzot.bug.get"))
    }

    @Test("realm names autobahn accepts")
    func realms() {
        #expect(WAMPURI.isValidRealm("bugzot"))
        #expect(WAMPURI.isValidRealm("com.example-realm@1"))
        #expect(!WAMPURI.isValidRealm("bz"))
        #expect(!WAMPURI.isValidRealm("1bugzot"))
        #expect(!WAMPURI.isValidRealm("bug zot"))
        #expect(!WAMPURI.isValidRealm(String(repeating: "a", count: 256)))
    }
}
