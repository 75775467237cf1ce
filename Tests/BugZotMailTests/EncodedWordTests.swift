@testable import BugZotMail
import Testing

@Suite("RFC 2047 encoded-words")
struct EncodedWordTests {
    @Test("round-trips any text, one word or many", arguments: [
        "Grüße", "Übersicht stürzt ab beim Speichern von Änderungen an großen Dateien", "日本語の件名", "🐞 bug 🐛 with emoji 👩‍👩‍👧",
        "spaces  inside_and=signs?", "",
    ])
    func roundTrip(text: String) {
        let words = EncodedWord.encode(text)
        #expect(MIMEDecoding.decodeEncodedWords(words.joined(separator: " ")) == text)
        #expect(MIMEDecoding.decodeEncodedWords(words.joined(separator: "\r\n ").replacing("\r\n", with: "")) == text)
    }

    @Test("keeps every word within 75 characters, or the length asked for")
    func wordLength() {
        let text = String(repeating: "Fehler in der Übersicht — 日本語 ", count: 10)
        #expect(EncodedWord.encode(text).allSatisfy { $0.utf8.count <= 75 })
        #expect(EncodedWord.encode(text).count > 1)
        #expect(EncodedWord.encode(text, maximumLength: 40).allSatisfy { $0.utf8.count <= 40 })
    }

    @Test("never splits a character between two words")
    func wholeCharacters() {
        for word in EncodedWord.encode(String(repeating: "ä€🐞", count: 30), maximumLength: 30) {
            let decoded = MIMEDecoding.decodeEncodedWords(word)
            #expect(!decoded.contains("\u{FFFD}"))
        }
    }

    @Test("picks Q for mostly-ASCII text and B for mostly non-ASCII text")
    func schemeChoice() {
        #expect(EncodedWord.encode("Crash in the Übersicht module when saving").allSatisfy { $0.hasPrefix("=?UTF-8?Q?") })
        #expect(EncodedWord.encode("日本語の件名").allSatisfy { $0.hasPrefix("=?UTF-8?B?") })
    }

    @Test("Q words use only characters safe in every header position")
    func qCharacterSet() {
        let text = "Kommentar von Jürgen zum Fehler in der Ansicht, bitte ansehen (dringend) <jetzt> a=b_c?"
        let words = EncodedWord.encode(text)
        for word in words {
            let match = word.firstMatch(of: /^=\?UTF-8\?Q\?([A-Za-z0-9!*+\-\/=_]*)\?=$/)
            #expect(match != nil, "unexpected word \(word)")
        }
        #expect(MIMEDecoding.decodeEncodedWords(words.joined(separator: " ")) == text)
    }
}
