import Glibc

/// A pthread with a small stack for the supervisor's background work (the file watcher, the live
/// feed). It inherits the caller's signal mask: start it after the supervisor blocked its signals.
enum BackgroundThread {
    private final class Body { let run: @Sendable () -> Void; init(_ run: @escaping @Sendable () -> Void) { self.run = run } }

    /// The thread, or nil when it cannot start (the work then does not happen; callers say so).
    static func start(stackSize: Int = 256 * 1024, _ run: @escaping @Sendable () -> Void) -> pthread_t? {
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setstacksize(&attr, stackSize)
        var t = pthread_t()
        let body = Unmanaged.passRetained(Body(run)).toOpaque()
        guard pthread_create(&t, &attr, { arg in
            Unmanaged<Body>.fromOpaque(arg!).takeRetainedValue().run()
            return nil
        }, body) == 0 else {
            Unmanaged<Body>.fromOpaque(body).release()
            return nil
        }
        return t
    }
}
