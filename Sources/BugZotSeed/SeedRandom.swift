import Foundation

/// A small, fast, deterministic random number generator (SplitMix64): the same seed gives the
/// same numbers on every machine, which `RandomNumberGenerator`'s system source never does.
struct SeedRandom: RandomNumberGenerator {
    private var state: UInt64

    /// A generator for one stream of a seeded run; different `stream` values give independent
    /// sequences, so each bug can be generated on its own, in any order or batch size.
    init(seed: UInt64, stream: UInt64) {
        state = seed &+ 0x9E37_79B9_7F4A_7C15 &* (stream &+ 1)
        _ = next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (bound > 0).
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    /// A number in `range`.
    mutating func within(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.count)
    }

    /// A number in [0, 1).
    mutating func unit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool {
        unit() < p
    }

    /// One element of a non-empty array, uniformly.
    mutating func pick<T>(_ items: [T]) -> T {
        items[below(items.count)]
    }
}

/// A skewed choice among `count` items: item k has weight 1/(k+1)^exponent (Zipf's law), so a
/// few items take most of the picks — the shape of real trackers, where a few products hold most
/// bugs and a few people most assignments.
struct SkewedPick: Sendable {
    private let cumulative: [Double]

    init(count: Int, exponent: Double) {
        var total = 0.0
        var cumulative: [Double] = []
        cumulative.reserveCapacity(count)
        for k in 0..<max(1, count) {
            total += 1 / pow(Double(k + 1), exponent)
            cumulative.append(total)
        }
        self.cumulative = cumulative.map { $0 / total }
    }

    /// An index in `0..<count`.
    func pick(_ random: inout SeedRandom) -> Int {
        let u = random.unit()
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] < u { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
