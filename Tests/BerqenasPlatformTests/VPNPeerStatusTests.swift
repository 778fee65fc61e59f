@testable import BerqenasPlatform
import Foundation
import Testing

/// The poller's byte counts survive the interface's counters resetting.
struct VPNPeerStatusTests {
    @Test func countersAddUpAcrossAResetAndConnectedMeansARecentHandshake() {
        let peer = VPNPeer()
        peer.receivedBytes = 0
        peer.sentBytes = 0
        peer.lastReceivedCounter = 0
        peer.lastSentCounter = 0
        let now = Date()
        #expect(peer.record(handshake: now, endpoint: "198.18.1.2:40000", receivedCounter: 1_000, sentCounter: 500))
        #expect(!peer.record(handshake: now, endpoint: "198.18.1.2:40000", receivedCounter: 1_000, sentCounter: 500),
                "an unchanged reading is not written")
        #expect(peer.record(handshake: now, endpoint: "198.18.1.2:40000", receivedCounter: 1_500, sentCounter: 800))
        // The interface restarted: its counters start over.
        #expect(peer.record(handshake: now, endpoint: "198.18.1.2:40001", receivedCounter: 200, sentCounter: 100))
        #expect(peer.receivedBytes == 1_700 && peer.sentBytes == 900)
        #expect(peer.isConnected(at: now.addingTimeInterval(179)))
        #expect(!peer.isConnected(at: now.addingTimeInterval(181)))
        _ = peer.record(handshake: nil, endpoint: nil, receivedCounter: 200, sentCounter: 100)
        #expect(!peer.isConnected(at: now))
    }
}
