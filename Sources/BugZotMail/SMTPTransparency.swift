/// Prepares message bytes for the DATA command (RFC 5321 §4.5.2 and §4.1.1.4).
enum SMTPTransparency {
    /// `message` with every line ending made CRLF (a bare LF or CR included), a "." doubled at the
    /// start of every line so no line can end the data early, a final CRLF if missing, and the
    /// terminating `.` line.
    static func dataPayload(for message: [UInt8]) -> [UInt8] {
        let cr = UInt8(ascii: "\r")
        let lf = UInt8(ascii: "\n")
        let dot = UInt8(ascii: ".")
        var payload: [UInt8] = []
        payload.reserveCapacity(message.count + message.count / 64 + 5)
        var atLineStart = true
        var index = message.startIndex
        while index < message.endIndex {
            let byte = message[index]
            index += 1
            if byte == cr || byte == lf {
                if byte == cr && index < message.endIndex && message[index] == lf {
                    index += 1
                }
                payload += [cr, lf]
                atLineStart = true
                continue
            }
            if atLineStart && byte == dot {
                payload.append(dot)
            }
            payload.append(byte)
            atLineStart = false
        }
        if !atLineStart {
            payload += [cr, lf]
        }
        payload += [dot, cr, lf]
        return payload
    }
}
