import WardenCore

/// `http://[userinfo@]host[:port]/path?query` split for forwarding. The userinfo is dropped (the
/// host is what follows the last `@`, as browsers read it); the host may be any spelling of an
/// address, which the proxy decides as that address.
struct AbsoluteURL {
    var host: String
    var port: Int
    var path: String
    var hostHeader: String

    init?(_ uri: String) {
        guard uri.lowercased().hasPrefix("http://") else { return nil }
        let rest = uri.dropFirst(7)
        var authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var p = String(rest.dropFirst(authority.count))
        if p.isEmpty || p.hasPrefix("?") { p = "/" + p }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard let e = NetworkEndpoint.parse(String(authority), defaultPort: 80), let port = e.port else { return nil }
        host = e.host
        self.port = port
        path = p
        hostHeader = String(authority)
    }
}
