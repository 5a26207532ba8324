import NIOCore
import WardenCore

/// The first 64 KiB a client sends into a tunnel (CONNECT, SOCKS), looked at for canary tokens
/// before they are passed on; then it steps out of the pipeline. A TLS handshake is looked at too
/// (its server name is plain text); what follows it is encrypted and cannot match.
final class CanaryWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    let shared: ProxyContext
    let destination: String
    let via: String
    var scanner: CanaryScanner

    init(_ shared: ProxyContext, destination: String, via: String) {
        self.shared = shared
        self.destination = destination
        self.via = via
        scanner = shared.canaries.scanner()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let chunk = unwrapInboundIn(data)
        let hit = chunk.withUnsafeReadableBytes { scanner.feed($0) }
        if shared.exfiltration(hit, destination: destination, channel: "plain", via: via, connection: context.channel) { return }
        context.fireChannelRead(data)
        if scanner.isDone { context.pipeline.syncOperations.removeHandler(context: context, promise: nil) }
    }
}
