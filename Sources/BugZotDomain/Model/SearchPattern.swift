/// A regular expression of the `regexp`/`notregexp` search operators: the subset that means the
/// same to PostgreSQL's `~` and to BugZot's own matcher (which SQLite calls), matched in time
/// linear in the text (a Thompson automaton, no backtracking), so no pattern can stall a search.
///
/// Accepted: literal characters, `.`, `^`, `$`, bracket classes (`[a-z_]`, `[^0-9]`), `\d \D \w
/// \W \s \S`, a backslash before punctuation (`\.`, `\(`), groups `(…)` and `(?:…)`, `|`, and the
/// quantifiers `*`, `+`, `?`, `{m}`, `{m,}`, `{m,n}` (at most 255, lazy forms allowed). Matching is
/// case-sensitive, finds the pattern anywhere in the text, and `.` matches line breaks too.
public struct SearchPattern: Sendable {
    /// The longest pattern accepted, in characters.
    public static let maximumLength = 255
    /// The most automaton steps a pattern may compile to (repetitions counted out).
    static let maximumProgram = 5_000

    public let source: String
    private let program: [Instruction]

    /// Parses and compiles `source`, refusing it with a message saying what is wrong.
    public init(_ source: String) throws(DomainError) {
        guard source.count <= Self.maximumLength else {
            throw Self.error("is longer than \(Self.maximumLength) characters")
        }
        var parser = Parser(scalars: Array(source.unicodeScalars))
        let node = try parser.parseAll()
        var compiler = Compiler()
        try compiler.emit(node)
        compiler.program.append(.match)
        self.source = source
        self.program = compiler.program
    }

    static func error(_ reason: String) -> DomainError {
        .invalidParameter(parameter: "regexp", reason: "the regular expression \(reason).")
    }

    /// Whether the pattern matches somewhere in `text`: one pass, each step at most once per character.
    public func matches(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        var current = ThreadList(size: program.count)
        var next = ThreadList(size: program.count)
        for position in 0...scalars.count {
            // A match may start at any position.
            if add(0, at: position, of: scalars, to: &current) { return true }
            guard position < scalars.count else { break }
            let scalar = scalars[position]
            next.clear()
            for pc in current.items {
                let advances: Bool = switch program[pc] {
                case .scalar(let expected): scalar == expected
                case .any: true
                case .set(let set): set.contains(scalar)
                default: false
                }
                if advances, add(pc + 1, at: position + 1, of: scalars, to: &next) { return true }
            }
            swap(&current, &next)
        }
        return false
    }

    /// Adds the thread at `pc` and every thread it reaches without reading a character; true at a match.
    private func add(_ pc: Int, at position: Int, of scalars: [Unicode.Scalar], to list: inout ThreadList) -> Bool {
        var stack = [pc]
        while let pc = stack.popLast() {
            guard list.insert(pc) else { continue }
            switch program[pc] {
            case .match: return true
            case .jump(let target): stack.append(target)
            case .split(let first, let second): stack.append(second); stack.append(first)
            case .begin: if position == 0 { stack.append(pc + 1) }
            case .end: if position == scalars.count { stack.append(pc + 1) }
            case .scalar, .any, .set: break
            }
        }
        return false
    }
}

extension SearchPattern {
    fileprivate enum Instruction: Sendable {
        case scalar(Unicode.Scalar)
        case any
        case set(CharacterSet)
        case begin, end
        case split(Int, Int)
        case jump(Int)
        case match
    }

    /// A set of characters: ranges and shorthand classes, possibly negated.
    fileprivate struct CharacterSet: Sendable {
        enum Shorthand: Sendable { case digit, word, space }
        var ranges: [ClosedRange<UInt32>] = []
        var shorthands: [(Shorthand, negated: Bool)] = []
        var negated = false

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            let inSet = ranges.contains { $0.contains(scalar.value) }
                || shorthands.contains { shorthand, negated in Self.matches(shorthand, scalar) != negated }
            return inSet != negated
        }

        static func matches(_ shorthand: Shorthand, _ scalar: Unicode.Scalar) -> Bool {
            switch shorthand {
            case .digit: scalar.properties.numericType == .decimal
            case .word: scalar.properties.isAlphabetic || scalar.properties.numericType == .decimal || scalar == "_"
            case .space: scalar.properties.isWhitespace
            }
        }
    }

    fileprivate indirect enum Node {
        case empty
        case scalar(Unicode.Scalar)
        case any
        case set(CharacterSet)
        case begin, end
        case sequence([Node])
        case alternatives([Node])
        case repetition(Node, min: Int, max: Int?)
    }

    /// A recursive-descent parser over the pattern's scalars (nesting bounded by the length limit).
    fileprivate struct Parser {
        let scalars: [Unicode.Scalar]
        var position = 0

        mutating func parseAll() throws(DomainError) -> Node {
            let node = try parseAlternatives(depth: 0)
            guard position == scalars.count else { throw SearchPattern.error("has a ')' that closes no group") }
            return node
        }

        private var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

        private mutating func parseAlternatives(depth: Int) throws(DomainError) -> Node {
            guard depth <= 32 else { throw SearchPattern.error("nests groups too deeply") }
            var branches = [try parseSequence(depth: depth)]
            while peek == "|" {
                position += 1
                branches.append(try parseSequence(depth: depth))
            }
            return branches.count == 1 ? branches[0] : .alternatives(branches)
        }

        private mutating func parseSequence(depth: Int) throws(DomainError) -> Node {
            var items: [Node] = []
            while let scalar = peek, scalar != "|", scalar != ")" {
                let atom = try parseAtom(depth: depth)
                items.append(try parseQuantifiers(atom))
            }
            return items.count == 1 ? items[0] : .sequence(items)
        }

        private mutating func parseAtom(depth: Int) throws(DomainError) -> Node {
            let scalar = scalars[position]
            position += 1
            switch scalar {
            case ".": return .any
            case "^": return .begin
            case "$": return .end
            case "[": return .set(try parseBracket())
            case "\\": return try parseEscape()
            case "(":
                if peek == "?" {
                    guard position + 1 < scalars.count, scalars[position + 1] == ":" else {
                        throw SearchPattern.error("uses a '(?' group other than '(?:'")
                    }
                    position += 2
                }
                let inner = try parseAlternatives(depth: depth + 1)
                guard peek == ")" else { throw SearchPattern.error("has a '(' that is never closed") }
                position += 1
                return inner
            case "*", "+", "?", "{":
                throw SearchPattern.error("has '\(scalar)' with nothing before it to repeat")
            case "]", "}":
                // PostgreSQL reads a lone ']' or '}' as itself; say so rather than guess.
                throw SearchPattern.error("has a '\(scalar)' that closes nothing (write '\\\(scalar)' for the character)")
            default: return .scalar(scalar)
            }
        }

        private mutating func parseEscape() throws(DomainError) -> Node {
            guard let scalar = peek else { throw SearchPattern.error("ends with a lone backslash") }
            position += 1
            if let shorthand = Self.shorthand(scalar) {
                var set = CharacterSet()
                set.shorthands = [shorthand]
                return .set(set)
            }
            guard scalar.isASCII, !scalar.properties.isAlphabetic, !("0"..."9").contains(scalar) else {
                throw SearchPattern.error("uses '\\\(scalar)', which BugZot does not support (only \\d \\D \\w \\W \\s \\S and escaped punctuation)")
            }
            return .scalar(scalar)
        }

        private static func shorthand(_ scalar: Unicode.Scalar) -> (CharacterSet.Shorthand, negated: Bool)? {
            switch scalar {
            case "d": (.digit, false)
            case "D": (.digit, true)
            case "w": (.word, false)
            case "W": (.word, true)
            case "s": (.space, false)
            case "S": (.space, true)
            default: nil
            }
        }

        private mutating func parseBracket() throws(DomainError) -> CharacterSet {
            var set = CharacterSet()
            if peek == "^" {
                set.negated = true
                position += 1
            }
            var first = true
            while true {
                guard var scalar = peek else { throw SearchPattern.error("has a '[' that is never closed") }
                position += 1
                if scalar == "]" && !first { return set }
                first = false
                if scalar == "[" { throw SearchPattern.error("has a '[' inside a bracket (write '\\[' for the character)") }
                if scalar == "\\" {
                    guard let escaped = peek else { throw SearchPattern.error("ends with a lone backslash") }
                    position += 1
                    if let shorthand = Self.shorthand(escaped), !shorthand.negated {
                        set.shorthands.append(shorthand)
                        continue
                    }
                    guard escaped.isASCII, !escaped.properties.isAlphabetic, !("0"..."9").contains(escaped) else {
                        throw SearchPattern.error("uses '\\\(escaped)' in a bracket, which BugZot does not support")
                    }
                    scalar = escaped
                }
                if peek == "-", position + 1 < scalars.count, scalars[position + 1] != "]" {
                    position += 1
                    var upper = scalars[position]
                    position += 1
                    if upper == "\\" {
                        guard let escaped = peek else { throw SearchPattern.error("ends with a lone backslash") }
                        position += 1
                        upper = escaped
                    }
                    guard scalar.value <= upper.value else { throw SearchPattern.error("has a range '\(scalar)-\(upper)' that runs backwards") }
                    set.ranges.append(scalar.value...upper.value)
                } else {
                    set.ranges.append(scalar.value...scalar.value)
                }
            }
        }

        private mutating func parseQuantifiers(_ atom: Node) throws(DomainError) -> Node {
            guard let scalar = peek, "*+?{".unicodeScalars.contains(scalar) else { return atom }
            if case .begin = atom { throw SearchPattern.error("repeats '^'") }
            if case .end = atom { throw SearchPattern.error("repeats '$'") }
            position += 1
            let node: Node
            switch scalar {
            case "*": node = .repetition(atom, min: 0, max: nil)
            case "+": node = .repetition(atom, min: 1, max: nil)
            case "?": node = .repetition(atom, min: 0, max: 1)
            default:
                let (min, max) = try parseBounds()
                node = .repetition(atom, min: min, max: max)
            }
            if peek == "?" { position += 1 }  // lazy: the same matches
            if let next = peek, "*+?{".unicodeScalars.contains(next) {
                throw SearchPattern.error("repeats a repetition ('\(scalar)\(next)'); put the inner one in a group")
            }
            return node
        }

        /// `{m}`, `{m,}` or `{m,n}`, after the `{`.
        private mutating func parseBounds() throws(DomainError) -> (Int, Int?) {
            func number() -> Int? {
                var digits = ""
                while let scalar = peek, ("0"..."9").contains(scalar), digits.count < 4 {
                    digits.unicodeScalars.append(scalar)
                    position += 1
                }
                return Int(digits)
            }
            let badBound = SearchPattern.error("has a bad repetition count: use {m}, {m,} or {m,n} with numbers up to 255")
            guard let min = number() else { throw badBound }
            var max: Int? = min
            if peek == "," {
                position += 1
                max = peek == "}" ? nil : number()
                if max == nil && peek != "}" { throw badBound }
            }
            guard peek == "}" else { throw badBound }
            position += 1
            guard min <= 255, (max ?? 0) <= 255, min <= (max ?? min) else { throw badBound }
            return (min, max)
        }
    }

    /// Emits a Thompson automaton: `split` tries both ways, `jump` loops.
    fileprivate struct Compiler {
        var program: [Instruction] = []

        mutating func emit(_ node: Node) throws(DomainError) {
            guard program.count <= SearchPattern.maximumProgram else {
                throw SearchPattern.error("is too complex (its repetitions count out to more than \(SearchPattern.maximumProgram) steps)")
            }
            switch node {
            case .empty: break
            case .scalar(let scalar): program.append(.scalar(scalar))
            case .any: program.append(.any)
            case .set(let set): program.append(.set(set))
            case .begin: program.append(.begin)
            case .end: program.append(.end)
            case .sequence(let items):
                for item in items { try emit(item) }
            case .alternatives(let branches):
                var jumps: [Int] = []
                for (index, branch) in branches.enumerated() {
                    if index < branches.count - 1 {
                        let split = program.count
                        program.append(.split(split + 1, -1))
                        try emit(branch)
                        jumps.append(program.count)
                        program.append(.jump(-1))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        try emit(branch)
                    }
                }
                for jump in jumps { program[jump] = .jump(program.count) }
            case .repetition(let inner, let min, let max):
                for _ in 0..<min { try emit(inner) }
                if let max {
                    // Each optional copy may be skipped to the end.
                    var splits: [Int] = []
                    for _ in min..<max {
                        splits.append(program.count)
                        program.append(.split(program.count + 1, -1))
                        try emit(inner)
                    }
                    for split in splits { program[split] = .split(split + 1, program.count) }
                } else {
                    let split = program.count
                    program.append(.split(split + 1, -1))
                    try emit(inner)
                    program.append(.jump(split))
                    program[split] = .split(split + 1, program.count)
                }
            }
        }
    }

    /// The threads alive at one position: each step at most once (a sparse set, cleared in O(1)).
    fileprivate struct ThreadList {
        private var dense: [Int]
        private var sparse: [Int]
        private(set) var count = 0

        init(size: Int) {
            dense = Array(repeating: 0, count: size)
            sparse = Array(repeating: 0, count: size)
        }

        var items: ArraySlice<Int> { dense[0..<count] }

        mutating func insert(_ pc: Int) -> Bool {
            let index = sparse[pc]
            if index < count && dense[index] == pc { return false }
            sparse[pc] = count
            dense[count] = pc
            count += 1
            return true
        }

        mutating func clear() { count = 0 }
    }
}
