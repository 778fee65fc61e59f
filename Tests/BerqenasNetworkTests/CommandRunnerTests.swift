import BerqenasNetwork
import Foundation
import Testing

/// The child-process runner behind `ip`, `wg` and `nft`.
struct CommandRunnerTests {
    /// 1 MiB: far more than a pipe holds (64 KiB on Linux), so a runner that writes all the input before it
    /// reads any output blocks forever on a child that answers first.
    static let megabyte = String(repeating: "x", count: 1 << 20)

    @Test func aChildThatWritesBeforeReadingItsInputDoesNotDeadlock() async throws {
        // Writes 1 MiB, then reads all of its input and reports how much it got.
        let script = "head -c 1048576 /dev/zero; wc -c >&2; exit 3"
        let runner = CommandRunner(timeout: .seconds(30))
        do {
            try await runner.run("/bin/sh", ["-c", script], input: Self.megabyte)
            Issue.record("a non-zero exit must throw")
        } catch let error as NetworkError {
            #expect(error.code == "command_failed")
            #expect(error.message.hasSuffix("failed: 1048576"), "the child read all its input: \(error.message)")
        }
        let echoed = try await runner.run("/bin/sh", ["-c", "cat"], input: Self.megabyte)
        #expect(echoed == Self.megabyte, "input and output both larger than a pipe pass through whole")
    }

    @Test func aChildPastItsTimeIsKilledAndTheCallFails() async throws {
        let started = ContinuousClock.now
        await #expect(throws: NetworkError.self) {
            try await CommandRunner(timeout: .milliseconds(200)).run("/bin/sleep", ["30"])
        }
        #expect(ContinuousClock.now - started < .seconds(20), "the sleep was killed, not waited for")
        do {
            try await CommandRunner(timeout: .milliseconds(200)).run("/bin/sleep", ["30"])
        } catch let error as NetworkError {
            #expect(error.code == "command_timed_out")
        }
    }

    @Test func outputPastTheLimitFailsTheCall() async throws {
        let runner = CommandRunner(outputLimit: 1000)
        #expect(try await runner.run("/bin/sh", ["-c", "head -c 1000 /dev/zero"]).utf8.count == 1000)
        do {
            try await runner.run("/bin/sh", ["-c", "head -c 1001 /dev/zero"])
            Issue.record("output past the limit must throw")
        } catch let error as NetworkError {
            #expect(error.code == "command_failed" && error.message.contains("more than 1000 bytes"), "\(error.message)")
        }
    }

    @Test func aMissingToolIsAClearError() async throws {
        do {
            try await CommandRunner().run("/nonexistent/tool", [])
            Issue.record("a missing tool must throw")
        } catch let error as NetworkError {
            #expect(error.code == "command_failed" && error.message.contains("cannot run /nonexistent/tool"), "\(error.message)")
        }
    }
}
