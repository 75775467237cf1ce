import BugZotDomain
import BugZotServices
import BugZotWire

/// The topics an item of news is published under and the payload a subscriber gets (the
/// contract's "Topics and payloads").
enum BugNewsTopics {
    /// The item's topics, the per-bug ones first: `bugzot.bug.<kind>.<id>`,
    /// `bugzot.product.<product>.bug.<kind>.<id>`, `bugzot.bug.<kind>`.
    static func topics(of news: BugNews) -> [String] {
        let kind = news.kind.rawValue
        return [
            "bugzot.bug.\(kind).\(news.bugID)", "bugzot.product.\(component(news.product)).bug.\(kind).\(news.bugID)", "bugzot.bug.\(kind)",
        ]
    }

    /// A product name as one URI component: `%`, `.`, `#` and whitespace percent-encoded
    /// (`My Product` → `My%20Product`).
    static func component(_ name: String) -> String {
        var encoded = ""
        for scalar in name.unicodeScalars {
            if scalar == "%" || scalar == "." || scalar == "#" || scalar.properties.isWhitespace {
                for byte in String(scalar).utf8 { encoded += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true) }
            } else {
                encoded.unicodeScalars.append(scalar)
            }
        }
        return encoded
    }

    /// The EVENT payload (also each item `bugzot.events.since` returns), in REST's shapes as
    /// `viewer` sees them.
    static func payload(_ news: BugNews, workflow: Workflow, viewer: Principal) -> JSONValue {
        var payload: JSONObject = [
            "sequence": .int(news.sequence), "kind": .string(news.kind.rawValue), "bug_id": .int(news.bugID),
            "product": .string(news.product), "component": .string(news.component), "when": JSONValue(date: news.when),
            "who": .string(news.actor),
        ]
        if let bug = news.bug { payload["bug"] = .object(Present.bug(bug, workflow: workflow, viewer: viewer)) }
        if news.kind == .changed || !news.changes.isEmpty { payload["changes"] = Present.changes(news.changes) }
        if let comment = news.comment { payload["comment"] = Present.comment(comment) }
        if let attachment = news.attachment { payload["attachment"] = .object(Present.attachment(attachment)) }
        return .object(payload)
    }
}
