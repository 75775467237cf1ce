/// The text table (`TextField`) applied: one linear pass over each value, bounded before it starts.
extension InputRules {
    /// Refuses text longer than its field's limit (or `limit`, where the installation sets one),
    /// NUL and other control characters the field may not hold, and bidirectional-text controls
    /// in names. Costs one pass over at most `limit` scalars, whatever the text's size. Errors
    /// name `parameter`, or the field's API name.
    public static func check(_ text: String, as field: TextField, limit: Int? = nil, parameter: String? = nil) throws(DomainError) {
        let limit = limit ?? field.maximumLength
        let parameter = parameter ?? field.parameter
        try checkLength(text, as: field, limit: limit, parameter: parameter)
        for scalar in text.unicodeScalars {
            if scalar.value == 0 {
                throw .invalidParameter(parameter: parameter, reason: "must not contain NUL characters.")
            }
            if isControl(scalar), !(field.lines == .multiple && isLineCharacter(scalar)) {
                throw .invalidParameter(
                    parameter: parameter,
                    reason: field.lines == .single
                        ? "must be one line, without control characters."
                        : "must not contain control characters other than tabs and line breaks.")
            }
            if !field.allowsBidiControls, isBidiControl(scalar) {
                throw .invalidParameter(parameter: parameter, reason: "must not contain bidirectional-text control characters.")
            }
        }
    }

    /// Each value of a list field.
    public static func check(_ texts: [String], as field: TextField, parameter: String? = nil) throws(DomainError) {
        for text in texts { try check(text, as: field, parameter: parameter) }
    }

    /// Only the length: O(1) when the text is far too long (its UTF-8 size is known), else one
    /// pass that stops at the limit.
    public static func checkLength(_ text: String, as field: TextField, limit: Int? = nil, parameter: String? = nil) throws(DomainError) {
        let limit = limit ?? field.maximumLength
        let bytes = text.utf8.count
        // A scalar takes one to four bytes of UTF-8.
        guard bytes > limit else { return }
        var tooLong = bytes > 4 * limit
        if !tooLong {
            var count = 0
            for _ in text.unicodeScalars {
                count += 1
                if count > limit {
                    tooLong = true
                    break
                }
            }
        }
        guard tooLong else { return }
        if field == .comment { throw .commentTooLong(limit: limit) }
        throw .invalidParameter(parameter: parameter ?? field.parameter, reason: "longer than \(limit) characters.")
    }

    /// C0 and C1 control characters and DEL.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func isLineCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\n" || scalar == "\r" || scalar == "\t"
    }

    /// Marks, embeddings, overrides and isolates that reorder how text is shown.
    public static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
