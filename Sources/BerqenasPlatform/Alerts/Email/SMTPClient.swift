import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// How the connection to an SMTP server is protected.
package enum SMTPSecurity: String, Codable, Sendable, CaseIterable {
    /// Plain text (a relay on a trusted network; no credentials may be sent).
    case none
    /// Plain text upgraded with STARTTLS before anything else is said (port 587).
    case starttls
    /// TLS from the first byte (port 465).
    case implicit
}

/// Where and how to send a mail.
package struct SMTPServer: Sendable {
    /// The name the certificate is checked against.
    package var host: String
    /// The address connected to (checked by the destination policy); `host` when nil.
    package var address: String?
    package var port: Int
    package var security: SMTPSecurity
    package var username: String?
    package var password: String?
    /// PEM certificates trusted instead of the system's (a private relay's own CA).
    package var trustedCertificatesPEM: String?
    package var timeout: Duration = .seconds(60)

    package init(
        host: String, address: String? = nil, port: Int, security: SMTPSecurity, username: String? = nil, password: String? = nil,
        trustedCertificatesPEM: String? = nil
    ) {
        self.host = host
        self.address = address
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.trustedCertificatesPEM = trustedCertificatesPEM
    }
}

/// A small SMTP client (RFC 5321) on SwiftNIO: EHLO, STARTTLS or implicit TLS through NIOSSL, AUTH PLAIN or
/// LOGIN, MAIL/RCPT/DATA with dot-stuffing, QUIT. One connection per mail (alerts are few).
package enum SMTPClient {
    /// Sends `message` to its recipients through `server`.
    /// - Throws: `SMTPError`, permanent when the server refused for good (5xx) or cannot do what is asked.
    package static func send(_ message: MailMessage, through server: SMTPServer) async throws {
        if server.username != nil, server.security == .none {
            throw SMTPError.permanent("credentials are never sent without TLS: use starttls or implicit")
        }
        let tls = try tlsContext(server)
        let (stream, continuation) = AsyncThrowingStream<SMTPReply, any Error>.makeStream()
        let reader = SMTPReplyReader(continuation: continuation)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(10))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if server.security == .implicit {
                            try channel.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: tls, serverHostname: sniName(server.host)))
                        }
                        try channel.pipeline.syncOperations.addHandler(reader)
                    }
                }
                .connect(host: server.address ?? server.host, port: server.port).get()
        } catch {
            throw SMTPError.temporary("could not connect to \(server.host):\(server.port): \(error)")
        }
        defer { channel.close(promise: nil) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var dialogue = SMTPDialogue(channel: channel, replies: stream.makeAsyncIterator(), reader: reader)
                try await dialogue.run(message, server: server, tls: tls)
            }
            group.addTask {
                try await Task.sleep(for: server.timeout)
                // Closing ends whatever the dialogue waits on (a write held by a TLS handshake that never
                // finishes does not heed cancellation).
                channel.close(promise: nil)
                throw SMTPError.temporary("the SMTP server did not finish within \(server.timeout)")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    static func tlsContext(_ server: SMTPServer) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let pem = server.trustedCertificatesPEM {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)))
            } catch {
                throw SMTPError.permanent("the channel's CA certificate cannot be read")
            }
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw SMTPError.permanent("TLS cannot be set up: \(error)")
        }
    }

    /// The name sent for SNI and checked in the certificate: none for an address literal.
    static func sniName(_ host: String) -> String? {
        host.allSatisfy { $0.isNumber || $0 == "." } || host.contains(":") ? nil : host
    }
}

/// One conversation with a server, command by command.
private struct SMTPDialogue {
    let channel: any Channel
    var replies: AsyncThrowingStream<SMTPReply, any Error>.AsyncIterator
    let reader: SMTPReplyReader
    var consumed = 0

    init(channel: any Channel, replies: AsyncThrowingStream<SMTPReply, any Error>.AsyncIterator, reader: SMTPReplyReader) {
        self.channel = channel
        self.replies = replies
        self.reader = reader
    }

    mutating func run(_ message: MailMessage, server: SMTPServer, tls: NIOSSLContext) async throws {
        try await expect(220, after: nil, step: "greeting")
        var extensions = try await hello(message)
        if server.security == .starttls {
            guard extensions.contains(where: { $0.uppercased() == "STARTTLS" }) else {
                throw SMTPError.permanent("the server does not offer STARTTLS")
            }
            try await expect(220, after: "STARTTLS", step: "STARTTLS")
            try await startTLS(tls, host: server.host)
            extensions = try await hello(message)
        }
        if let username = server.username {
            try await authenticate(username, server.password ?? "", extensions: extensions)
        }
        try await expect(250, after: "MAIL FROM:<\(message.from)>", step: "MAIL FROM")
        // A refused recipient does not cost the others their mail; none accepted is a failure.
        var refusals: [SMTPError] = []
        for recipient in message.to {
            let reply = try await command("RCPT TO:<\(recipient)>")
            if reply.code != 250, reply.code != 251 { refusals.append(Self.refusal(reply, step: "RCPT TO \(recipient)")) }
        }
        if refusals.count == message.to.count, let first = refusals.first { throw first }
        try await expect(354, after: "DATA", step: "DATA")
        try await expect(250, after: MailMessage.dotStuffed(message.rendered()), step: "the message", raw: true)
        _ = try? await command("QUIT")
    }

    /// EHLO; the extensions the server lists.
    mutating func hello(_ message: MailMessage) async throws -> [String] {
        let host = ProcessInfo.processInfo.hostName
        let name = host.contains(".") ? host : message.messageIDDomain
        let reply = try await command("EHLO \(name)")
        guard reply.code == 250 else { throw Self.refusal(reply, step: "EHLO") }
        return Array(reply.lines.dropFirst())
    }

    mutating func authenticate(_ username: String, _ password: String, extensions: [String]) async throws {
        let mechanisms = Set(
            extensions.filter { $0.uppercased().hasPrefix("AUTH") }.flatMap { $0.uppercased().split(separator: " ").dropFirst().map(String.init) })
        if mechanisms.contains("PLAIN") {
            let token = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            try await expect(235, after: "AUTH PLAIN \(token)", step: "AUTH PLAIN")
        } else if mechanisms.contains("LOGIN") {
            try await expect(334, after: "AUTH LOGIN", step: "AUTH LOGIN")
            try await expect(334, after: Data(username.utf8).base64EncodedString(), step: "AUTH LOGIN user name")
            try await expect(235, after: Data(password.utf8).base64EncodedString(), step: "AUTH LOGIN password")
        } else {
            throw SMTPError.permanent(
                "the server offers neither AUTH PLAIN nor AUTH LOGIN (it offers: \(mechanisms.sorted().joined(separator: ", ")))")
        }
    }

    /// Puts TLS under the reader, once the server's `220` is the last thing it said (anything it sent after
    /// would be plain-text bytes injected ahead of the encrypted session: refused).
    mutating func startTLS(_ tls: NIOSSLContext, host: String) async throws {
        let (channel, reader, consumed) = (self.channel, self.reader, self.consumed)
        try await channel.eventLoop.submit {
            guard reader.repliesHanded == consumed, reader.bytesWaiting == 0 else {
                throw SMTPError.permanent("the server sent data after its STARTTLS reply")
            }
            let handler = try NIOSSLClientHandler(context: tls, serverHostname: SMTPClient.sniName(host))
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        }.get()
    }

    /// Sends `line` (nothing when nil: the greeting) and checks the reply's code.
    mutating func expect(_ code: Int, after line: String?, step: String, raw: Bool = false) async throws {
        let reply = if let line { try await command(line, raw: raw) } else { try await next() }
        guard reply.code == code else { throw Self.refusal(reply, step: step) }
    }

    mutating func command(_ line: String, raw: Bool = false) async throws -> SMTPReply {
        let text = raw ? line : line + "\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
        return try await next()
    }

    mutating func next() async throws -> SMTPReply {
        guard let reply = try await replies.next() else { throw SMTPError.temporary("the connection ended") }
        consumed += 1
        return reply
    }

    static func refusal(_ reply: SMTPReply, step: String) -> SMTPError {
        let message = "\(step): the server answered \(reply.code) \(reply.text)"
        return reply.code >= 500 ? .permanent(message) : .temporary(message)
    }
}
