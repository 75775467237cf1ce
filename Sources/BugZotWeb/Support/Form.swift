import BugZotHTTP
import Foundation

/// A submitted form's fields, in order; a name may repeat (checkboxes, multi-selects).
struct Form: Sendable {
    let pairs: [(String, String)]

    init(_ pairs: [(String, String)]) {
        self.pairs = pairs
    }

    init(encoded text: String) {
        self.init(FormEncoding.decode(text))
    }

    /// The first value of a field, nil when absent.
    subscript(_ name: String) -> String? {
        pairs.first { $0.0 == name }?.1
    }

    /// A text field's value trimmed, nil when absent or blank.
    func text(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// Every value of a repeated field, blanks left out.
    func all(_ name: String) -> [String] {
        pairs.filter { $0.0 == name && !$0.1.isEmpty }.map(\.1)
    }

    /// A checkbox: present means ticked.
    func isChecked(_ name: String) -> Bool {
        self[name] != nil
    }
}
