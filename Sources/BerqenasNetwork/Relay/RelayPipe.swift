import NIOCore

/// One direction of a relayed connection: what its channel reads is written to the partner's channel.
/// When the partner cannot take more, this side stops reading (backpressure); when either side closes, so
/// does the other. Both channels share one event loop, so the pair talks without hops.
final class RelayPipe: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?
    private var partner: RelayPipe?
    private let counted: (Int) -> Void

    init(counting counted: @escaping (Int) -> Void) {
        self.counted = counted
    }

    /// Joins two pipes (on their shared event loop).
    static func join(_ first: RelayPipe, _ second: RelayPipe) {
        first.partner = second
        second.partner = first
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        counted(buffer.readableBytes)
        partner?.context?.write(wrapOutboundOut(buffer), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.context?.flush()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // This side's buffer is full or drained: the partner pauses or resumes reading.
        let writable = context.channel.isWritable
        if let partnerChannel = partner?.context?.channel {
            partnerChannel.setOption(ChannelOptions.autoRead, value: writable).whenSuccess {
                if writable { partnerChannel.read() }
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.context?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
