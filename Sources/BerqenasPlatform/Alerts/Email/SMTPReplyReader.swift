import NIOCore
import NIOSSL

/// One SMTP reply: its code and its text lines (a multi-line reply's `250-` lines and its last `250 ` line).
struct SMTPReply: Sendable {
    let code: Int
    let lines: [String]

    var text: String { lines.joined(separator: " / ") }
}

/// Turns the bytes a server sends into replies, handed to `replies` in order. A line longer than
/// `maxLineBytes` or a reply longer than `maxLines` ends the stream with an error (a hostile or broken
/// server cannot make the hub buffer without bound).
final class SMTPReplyReader: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    static let maxLineBytes = 4096
    static let maxLines = 100

    private let continuation: AsyncThrowingStream<SMTPReply, any Error>.Continuation
    private var buffer: [UInt8] = []
    private var lines: [String] = []
    /// Replies handed on so far, and bytes waiting for their line's end (read on the channel's event loop:
    /// STARTTLS checks that the server sent nothing after its `220`).
    private(set) var repliesHanded = 0
    var bytesWaiting: Int { buffer.count + lines.count }

    init(continuation: AsyncThrowingStream<SMTPReply, any Error>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        buffer += bytes.readBytes(length: bytes.readableBytes) ?? []
        while let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(buffer[..<end])
            buffer.removeSubrange(...end)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            guard take(line, context: context) else { return }
        }
        if buffer.count > Self.maxLineBytes {
            fail(SMTPError.temporary("the server sent a line longer than \(Self.maxLineBytes) bytes"), context: context)
        }
    }

    /// Adds a line to the reply under way; false when the stream has ended.
    private func take(_ line: [UInt8], context: ChannelHandlerContext) -> Bool {
        let text = String(decoding: line, as: UTF8.self)
        let digits = text.prefix(3)
        guard line.count <= Self.maxLineBytes, digits.count == 3, let code = Int(digits), (200...599).contains(code) else {
            fail(SMTPError.temporary("the server sent something that is not an SMTP reply: \(text.prefix(80))"), context: context)
            return false
        }
        let separator = text.dropFirst(3).first
        lines.append(String(text.dropFirst(4)))
        guard lines.count <= Self.maxLines else {
            fail(SMTPError.temporary("the server sent a reply of more than \(Self.maxLines) lines"), context: context)
            return false
        }
        if separator != "-" {
            continuation.yield(SMTPReply(code: code, lines: lines))
            repliesHanded += 1
            lines = []
        }
        return true
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        continuation.finish(throwing: error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish(throwing: SMTPError.temporary("the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A refused certificate or TLS setup stays refused until someone changes the channel.
        let permanent = error is NIOSSLError || error is BoringSSLError
        fail(SMTPError(message: "connection error: \(error)", permanent: permanent), context: context)
    }
}

/// Why a mail was not sent; `permanent` when sending it again would not help (a 5xx reply, a refused
/// certificate, a server that cannot do what the channel asks).
package struct SMTPError: Error, CustomStringConvertible, Sendable {
    package let message: String
    package let permanent: Bool

    static func temporary(_ message: String) -> SMTPError { SMTPError(message: message, permanent: false) }
    static func permanent(_ message: String) -> SMTPError { SMTPError(message: message, permanent: true) }

    package var description: String { message }
}
