#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open files (sockets included).
public enum DescriptorLimit {
    /// Descriptors kept for everything but client connections: database files and connections,
    /// attachment files, the event loops, logs.
    static let reserved = 128

    /// Raises the soft limit to the hard limit, as far as the system allows; returns the soft limit in force.
    @discardableResult
    public static func raise() -> Int {
        var limit = rlimit()
        guard getrlimit(resourceNOFILE, &limit) == 0 else { return 1024 }
        // An unlimited hard limit is refused past the kernel's nr_open (2^20 by default): try that next.
        for target in [limit.rlim_max, min(limit.rlim_max, 1 << 20)] where target > limit.rlim_cur {
            var raised = limit
            raised.rlim_cur = target
            if setrlimit(resourceNOFILE, &raised) == 0 { return clamp(target) }
        }
        return clamp(limit.rlim_cur)
    }

    /// The soft limit in force.
    public static var current: Int {
        var limit = rlimit()
        return getrlimit(resourceNOFILE, &limit) == 0 ? clamp(limit.rlim_cur) : 1024
    }

    /// How many client connections fit under `descriptors`, when the refused ones (up to a quarter
    /// more, each held for a moment) and the server's own files need room too.
    public static func connectionsAllowed(by descriptors: Int) -> Int {
        max(1, (descriptors - reserved) * 4 / 5)
    }

    private static func clamp(_ value: rlim_t) -> Int { value > rlim_t(Int32.max) ? Int(Int32.max) : Int(value) }

    #if os(Linux)
    private static let resourceNOFILE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resourceNOFILE = RLIMIT_NOFILE
    #endif
}
