import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP relay on 127.0.0.1 to the test server's TCP port, whose client side can be cut while
/// the server side stays open: what a network failure does to a command, its server session
/// living on (the server does not notice a dead peer until it writes to it). For FaultTests.
final class CuttableProxy: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let upstreamPort: UInt16
    // Touched only under `lock`.
    private let lock = NSLock()
    private var clients: Set<Int32> = []
    private var cutClients: Set<Int32> = []
    private var upstreams: [Int32] = []
    private var refusing = false

    init(to upstreamPort: UInt16) throws {
        self.upstreamPort = upstreamPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0, listen(fd, 16) == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let refuse = lock.withLock { refusing }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: upstreamPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard !refuse, connected == 0 else {
                close(client)
                close(upstream)
                continue
            }
            lock.withLock {
                clients.insert(client)
                upstreams.append(upstream)
            }
            Thread.detachNewThread { [self] in pump(from: client, to: upstream, clientSide: client) }
            Thread.detachNewThread { [self] in pump(from: upstream, to: client, clientSide: client) }
        }
    }

    /// Copies bytes until either side fails. A client that hangs up itself takes its server
    /// session with it; a cut client leaves the server session open.
    private func pump(from source: Int32, to target: Int32, clientSide client: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(source, &buffer, buffer.count)
            guard count > 0 else { break }
            var sent = 0
            while sent < count {
                let written = buffer[sent..<count].withUnsafeBytes { send(target, $0.baseAddress, count - sent, Int32(MSG_NOSIGNAL)) }
                guard written > 0 else { return }
                sent += written
            }
        }
        if source == client, !lock.withLock({ cutClients.contains(client) }) { shutdown(target, Int32(SHUT_RDWR)) }
    }

    /// Cuts every client connection open now; their server sessions stay connected to the proxy.
    /// With `refuseNew`, later connections are refused too (the database out of reach).
    func cut(refuseNew: Bool) {
        lock.withLock {
            refusing = refuseNew
            for client in clients {
                cutClients.insert(client)
                shutdown(client, Int32(SHUT_RDWR))
            }
            clients = []
        }
    }

    func allowNew() { lock.withLock { refusing = false } }

    /// Closes everything, the server sessions left open included.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        lock.withLock {
            for upstream in upstreams { shutdown(upstream, Int32(SHUT_RDWR)) }
            upstreams = []
        }
    }
}
