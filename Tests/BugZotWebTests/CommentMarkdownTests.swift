import BugZotDomain
import BugZotWeb
import Testing

@Suite("Comment text rendered as a safe subset of Markdown")
struct CommentMarkdownTests {
    let markdown = CommentMarkdown(bugURL: { "/bug/\($0)" })

    func html(_ text: String) -> String {
        markdown.html(text)
    }

    // MARK: Escaping

    @Test("HTML.escape replaces the five special characters")
    func escape() {
        #expect(HTML.escape(#"<a href="x">Tom & Jerry's</a>"#)
            == "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;")
    }

    @Test("a combining mark cannot smuggle a raw < past the escaper")
    func combiningMarkAfterLessThan() {
        #expect(HTML.escape("<\u{338}script>") == "&lt;\u{338}script&gt;")
        #expect(html("<\u{338}script>") == "<p>&lt;\u{338}script&gt;</p>")
    }

    // MARK: Blocks

    @Test("empty and whitespace-only text renders as nothing")
    func emptyText() {
        #expect(html("") == "")
        #expect(html(" \n\t\n  \r\n") == "")
    }

    @Test("blank lines separate paragraphs and single line breaks are kept")
    func paragraphs() {
        #expect(html("one\ntwo\r\n\r\nthree") == "<p>one<br>\ntwo</p>\n<p>three</p>")
    }

    @Test("a fenced code block is escaped and nothing inside it is interpreted")
    func fencedCode() {
        let text = "Trace:\n```swift\nlet a = b * c * d // <tag> & bug 1\n**not bold**\n```\nafter"
        #expect(html(text) == """
            <p>Trace:</p>
            <pre><code>let a = b * c * d // &lt;tag&gt; &amp; bug 1
            **not bold**</code></pre>
            <p>after</p>
            """)
    }

    @Test("an unclosed fence runs to the end of the text")
    func unclosedFence() {
        #expect(html("```\n<b>\n\n") == "<pre><code>&lt;b&gt;</code></pre>")
    }

    @Test("lines indented by four spaces after a blank line are code")
    func indentedCode() {
        #expect(html("    $ make\n\tok\n\n    done\n\ntext") == "<pre><code>$ make\nok\n\ndone</code></pre>\n<p>text</p>")
    }

    @Test("an indented line inside a paragraph is not code")
    func indentedContinuation() {
        #expect(html("intro\n    more") == "<p>intro<br>\nmore</p>")
    }

    @Test("quoted lines become a block quote with rendered content")
    func blockQuote() {
        #expect(html("> I see *this*\n>still\n\nreply") == """
            <blockquote>
            <p>I see <em>this</em><br>
            still</p>
            </blockquote>
            <p>reply</p>
            """)
    }

    @Test("quotes nest, and nesting deeper than eight levels stays literal")
    func nestedQuotes() {
        #expect(html(">> inner\n> outer") == """
            <blockquote>
            <blockquote>
            <p>inner</p>
            </blockquote>
            <p>outer</p>
            </blockquote>
            """)
        let deep = html(String(repeating: ">", count: 20) + " x")
        #expect(deep.split(separator: "\n").count(where: { $0 == "<blockquote>" }) == 8)
        #expect(deep.contains("<p>" + String(repeating: "&gt;", count: 12) + " x</p>"))
    }

    @Test("bullet lines with - or * form a list, and indented lines continue an item")
    func bulletList() {
        #expect(html("Steps:\n- open *it*\n* close\n  it\nDone") == """
            <p>Steps:</p>
            <ul>
            <li>open <em>it</em></li>
            <li>close<br>
            it</li>
            </ul>
            <p>Done</p>
            """)
    }

    @Test("blank lines between bullets keep a single list")
    func looseList() {
        #expect(html("- a\n\n- b\n\nafter") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<p>after</p>")
    }

    @Test("a marker without a following space is not a bullet")
    func notABullet() {
        #expect(html("-1 degrees\n*bold*") == "<p>-1 degrees<br>\n<em>bold</em></p>")
    }

    // MARK: Inline formatting

    @Test("backticks make inline code whose content is not interpreted")
    func inlineCode() {
        #expect(html("run `a *b* <c> bug 1` now") == "<p>run <code>a *b* &lt;c&gt; bug 1</code> now</p>")
        #expect(html("`` a ` b ``") == "<p><code>a ` b</code></p>")
    }

    @Test("double asterisks are strong, single asterisks and underscores are emphasis")
    func emphasis() {
        #expect(html("**strong** *em* _em_ **a *b* c**")
            == "<p><strong>strong</strong> <em>em</em> <em>em</em> <strong>a <em>b</em> c</strong></p>")
    }

    @Test("underscores inside words are not emphasis")
    func intrawordUnderscore() {
        #expect(html("call snake_case_name and __init__") == "<p>call snake_case_name and __init__</p>")
    }

    @Test("unclosed or unmatched markers stay literal")
    func unmatchedMarkers() {
        #expect(html("2 * 3 * 4, *open, **half, _under, `tick, [x] (y), ***")
            == "<p>2 * 3 * 4, *open, **half, _under, `tick, [x] (y), ***</p>")
    }

    // MARK: Links

    @Test("an explicit link gets its URL and rel attribute, and its text is formatted")
    func explicitLink() {
        #expect(html("see [the *docs*](https://example.com/a_(b)?q=1&r=2)")
            == #"<p>see <a href="https://example.com/a_(b)?q=1&amp;r=2" rel="nofollow noopener noreferrer">the <em>docs</em></a></p>"#)
    }

    @Test("mailto links are allowed")
    func mailtoLink() {
        #expect(html("[mail me](mailto:dev@example.com)")
            == #"<p><a href="mailto:dev@example.com" rel="nofollow noopener noreferrer">mail me</a></p>"#)
    }

    @Test("links with other schemes, relative URLs or no text stay literal")
    func rejectedLinks() {
        #expect(html("[a](ftp://x) [b](/bug/1) [c](www.example.com) [ ](mailto:x) [d](http:)")
            == "<p>[a](ftp://x) [b](/bug/1) [c](www.example.com) [ ](mailto:x) [d](http:)</p>")
    }

    @Test("bare http and https URLs are linked without trailing punctuation")
    func bareURLs() {
        #expect(html("Crash at https://example.com/x?a=1&b=2. See (http://example.com/wiki/A_(b)), too!")
            == #"<p>Crash at <a href="https://example.com/x?a=1&amp;b=2" rel="nofollow noopener noreferrer">https://example.com/x?a=1&amp;b=2</a>. "#
            + #"See (<a href="http://example.com/wiki/A_(b)" rel="nofollow noopener noreferrer">http://example.com/wiki/A_(b)</a>), too!</p>"#)
    }

    @Test("a bare URL keeps its underscores and lets surrounding emphasis close")
    func bareURLInEmphasis() {
        #expect(html("*see https://x.org/a_b_c*")
            == #"<p><em>see <a href="https://x.org/a_b_c" rel="nofollow noopener noreferrer">https://x.org/a_b_c</a></em></p>"#)
    }

    @Test("text that merely contains a scheme is not linked")
    func notBareURLs() {
        #expect(html("xhttp://a http:// ftp://b") == "<p>xhttp://a http:// ftp://b</p>")
    }

    // MARK: Bug and comment references

    @Test("bug references link to the bug's page and keep their text")
    func bugReferences() {
        #expect(html("bug 123, Bug #7 and BUG 9.")
            == #"<p><a href="/bug/123">bug 123</a>, <a href="/bug/7">Bug #7</a> and <a href="/bug/9">BUG 9</a>.</p>"#)
    }

    @Test("comment references link to anchors on the same page")
    func commentReferences() {
        #expect(html("as comment #3 and Comment 4 say")
            == ##"<p>as <a href="#c3">comment #3</a> and <a href="#c4">Comment 4</a> say</p>"##)
    }

    @Test("a bug and comment reference links to the comment on the other bug")
    func bugCommentReference() {
        #expect(html("see bug 123 comment 4") == ##"<p>see <a href="/bug/123#c4">bug 123 comment 4</a></p>"##)
    }

    @Test("references inside words, without a number or with a huge number are not linked")
    func notReferences() {
        #expect(html("debug 12, bug, bug 12a, bug 0, bug 12345678901, comments 3")
            == "<p>debug 12, bug, bug 12a, bug 0, bug 12345678901, comments 3</p>")
    }

    @Test("nothing is auto-linked inside code or inside a link's text")
    func noLinksInCodeOrLinkText() {
        #expect(html("`bug 1 https://x.org` [bug 2 http://y.org](https://z.org)")
            == #"<p><code>bug 1 https://x.org</code> <a href="https://z.org" rel="nofollow noopener noreferrer">bug 2 http://y.org</a></p>"#)
    }

    @Test("the bug URL is escaped too")
    func bugURLEscaped() {
        let odd = CommentMarkdown(bugURL: { "/bug?id=\($0)&x=\"" })
        #expect(odd.html("bug 5") == #"<p><a href="/bug?id=5&amp;x=&quot;">bug 5</a></p>"#)
    }

    // MARK: Security

    @Test("raw HTML is escaped, never passed through")
    func rawHTML() {
        #expect(html("<script>alert('x')</script>") == "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>")
        #expect(html("<img src=x onerror=\"alert(1)\">") == "<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p>")
    }

    @Test("entities in the text are shown, not interpreted")
    func entities() {
        #expect(html("&lt;b&gt; &amp; &#60;") == "<p>&amp;lt;b&amp;gt; &amp;amp; &amp;#60;</p>")
    }

    @Test("javascript: links stay literal text, whatever their case")
    func javascriptLinks() {
        #expect(html("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>")
        #expect(html("[x](JaVaScRiPt:alert(1))") == "<p>[x](JaVaScRiPt:alert(1))</p>")
        #expect(html("[x](data:text/html;base64,PHNjcmlwdD4=)") == "<p>[x](data:text/html;base64,PHNjcmlwdD4=)</p>")
        #expect(!html("javascript:alert(1) vbscript:x data:text/html,x").contains("<a"))
    }

    @Test("schemes disguised with control or invisible characters stay literal")
    func disguisedSchemes() {
        #expect(!html("[x](java\u{1}script:alert(1))").contains("<a"))
        #expect(!html("[x](\u{200B}javascript:alert(1))").contains("<a"))
        #expect(!html("[x](ht\u{0}tp://x.org)").contains("<a"))
    }

    @Test("a quote cannot break out of an attribute")
    func attributeBreakout() {
        #expect(html(#"[x](" onmouseover=alert(1))"#) == "<p>[x](&quot; onmouseover=alert(1))</p>")
        #expect(html(#"[x](https://a.org/"onmouseover='alert(1)')"#)
            == #"<p><a href="https://a.org/&quot;onmouseover=&#39;alert(1)&#39;" rel="nofollow noopener noreferrer">x</a></p>"#)
        #expect(html(#"https://a.org/'onmouseover=x"#)
            == #"<p><a href="https://a.org/&#39;onmouseover=x" rel="nofollow noopener noreferrer">https://a.org/&#39;onmouseover=x</a></p>"#)
    }

    @Test("a bare URL stops before an angle bracket or quote")
    func bareURLStopsAtMarkup() {
        #expect(html(#"http://a.org/<script>"x"#)
            == #"<p><a href="http://a.org/" rel="nofollow noopener noreferrer">http://a.org/</a>&lt;script&gt;&quot;x</p>"#)
    }

    @Test("markup inside quotes, lists and link text is escaped")
    func markupInsideBlocks() {
        #expect(html("> <b>\n- <i>\n\n[<s>](https://x.org)") == """
            <blockquote>
            <p>&lt;b&gt;</p>
            </blockquote>
            <ul>
            <li>&lt;i&gt;</li>
            </ul>
            <p><a href="https://x.org" rel="nofollow noopener noreferrer">&lt;s&gt;</a></p>
            """)
    }

    @Test("NUL characters are replaced")
    func nulCharacter() {
        #expect(html("a\u{0}b") == "<p>a\u{FFFD}b</p>")
    }

    @Test("random Markdown soup only ever produces allowed, well-nested tags and safe links")
    func randomSoup() {
        let fragments = [
            "*", "**", "_", "`", "``", "[", "]", "(", ")", "<", ">", "&", "\"", "'", "\n", "\n\n", " ", "    ",
            "> ", "- ", "```\n", "bug 12", "comment #3", "bug 4 comment 5", "http://", "https://a.b/", "mailto:",
            "javascript:", "a", "x_y", ".", "\u{338}", "\r", "\u{0}", "é",
        ]
        var random = SeededRandom(seed: 42)
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 1...30, using: &random)).map { _ in fragments.randomElement(using: &random)! }.joined()
            let problem = HTMLShape.problem(in: html(text))
            #expect(problem == nil, "\(text.debugDescription)")
        }
    }

    // MARK: Pathological input

    @Test("pathological input of 64 KB renders quickly and safely", arguments: PathologicalInput.all)
    func pathological(input: PathologicalInput) {
        let clock = ContinuousClock()
        var output = ""
        let elapsed = clock.measure { output = html(input.text) }
        #expect(elapsed < .seconds(2))
        #expect(!output.contains("<script"))
    }
}

/// A large hostile comment, described by name so failures don't print 64 KB.
struct PathologicalInput: CustomTestStringConvertible, Sendable {
    let testDescription: String
    let text: String

    init(_ name: String, _ text: String) {
        testDescription = name
        self.text = text
    }

    static let all = [
        PathologicalInput("30k asterisks", String(repeating: "*", count: 30_000)),
        PathologicalInput("30k open brackets", String(repeating: "[", count: 30_000)),
        PathologicalInput("alternating asterisks", String(repeating: "*a", count: 30_000)),
        PathologicalInput("unclosed underscores", String(repeating: "_a ", count: 20_000)),
        PathologicalInput("mixed unclosed emphasis", String(repeating: "**a *", count: 13_000)),
        PathologicalInput("unclosed link targets", String(repeating: "[a](", count: 16_000)),
        PathologicalInput("unclosed nested parentheses", String(repeating: "[a](b(", count: 10_000)),
        PathologicalInput("30k backticks", String(repeating: "`", count: 30_000)),
        PathologicalInput("backtick runs of every length", (1...350).map { String(repeating: "`", count: $0) }.joined(separator: "x")),
        PathologicalInput("30k quote markers", String(repeating: ">", count: 30_000) + " <script>"),
        PathologicalInput("30k quoted lines", String(repeating: "> ", count: 30_000) + "\n" + String(repeating: ">\n", count: 30_000)),
        PathologicalInput("30k bullets", String(repeating: "- ", count: 30_000)),
        PathologicalInput("references without numbers", String(repeating: "bug ", count: 16_000)),
        PathologicalInput("repeated schemes", String(repeating: "http://", count: 9_000)),
        PathologicalInput("script tags", String(repeating: "<script>", count: 8_000)),
        PathologicalInput("16k fences", String(repeating: "```\n", count: 16_000)),
    ]
}

/// A small deterministic generator, so random tests fail the same way every time.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed | 1
    }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}

/// Checks rendered HTML byte by byte: only the renderer's own tags, properly nested, with
/// no raw `&`, `"`, `'` or `>` in text and only http(s), mailto, bug and comment links.
enum HTMLShape {
    static let elements: Set = ["p", "pre", "code", "blockquote", "ul", "li", "strong", "em"]
    static let entities = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
    static let hrefs = ["http://", "https://", "mailto:", "/bug/", "#c"]
    static let rel = #" rel="nofollow noopener noreferrer""#

    static func problem(in html: String) -> String? {
        let bytes = Array(html.utf8)
        var open: [String] = []
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "&"):
                guard entities.contains(where: { bytes[index...].starts(with: $0.utf8) }) else { return "raw &" }
                index += 1
            case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ">"):
                return "raw quote or >"
            case UInt8(ascii: "<"):
                guard let end = bytes[index...].firstIndex(of: UInt8(ascii: ">")) else { return "unterminated tag" }
                let tag = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
                index = end + 1
                if tag == "br" { continue }
                if tag.hasPrefix("/") {
                    guard open.popLast() == String(tag.dropFirst()) else { return "misnested </\(tag.dropFirst())>" }
                } else if elements.contains(tag) {
                    open.append(tag)
                } else if let problem = linkProblem(tag, insideLink: open.contains("a")) {
                    return problem
                } else {
                    open.append("a")
                }
            default:
                index += 1
            }
        }
        return open.isEmpty ? nil : "unclosed \(open)"
    }

    private static func linkProblem(_ tag: String, insideLink: Bool) -> String? {
        let bytes = Array(tag.utf8)
        let prefix = Array(#"a href=""#.utf8)
        guard !insideLink, bytes.starts(with: prefix),
              let quote = bytes[prefix.count...].firstIndex(of: UInt8(ascii: "\""))
        else { return "unexpected tag <\(tag)>" }
        let href = bytes[prefix.count..<quote]
        let rest = String(decoding: bytes[(quote + 1)...], as: UTF8.self)
        guard hrefs.contains(where: { href.starts(with: $0.utf8) }), rest.isEmpty || rest == rel else { return "unsafe link <\(tag)>" }
        return nil
    }
}
