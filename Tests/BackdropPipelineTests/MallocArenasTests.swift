import BackdropCore
import XCTest

final class MallocArenasTests: XCTestCase {
    /// On glibc (this project's platform) the limit is accepted: `backdrop` relies on it for flat
    /// memory over hours. Fails if `mallopt` cannot be found or refuses one arena.
    func testMallocCanBeLimitedToOneArena() {
        XCTAssertTrue(MallocArenas.limit(to: 1))
    }
}
