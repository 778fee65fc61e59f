import Foundation

/// An email as it goes over SMTP: RFC 5322 headers (Date, Message-ID, From, To, an RFC 2047 subject when it
/// is not plain ASCII) and a multipart/alternative body (text and HTML, each UTF-8 in base64), CRLF line ends.
package struct MailMessage: Sendable {
    package var from: String
    package var to: [String]
    package var subject: String
    package var text: String
    package var html: String
    package var date: Date
    /// The part after `@` in the Message-ID (the sender's domain).
    package var messageIDDomain: String
    package var messageID: String

    package init(from: String, to: [String], subject: String, text: String, html: String, date: Date = Date(), id: UUID = UUID()) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.date = date
        self.messageIDDomain = from.split(separator: "@").last.map(String.init) ?? "berqenas.invalid"
        self.messageID = "<\(id.uuidString.lowercased())@\(messageIDDomain)>"
    }

    /// The message as DATA sends it, before dot-stuffing.
    package func rendered(boundary: String = "berqenas-" + UUID().uuidString.lowercased()) -> String {
        var lines = [
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: \(messageID)",
            "From: \(from)",
            "To: \(to.joined(separator: ", "))",
            Self.encodedHeader("Subject", subject),
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "Auto-Submitted: auto-generated",
            "",
            "This is a message in MIME format.",
        ]
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            lines += [
                "--\(boundary)", "Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", "",
            ]
            lines += Self.base64Lines(body)
        }
        lines.append("--\(boundary)--")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// `Name: value`, the value as RFC 2047 encoded words (`=?UTF-8?B?…?=`, each at most 75 characters, split
    /// between characters, folded onto continuation lines) unless it is printable ASCII.
    static func encodedHeader(_ name: String, _ value: String) -> String {
        let flat = value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if flat.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7f }), !flat.contains("=?"), flat.count <= 900 {
            return "\(name): \(flat)"
        }
        // 75 - "=?UTF-8?B?" - "?=" leaves 63 characters of base64: 45 bytes of UTF-8 at most per word.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in flat {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45, !chunk.isEmpty {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return "\(name): " + words.joined(separator: "\r\n ")
    }

    /// `text` in UTF-8, base64 in lines of 76 characters.
    static func base64Lines(_ text: String) -> [String] {
        let encoded = Data(text.utf8).base64EncodedString()
        var lines: [String] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[index..<end]))
            index = end
        }
        return lines
    }

    /// `Sun, 06 Dec 2026 21:27:41 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// The DATA payload: CRLF line ends, a line starting with `.` given a second one (RFC 5321 4.5.2), and
    /// the terminating `.` line.
    static func dotStuffed(_ rendered: String) -> String {
        let normalized = rendered.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = normalized.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines.map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n") + "\r\n.\r\n"
    }

    /// Whether `address` is a plain `local@domain` an SMTP command can carry (ASCII, no spaces, brackets,
    /// quotes or line breaks).
    package static func isPlainAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), address.count <= 254 else { return false }
        let forbidden = Set("<>()[]\\,;:\" \t\r\n")
        return address.allSatisfy { $0.isASCII && !forbidden.contains($0) && !($0.asciiValue.map { $0 < 0x21 || $0 == 0x7f } ?? true) }
            && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
    }
}
