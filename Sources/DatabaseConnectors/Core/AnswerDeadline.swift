import NIOCore
import Synchronization

/// Closes a connection whose server, once sent something, sends nothing back within `limit`: a hung server,
/// a dropped tunnel or a firewall that swallows packets then fails the operation instead of holding it (and
/// the job around it) for ever. The limit is the statement timeout plus a margin: a server still working sends
/// its answer, or its own statement-timeout error, within it. Bytes read while nothing is awaited (an idle
/// connection) change nothing; an idle connection has no deadline.
final class AnswerDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let limit: TimeAmount
    private let expired: AnswerDeadlineExpiry
    private var deadline: Scheduled<Void>?

    init(limit: TimeAmount, expired: AnswerDeadlineExpiry) {
        self.limit = limit
        self.expired = expired
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if deadline == nil {
            let (channel, expired) = (context.channel, self.expired)
            deadline = context.eventLoop.scheduleTask(in: limit) {
                expired.mark()
                channel.close(promise: nil)
            }
        }
        context.write(data, promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }
}

/// Whether a connection was closed because its server did not answer in time (to name the failure).
final class AnswerDeadlineExpiry: Sendable {
    private let state = Atomic(false)

    func mark() { state.store(true, ordering: .relaxed) }

    var hasExpired: Bool { state.load(ordering: .relaxed) }
}
