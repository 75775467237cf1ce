import Foundation

/// A running `smtp_server.py` (aiosmtpd) on a free loopback port, with its own spool directory.
/// The Python interpreter comes from `BUGZOT_SMTP_PYTHON` (default `~/.cache/bugzot-venv/bin/python`).
struct SMTPTestServer: Sendable {
    /// The interpreter that runs smtp_server.py.
    static let python: String = {
        let configured = ProcessInfo.processInfo.environment["BUGZOT_SMTP_PYTHON"] ?? ""
        return configured.isEmpty
            ? FileManager.default.homeDirectoryForCurrentUser.appending(path: ".cache/bugzot-venv/bin/python").path
            : configured
    }()

    /// Whether `python` can import aiosmtpd; the integration tests are skipped otherwise.
    static let isAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import aiosmtpd"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        } catch {
            return false
        }
    }()

    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "smtp_server.py")

    /// The loopback port the server listens on.
    let port: Int
    /// Where the server stores what it receives.
    let spool: URL
    private let process: Process
    private let input: Pipe

    /// Starts the server in `mode` (see smtp_server.py) and waits until it listens.
    static func start(_ mode: String, _ options: [String] = []) async throws -> SMTPTestServer {
        let spool = FileManager.default.temporaryDirectory.appending(path: "bugzot-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        let log = spool.appending(path: "server.log")
        try Data().write(to: log)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, "--mode", mode, "--spool", spool.path] + options
        let output = Pipe()
        process.standardOutput = output
        // The server exits when this pipe closes: at stop(), or when the test process dies.
        let input = Pipe()
        process.standardInput = input
        process.standardError = try FileHandle(forWritingTo: log)
        let port = try await readPort(from: output, startingProcess: process, log: log)
        return SMTPTestServer(port: port, spool: spool, process: process, input: input)
    }

    /// The self-signed certificate of the TLS modes.
    var certificatePath: String {
        spool.appending(path: "server-cert.pem").path
    }

    /// The messages received so far, in order.
    func receivedMessages() throws -> [ReceivedMessage] {
        let names = try FileManager.default.contentsOfDirectory(atPath: spool.path)
        let numbers = names.filter { $0.hasSuffix(".json") }.compactMap { Int($0.dropLast(5)) }.sorted()
        return try numbers.map { number in
            var message = try JSONDecoder().decode(
                ReceivedMessage.self, from: Data(contentsOf: spool.appending(path: "\(number).json")))
            message.raw = [UInt8](try Data(contentsOf: spool.appending(path: "\(number).eml")))
            return message
        }
    }

    /// Ends the server and deletes its spool.
    func stop() {
        try? input.fileHandleForWriting.close()
        process.terminate()
        try? FileManager.default.removeItem(at: spool)
    }

    private static func readPort(from output: Pipe, startingProcess process: Process, log: URL) async throws -> Int {
        try process.run()
        let reader = output.fileHandleForReading
        // The blocking reads get a thread of their own rather than one of Swift's cooperative pool.
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try readReadyLine(from: reader, log: log) })
            }
        }
    }

    /// Reads the server's first line, "READY <port>", and returns the port.
    private static func readReadyLine(from reader: FileHandle, log: URL) throws -> Int {
        var text = ""
        while !text.contains("\n") {
            let chunk = reader.availableData
            guard !chunk.isEmpty else {
                let errors = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw StartFailure(message: "smtp_server.py exited before it was ready: \(errors)")
            }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first, line.hasPrefix("READY "), let port = Int(line.dropFirst(6)) else {
            throw StartFailure(message: "smtp_server.py said \(text)")
        }
        return port
    }

    private struct StartFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

/// A message as smtp_server.py stored it: the envelope and what Python's email parser made of it.
struct ReceivedMessage: Decodable {
    let mailFrom: String
    let mailOptions: [String]
    let rcptTos: [String]
    let headers: [[String]]
    let contentType: String
    let text: String?
    let html: String?
    let defects: [String]
    /// The bytes as received, after the server undid the dot-stuffing.
    var raw: [UInt8] = []

    /// The decoded value of the first header called `name`.
    func header(_ name: String) -> String? {
        headers.first { $0[0].lowercased() == name.lowercased() }?[1]
    }

    private enum CodingKeys: String, CodingKey {
        case mailFrom = "mail_from", mailOptions = "mail_options", rcptTos = "rcpt_tos", headers
        case contentType = "content_type", text, html, defects
    }
}
