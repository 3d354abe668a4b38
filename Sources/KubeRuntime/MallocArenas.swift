import CAirlockMalloc

/// glibc's malloc gives each thread that meets contention an arena of its own, up to eight
/// per core *of the node* (a container limited to two cores on a 64-core node may make 512),
/// and keeps what each freed: memory grows with the node, not the load. A controller's few
/// threads need few arenas.
public enum MallocArenas {
    /// Caps the arenas; call it first thing in a process, before its threads allocate (an
    /// arena, once made, stays). True where it took effect (glibc).
    @discardableResult
    public static func limit(to count: Int32 = 2) -> Bool {
        airlock_malloc_limit_arenas(count) == 1
    }
}
