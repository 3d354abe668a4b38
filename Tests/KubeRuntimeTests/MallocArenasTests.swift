import Testing

@testable import KubeRuntime

@Suite struct MallocArenasTests {
    @Test func theCapTakesEffectOnGlibc() {
        #if os(Linux)
            #expect(MallocArenas.limit(to: 64))
        #else
            #expect(!MallocArenas.limit(to: 64))
        #endif
    }
}
