/// One header field (RFC 5322 §2.2) as a name and a value split into tokens. Rendering folds the
/// value between tokens, so lines stay within 78 characters wherever the tokens allow it.
///
/// Every constructor turns control characters (CR and LF above all) into spaces, so no value can
/// end its field early and start a forged one.
struct HeaderField {
    /// RFC 5322 §2.1.1: lines should be no longer than 78 characters, excluding the CRLF.
    static let preferredLineLength = 78

    /// The field name, e.g. `Subject`.
    let name: String
    /// The value's pieces; rendering puts one space, or a fold, between neighbours.
    let tokens: [String]

    /// The field, each line ending in CRLF.
    var rendered: String {
        var output = name + ":"
        var lineLength = output.utf8.count
        var tokensOnLine = 0
        for token in tokens {
            if tokensOnLine > 0 && lineLength + 1 + token.utf8.count > Self.preferredLineLength {
                // Folding: the CRLF is removed when the field is read, the space stays.
                output += "\r\n"
                lineLength = 0
                tokensOnLine = 0
            }
            output += " " + token
            lineLength += 1 + token.utf8.count
            tokensOnLine += 1
        }
        return output + "\r\n"
    }

    /// A field whose value needs no encoding and is never folded, such as `MIME-Version`.
    static func verbatim(_ name: String, _ value: String) -> HeaderField {
        HeaderField(name: name, tokens: [singleLine(value)])
    }

    /// A field of free text (RFC 5322 `unstructured`), such as `Subject`. Runs of whitespace
    /// become single spaces; words with non-ASCII characters become encoded-words.
    static func unstructured(_ name: String, _ text: String) -> HeaderField {
        var tokens: [String] = []
        var wordsToEncode: [Substring] = []
        func flushWordsToEncode() {
            guard !wordsToEncode.isEmpty else { return }
            // Adjacent words go into one run: the spaces between encoded-words are not displayed.
            let run = wordsToEncode.joined(separator: " ")
            tokens += EncodedWord.encode(run, maximumLength: encodedWordLength(forFieldNamed: name))
            wordsToEncode = []
        }
        for word in words(of: text) {
            if needsEncoding(word) {
                wordsToEncode.append(word)
            } else {
                flushWordsToEncode()
                tokens.append(String(word))
            }
        }
        flushWordsToEncode()
        return HeaderField(name: name, tokens: tokens)
    }

    /// An address list such as `To: Ada <ada@example.com>, "Babbage, C." <cb@example.com>`.
    static func mailboxes(_ name: String, _ mailboxes: [MailAddress]) -> HeaderField {
        var tokens: [String] = []
        for (index, mailbox) in mailboxes.enumerated() {
            var mailboxTokens = Self.tokens(for: mailbox, inFieldNamed: name)
            if index < mailboxes.count - 1 {
                mailboxTokens[mailboxTokens.count - 1] += ","
            }
            tokens += mailboxTokens
        }
        return HeaderField(name: name, tokens: tokens)
    }

    /// A list of message ids (`Message-ID`, `In-Reply-To`, `References`), each put in angle brackets.
    static func messageIDs(_ name: String, _ ids: [String]) -> HeaderField {
        HeaderField(name: name, tokens: ids.map { "<" + messageIDCore($0) + ">" })
    }

    /// `name` reduced to the characters RFC 5322 allows in field names (printable ASCII except ":").
    static func sanitizedName(_ name: String) -> String {
        String(name.unicodeScalars.filter { (33...126).contains($0.value) && $0 != ":" })
    }

    private static func tokens(for mailbox: MailAddress, inFieldNamed fieldName: String) -> [String] {
        let address = singleLine(mailbox.address)
        let nameWords = words(of: mailbox.name ?? "")
        guard !nameWords.isEmpty else {
            return [address]
        }
        let name = nameWords.joined(separator: " ")
        let angleAddress = "<" + address + ">"
        if !name.unicodeScalars.allSatisfy(\.isASCII) {
            return EncodedWord.encode(name, maximumLength: encodedWordLength(forFieldNamed: fieldName)) + [angleAddress]
        }
        if nameWords.allSatisfy(isAtom) && !name.contains("=?") {
            return nameWords.map(String.init) + [angleAddress]
        }
        let escaped = name.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
        return ["\"" + escaped + "\"", angleAddress]
    }

    /// The words of `text` once control characters are spaces; no word is empty.
    private static func words(of text: String) -> [Substring] {
        singleLine(text).split(separator: " ")
    }

    /// `text` with every ASCII control character (CR, LF, tab, …) replaced by a space.
    private static func singleLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 32 || $0.value == 127 ? " " : $0 }))
    }

    private static func needsEncoding(_ word: Substring) -> Bool {
        // "=?" must be encoded too, or a reader would take the plain text for an encoded-word.
        !word.unicodeScalars.allSatisfy(\.isASCII) || word.contains("=?")
    }

    /// Whether `word` is an RFC 5322 atom: only `atext`, no specials that would need quoting.
    private static func isAtom(_ word: Substring) -> Bool {
        word.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                || ("0"..."9").contains(scalar) || "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar)
        }
    }

    /// `id` without angle brackets, whitespace or control characters, which would break `<id>`.
    private static func messageIDCore(_ id: String) -> String {
        String(id.unicodeScalars.filter { $0.value > 32 && $0.value != 127 && $0 != "<" && $0 != ">" })
    }

    /// The longest encoded-word that still fits on the field's first line after `Name: `.
    private static func encodedWordLength(forFieldNamed name: String) -> Int {
        // Below this a single four-byte character would no longer fit into one word.
        let smallestUsefulLength = 24
        let firstLineRoom = preferredLineLength - name.utf8.count - 2
        return max(smallestUsefulLength, min(EncodedWord.maximumLength, firstLineRoom))
    }
}
