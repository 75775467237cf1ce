import BugZotDomain
import Foundation

// MARK: - Comment Markdown

/// Comment text as HTML: a safe subset of Markdown, everything else escaped.
///
/// Blocks: paragraphs (single line breaks kept as `<br>`), fenced and indented code,
/// block quotes and flat bullet lists. Inline: code spans, `**strong**`, `*em*` and `_em_`,
/// `[text](url)` links, bare http(s) URLs, and `bug 123` / `comment #3` / `attachment 7` references.
///
/// The output only ever contains the elements `p`, `br`, `pre`, `code`, `blockquote`, `ul`,
/// `li`, `strong`, `em` and `a`, and the attributes `href` and `rel`; every link target is
/// http, https, mailto or built by `bugURL` / `attachmentURL`. Rendering is close to linear in
/// the input size.
public struct CommentMarkdown: Sendable {
    private let bugURL: @Sendable (Int) -> String
    private let attachmentURL: @Sendable (Int) -> String?

    /// The URL of a bug's page, e.g. { "/bug/\($0)" }, and of an attachment the reader may see
    /// (nil leaves `attachment 7` as text: one the reader may not see, or no such attachment).
    public init(bugURL: @escaping @Sendable (Int) -> String, attachmentURL: @escaping @Sendable (Int) -> String? = { _ in nil }) {
        self.bugURL = bugURL
        self.attachmentURL = attachmentURL
    }

    /// The HTML for a comment's `text`; empty when the text is empty or only whitespace.
    ///
    /// `comment #3` references become `#c3` anchors on the page the comment is shown on.
    public func html(_ text: String) -> String {
        BlockRenderer(bugURL: bugURL, attachmentURL: attachmentURL).render(SourceText.lines(of: text), depth: 0)
    }
}

// MARK: - Blocks

/// Splits normalised text into lines.
private enum SourceText {
    static func lines(of text: String) -> [SourceLine] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.utf8.count)
        var afterCarriageReturn = false
        for scalar in text.unicodeScalars {
            defer { afterCarriageReturn = scalar == "\r" }
            switch scalar {
            case "\n" where afterCarriageReturn: continue  // the second half of "\r\n"
            case "\r": scalars.append("\n")
            case "\0": scalars.append("\u{FFFD}")
            default: scalars.append(scalar)
            }
        }
        return scalars.split(separator: "\n", omittingEmptySubsequences: false).map(SourceLine.init)
    }
}

/// One line of source text, sharing storage with the whole comment.
private struct SourceLine {
    /// Indentation, in columns, that makes a line indented code.
    static let codeIndentation = 4

    let scalars: ArraySlice<Unicode.Scalar>

    var isBlank: Bool {
        scalars.allSatisfy(\.properties.isWhitespace)
    }

    /// Leading whitespace in columns, a tab advancing to the next multiple of four.
    var indentation: Int {
        var columns = 0
        for scalar in scalars {
            guard scalar.isInlineSpace else { break }
            columns = scalar == "\t" ? columns + 4 - columns % 4 : columns + 1
        }
        return columns
    }

    /// The text after at most three columns of indentation; nil when indented like code.
    var unindented: ArraySlice<Unicode.Scalar>? {
        indentation < Self.codeIndentation ? scalars.drop(while: \.isInlineSpace) : nil
    }

    /// The line without surrounding whitespace.
    var trimmed: ArraySlice<Unicode.Scalar> {
        let start = scalars.drop(while: \.properties.isWhitespace)
        var end = start.endIndex
        while end > start.startIndex, start[end - 1].properties.isWhitespace {
            end -= 1
        }
        return start[..<end]
    }

    func droppingIndentation(_ width: Int) -> SourceLine {
        var columns = 0
        var index = scalars.startIndex
        while index < scalars.endIndex, columns < width, scalars[index].isInlineSpace {
            columns = scalars[index] == "\t" ? columns + 4 - columns % 4 : columns + 1
            index += 1
        }
        return SourceLine(scalars: scalars[index...])
    }

    /// The text after `>` and one optional space, when this is a block-quote line.
    var quotedContent: SourceLine? {
        guard let rest = unindented, rest.first == ">" else { return nil }
        let content = rest.dropFirst()
        return SourceLine(scalars: content.first == " " ? content.dropFirst() : content)
    }

    /// The text after `- ` or `* `, when this is a bullet. Inside a list any indentation is
    /// allowed, which flattens nested lists.
    func listItemContent(insideList: Bool) -> SourceLine? {
        guard let rest = insideList ? scalars.drop(while: \.isInlineSpace) : unindented,
              let marker = rest.first, marker == "-" || marker == "*",
              rest.dropFirst().first?.isInlineSpace == true
        else { return nil }
        return SourceLine(scalars: rest.dropFirst(2))
    }
}

/// A fence of three or more backticks opening a code block.
private struct CodeFence {
    private let length: Int

    init?(opening line: SourceLine) {
        guard let rest = line.unindented else { return nil }
        let ticks = rest.prefix(while: { $0 == "`" }).count
        // Backticks after the fence make it inline code (```a```), not an info string.
        guard ticks >= 3, !rest.dropFirst(ticks).contains("`") else { return nil }
        length = ticks
    }

    func isClosed(by line: SourceLine) -> Bool {
        guard let rest = line.unindented else { return false }
        let ticks = rest.prefix(while: { $0 == "`" }).count
        return ticks >= length && rest.dropFirst(ticks).allSatisfy(\.properties.isWhitespace)
    }
}

/// Renders lines as block-level HTML, delegating text to ``InlineRenderer``.
private struct BlockRenderer {
    /// Quotes nested deeper than this keep their extra `>` markers as literal text.
    private static let maximumQuoteDepth = 8

    let bugURL: @Sendable (Int) -> String
    let attachmentURL: @Sendable (Int) -> String?

    func render(_ lines: [SourceLine], depth: Int) -> String {
        var blocks: [String] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if line.isBlank {
                index += 1
            } else if let fence = CodeFence(opening: line) {
                blocks.append(fencedCode(lines, index: &index, fence: fence))
            } else if line.indentation >= SourceLine.codeIndentation {
                blocks.append(indentedCode(lines, index: &index))
            } else if depth < Self.maximumQuoteDepth, line.quotedContent != nil {
                blocks.append(blockQuote(lines, index: &index, depth: depth))
            } else if line.listItemContent(insideList: false) != nil {
                blocks.append(list(lines, index: &index))
            } else {
                blocks.append(paragraph(lines, index: &index, depth: depth))
            }
        }
        return blocks.joined(separator: "\n")
    }

    private func fencedCode(_ lines: [SourceLine], index: inout Int, fence: CodeFence) -> String {
        index += 1
        var content: [SourceLine] = []
        var isClosed = false
        while index < lines.count, !isClosed {
            isClosed = fence.isClosed(by: lines[index])
            if !isClosed { content.append(lines[index]) }
            index += 1
        }
        if !isClosed {
            while content.last?.isBlank == true { content.removeLast() }
        }
        return code(content)
    }

    private func indentedCode(_ lines: [SourceLine], index: inout Int) -> String {
        var content: [SourceLine] = []
        while index < lines.count, lines[index].isBlank || lines[index].indentation >= SourceLine.codeIndentation {
            content.append(lines[index].droppingIndentation(SourceLine.codeIndentation))
            index += 1
        }
        while content.last?.isBlank == true { content.removeLast() }
        return code(content)
    }

    private func code(_ lines: [SourceLine]) -> String {
        "<pre><code>" + lines.map { HTML.escapeScalars($0.scalars) }.joined(separator: "\n") + "</code></pre>"
    }

    private func blockQuote(_ lines: [SourceLine], index: inout Int, depth: Int) -> String {
        var inner: [SourceLine] = []
        while index < lines.count, let content = lines[index].quotedContent {
            inner.append(content)
            index += 1
        }
        let body = render(inner, depth: depth + 1)
        return body.isEmpty ? "<blockquote></blockquote>" : "<blockquote>\n\(body)\n</blockquote>"
    }

    private func list(_ lines: [SourceLine], index: inout Int) -> String {
        var items: [[SourceLine]] = []
        while index < lines.count {
            let line = lines[index]
            if line.isBlank {
                // Blank lines between bullets keep one list ("- a\n\n- b").
                let next = lines[index...].firstIndex { !$0.isBlank } ?? lines.count
                guard next < lines.count, lines[next].listItemContent(insideList: false) != nil else { break }
                index = next
                continue
            }
            if let content = line.listItemContent(insideList: !items.isEmpty) {
                items.append([content])
            } else if line.indentation > 0, line.quotedContent == nil, CodeFence(opening: line) == nil {
                // An indented line continues the previous item, like a wrapped sentence.
                items[items.count - 1].append(line)
            } else {
                break
            }
            index += 1
        }
        let rendered = items.map { "<li>\(inline($0))</li>" }
        return "<ul>\n" + rendered.joined(separator: "\n") + "\n</ul>"
    }

    private func paragraph(_ lines: [SourceLine], index: inout Int, depth: Int) -> String {
        var content = [lines[index]]
        index += 1
        while index < lines.count, !lines[index].isBlank, !interruptsParagraph(lines[index], depth: depth) {
            content.append(lines[index])
            index += 1
        }
        return "<p>\(inline(content))</p>"
    }

    private func interruptsParagraph(_ line: SourceLine, depth: Int) -> Bool {
        CodeFence(opening: line) != nil
            || (depth < Self.maximumQuoteDepth && line.quotedContent != nil)
            || line.listItemContent(insideList: false) != nil
    }

    private func inline(_ lines: [SourceLine]) -> String {
        var text: [Unicode.Scalar] = []
        for (number, line) in lines.enumerated() {
            if number > 0 { text.append("\n") }
            text.append(contentsOf: line.trimmed)
        }
        return InlineRenderer(text: text, bugURL: bugURL, attachmentURL: attachmentURL).render()
    }
}

// MARK: - Inline text

/// Renders the text of one paragraph or list item with a single left-to-right scan.
///
/// Each construct is recognised where it starts; lookahead never rescans text that a
/// previous lookahead already covered, so the work stays close to linear.
private struct InlineRenderer {
    private static let externalLinkRel = "nofollow noopener noreferrer"

    /// A recognised construct: its HTML and the position just after its source text.
    private struct Match {
        let html: String
        let end: Int
    }

    private let text: [Unicode.Scalar]
    private let bugURL: @Sendable (Int) -> String
    private let attachmentURL: @Sendable (Int) -> String?
    private let backtickRuns: BacktickRuns

    init(text: [Unicode.Scalar], bugURL: @escaping @Sendable (Int) -> String, attachmentURL: @escaping @Sendable (Int) -> String?) {
        self.text = text
        self.bugURL = bugURL
        self.attachmentURL = attachmentURL
        self.backtickRuns = BacktickRuns(text)
    }

    func render() -> String {
        render(text.startIndex..<text.endIndex, linking: true)
    }

    /// `linking` is false inside a link's text, since links cannot nest.
    private func render(_ range: Range<Int>, linking: Bool) -> String {
        var output = InlineOutput()
        var position = range.lowerBound
        while position < range.upperBound {
            let scalar = text[position]
            if scalar == "`" {
                position = codeSpan(at: position, in: range, into: &output)
            } else if scalar == "*" || scalar == "_" {
                position = emphasisDelimiter(at: position, in: range, into: &output)
            } else if scalar == "\n" {
                output.appendHTML("<br>\n")
                position += 1
            } else if linking, let link = link(at: position, in: range) {
                output.appendHTML(link.html)
                position = link.end
            } else {
                output.appendText(scalar)
                position += 1
            }
        }
        return output.finish()
    }

    // MARK: Code spans and emphasis

    private func codeSpan(at position: Int, in range: Range<Int>, into output: inout InlineOutput) -> Int {
        let runEnd = end(ofRunOf: "`", from: position, limit: range.upperBound)
        let length = runEnd - position
        guard let closer = backtickRuns.firstRun(ofLength: length, from: runEnd),
              closer + length <= range.upperBound
        else {
            output.appendHTML(String(repeating: "`", count: length))
            return runEnd
        }
        var content = text[runEnd..<closer].map { $0 == "\n" ? " " : $0 }
        if content.count >= 2, content.first == " ", content.last == " ", content.contains(where: { $0 != " " }) {
            content.removeFirst()
            content.removeLast()
        }
        output.appendHTML("<code>" + HTML.escapeScalars(content) + "</code>")
        return closer + length
    }

    private func emphasisDelimiter(at position: Int, in range: Range<Int>, into output: inout InlineOutput) -> Int {
        let marker = text[position]
        let runEnd = end(ofRunOf: marker, from: position, limit: range.upperBound)
        let literal = String(repeating: Character(marker), count: runEnd - position)
        guard let kind = EmphasisKind(marker: marker, length: runEnd - position) else {
            output.appendHTML(literal)
            return runEnd
        }
        let before = position > range.lowerBound ? text[position - 1] : nil
        let after = runEnd < range.upperBound ? text[runEnd] : nil
        let leftFlanking = after.map { !$0.properties.isWhitespace } ?? false
        let rightFlanking = before.map { !$0.properties.isWhitespace } ?? false
        // Underscores inside words (snake_case_name) are never emphasis.
        let isIntraword = marker == "_"
        let canOpen = leftFlanking && !(isIntraword && before?.isAlphanumericScalar == true)
        let canClose = rightFlanking && !(isIntraword && after?.isAlphanumericScalar == true)
        output.appendDelimiter(kind, literal: literal, canOpen: canOpen, canClose: canClose)
        return runEnd
    }

    private func end(ofRunOf marker: Unicode.Scalar, from position: Int, limit: Int) -> Int {
        var end = position
        while end < limit, text[end] == marker { end += 1 }
        return end
    }

    // MARK: Links

    private func link(at position: Int, in range: Range<Int>) -> Match? {
        switch text[position] {
        case "[": explicitLink(at: position, limit: range.upperBound)
        case "h", "H": bareURL(at: position, in: range)
        case "b", "B", "c", "C", "a", "A": bugReference(at: position, in: range)
        default: nil
        }
    }

    /// `[text](url)`. The text may not contain brackets and the URL may not contain brackets or
    /// whitespace, so a failed attempt never overlaps the next one.
    private func explicitLink(at position: Int, limit: Int) -> Match? {
        var closeBracket = position + 1
        while closeBracket < limit, text[closeBracket] != "]" {
            if text[closeBracket] == "[" { return nil }
            closeBracket += 1
        }
        let urlStart = closeBracket + 2
        guard urlStart <= limit, text[closeBracket + 1] == "(" else { return nil }
        var closeParen = urlStart
        var depth = 0
        while closeParen < limit {
            let scalar = text[closeParen]
            if scalar == ")" {
                if depth == 0 { break }
                depth -= 1
            } else if scalar == "(" {
                depth += 1
            } else if scalar == "[" || scalar == "]" || scalar.isForbiddenInURL {
                return nil
            }
            closeParen += 1
        }
        let label = position + 1..<closeBracket
        guard closeParen < limit,
              text[label].contains(where: { !$0.properties.isWhitespace }),
              let url = LinkURL.validated(text[urlStart..<closeParen])
        else { return nil }
        let html = "<a href=\"\(HTML.escape(url))\" rel=\"\(Self.externalLinkRel)\">"
            + render(label, linking: false) + "</a>"
        return Match(html: html, end: closeParen + 1)
    }

    /// A bare `http://` or `https://` URL, without trailing punctuation.
    private func bareURL(at position: Int, in range: Range<Int>) -> Match? {
        guard position == range.lowerBound || !text[position - 1].isAlphanumericScalar,
              let prefix = ["https://", "http://"].first(where: { hasPrefix($0, at: position, limit: range.upperBound) })
        else { return nil }
        let hostStart = position + prefix.unicodeScalars.count
        var end = hostStart
        while end < range.upperBound, text[end].isAllowedInBareURL { end += 1 }
        end = endTrimmingPunctuation(from: hostStart, to: end)
        guard end > hostStart, let url = LinkURL.validated(text[position..<end]) else { return nil }
        let escaped = HTML.escape(url)
        return Match(html: "<a href=\"\(escaped)\" rel=\"\(Self.externalLinkRel)\">\(escaped)</a>", end: end)
    }

    /// Drops sentence punctuation after a URL, and closing brackets that have no opening one
    /// inside it, as in "(see https://example.com/a_(b))."
    private func endTrimmingPunctuation(from start: Int, to end: Int) -> Int {
        var end = end
        let url = text[start..<end]
        var unmatchedParens = url.count(where: { $0 == ")" }) - url.count(where: { $0 == "(" })
        var unmatchedBrackets = url.count(where: { $0 == "]" }) - url.count(where: { $0 == "[" })
        while end > start {
            switch text[end - 1] {
            case ".", ",", ":", ";", "!", "?", "'", "*", "_":
                break
            case ")" where unmatchedParens > 0:
                unmatchedParens -= 1
            case "]" where unmatchedBrackets > 0:
                unmatchedBrackets -= 1
            default:
                return end
            }
            end -= 1
        }
        return end
    }

    /// `bug 123`, `bug #123`, `comment 3`, `comment #3`, `bug 123 comment 4` or `attachment 7`
    /// (one `attachmentURL` links), any case.
    private func bugReference(at position: Int, in range: Range<Int>) -> Match? {
        guard position == range.lowerBound || !text[position - 1].isWordScalar else { return nil }
        let limit = range.upperBound
        let href: String
        let end: Int
        if let bug = numberedReference("bug", at: position, limit: limit) {
            let gapEnd = self.end(ofSpacesFrom: bug.end, limit: limit)
            if gapEnd > bug.end, let comment = numberedReference("comment", at: gapEnd, limit: limit) {
                href = bugURL(bug.number) + "#c\(comment.number)"
                end = comment.end
            } else {
                href = bugURL(bug.number)
                end = bug.end
            }
        } else if let comment = numberedReference("comment", at: position, limit: limit) {
            href = "#c\(comment.number)"
            end = comment.end
        } else if let attachment = numberedReference("attachment", at: position, limit: limit), let url = attachmentURL(attachment.number) {
            href = url
            end = attachment.end
        } else {
            return nil
        }
        let html = "<a href=\"\(HTML.escape(href))\">\(HTML.escapeScalars(text[position..<end]))</a>"
        return Match(html: html, end: end)
    }

    /// `keyword`, spaces, an optional `#` and a positive number of at most nine digits.
    private func numberedReference(_ keyword: String, at position: Int, limit: Int) -> (number: Int, end: Int)? {
        guard hasPrefix(keyword, at: position, limit: limit) else { return nil }
        let keywordEnd = position + keyword.unicodeScalars.count
        var index = end(ofSpacesFrom: keywordEnd, limit: limit)
        guard index > keywordEnd else { return nil }
        if index < limit, text[index] == "#" { index += 1 }
        var number = 0
        let digitsStart = index
        while index < limit, let digit = text[index].asciiDigitValue {
            guard index - digitsStart < 9 else { return nil }
            number = number * 10 + digit
            index += 1
        }
        guard number > 0, index == limit || !text[index].isWordScalar else { return nil }
        return (number, index)
    }

    private func end(ofSpacesFrom position: Int, limit: Int) -> Int {
        var end = position
        while end < limit, text[end].isInlineSpace { end += 1 }
        return end
    }

    /// Whether `word` (lowercase ASCII) starts at `position`, ignoring ASCII case.
    private func hasPrefix(_ word: String, at position: Int, limit: Int) -> Bool {
        var index = position
        for expected in word.unicodeScalars {
            guard index < limit, text[index].asciiLowercased == expected else { return false }
            index += 1
        }
        return true
    }
}

/// The start positions of every maximal run of backticks, by run length, so a code span's
/// closing run is found without scanning.
private struct BacktickRuns {
    private var startsByLength: [Int: [Int]] = [:]

    init(_ text: [Unicode.Scalar]) {
        var index = 0
        while index < text.count {
            guard text[index] == "`" else {
                index += 1
                continue
            }
            let start = index
            while index < text.count, text[index] == "`" { index += 1 }
            startsByLength[index - start, default: []].append(start)
        }
    }

    /// The first run of exactly `length` backticks starting at or after `position`.
    func firstRun(ofLength length: Int, from position: Int) -> Int? {
        guard let starts = startsByLength[length] else { return nil }
        var low = 0
        var high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle] < position { low = middle + 1 } else { high = middle }
        }
        return low < starts.count ? starts[low] : nil
    }
}

/// What a run of `*` or `_` may stand for; longer runs are literal text.
private enum EmphasisKind: Int, CaseIterable {
    case starEmphasis, strong, underscoreEmphasis

    init?(marker: Unicode.Scalar, length: Int) {
        switch (marker, length) {
        case ("*", 1): self = .starEmphasis
        case ("*", 2): self = .strong
        case ("_", 1): self = .underscoreEmphasis
        default: return nil
        }
    }

    var openTag: String { self == .strong ? "<strong>" : "<em>" }
    var closeTag: String { self == .strong ? "</strong>" : "</em>" }
}

/// Inline HTML under construction, pairing emphasis delimiters as they arrive.
///
/// A closer pairs with the nearest opener of its kind; openers above it become literal
/// text, so pairs always nest properly and each delimiter is handled once.
private struct InlineOutput {
    private struct Opener {
        let piece: Int
        let kind: EmphasisKind
    }

    private var pieces = [""]
    private var openers: [Opener] = []
    private var openerCounts = Array(repeating: 0, count: EmphasisKind.allCases.count)

    mutating func appendText(_ scalar: Unicode.Scalar) {
        HTML.appendEscaped(scalar, to: &pieces[pieces.count - 1])
    }

    /// Appends markup produced by the renderer itself, never raw user text.
    mutating func appendHTML(_ html: String) {
        pieces[pieces.count - 1] += html
    }

    mutating func appendDelimiter(_ kind: EmphasisKind, literal: String, canOpen: Bool, canClose: Bool) {
        if canClose, openerCounts[kind.rawValue] > 0 {
            while let opener = openers.popLast() {
                openerCounts[opener.kind.rawValue] -= 1
                if opener.kind == kind {
                    pieces[opener.piece] = kind.openTag
                    pieces.append(kind.closeTag)
                    pieces.append("")
                    return
                }
            }
        }
        if canOpen {
            openers.append(Opener(piece: pieces.count, kind: kind))
            openerCounts[kind.rawValue] += 1
            pieces.append(literal)
            pieces.append("")
        } else {
            appendHTML(literal)
        }
    }

    func finish() -> String {
        pieces.joined()
    }
}

/// The link targets allowed in comments.
private enum LinkURL {
    private static let allowedSchemes: Set<String> = ["http", "https", "mailto"]

    /// The URL as a string when its scheme is http, https or mailto and it has no whitespace
    /// or control characters; nil for everything else, including relative URLs.
    static func validated(_ scalars: ArraySlice<Unicode.Scalar>) -> String? {
        guard !scalars.contains(where: \.isForbiddenInURL),
              let colon = scalars.firstIndex(of: ":")
        else { return nil }
        var scheme = ""
        scheme.unicodeScalars.append(contentsOf: scalars[..<colon].map(\.asciiLowercased))
        let rest = scalars[(colon + 1)...]
        guard allowedSchemes.contains(scheme), !rest.isEmpty else { return nil }
        if scheme != "mailto" {
            guard rest.starts(with: "//".unicodeScalars), rest.count > 2 else { return nil }
        }
        var url = ""
        url.unicodeScalars.append(contentsOf: scalars)
        return url
    }
}

// MARK: - Scalar classes

extension Unicode.Scalar {
    fileprivate var isInlineSpace: Bool {
        self == " " || self == "\t"
    }

    fileprivate var isAlphanumericScalar: Bool {
        properties.isAlphabetic || properties.numericType != nil
    }

    /// Letters, digits and `_`: characters that glue a `bug` keyword to a longer word.
    fileprivate var isWordScalar: Bool {
        isAlphanumericScalar || self == "_"
    }

    fileprivate var isForbiddenInURL: Bool {
        properties.isWhitespace || properties.generalCategory == .control || properties.generalCategory == .format
    }

    fileprivate var isAllowedInBareURL: Bool {
        !isForbiddenInURL && self != "<" && self != ">" && self != "\"" && self != "`"
    }

    fileprivate var asciiDigitValue: Int? {
        ("0"..."9").contains(self) ? Int(value - 48) : nil
    }

    fileprivate var asciiLowercased: Unicode.Scalar {
        ("A"..."Z").contains(self) ? Unicode.Scalar(value + 32) ?? self : self
    }
}
