import Foundation
import Testing

@testable import BerqenasPlatform

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
        #expect(
            !peer.record(handshake: now, endpoint: "198.18.1.2:40000", receivedCounter: 1_000, sentCounter: 500),
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

    @Test func aConnectionChangeIsReportedOnceEachWay() {
        let peer = VPNPeer()
        peer.wasConnected = false
        let now = Date()
        #expect(peer.connectionChange(at: now) == nil, "never connected, still not")
        peer.latestHandshake = now.addingTimeInterval(-5)
        #expect(peer.connectionChange(at: now) == true)
        #expect(peer.connectionChange(at: now.addingTimeInterval(60)) == nil, "still connected: no new event")
        #expect(peer.connectionChange(at: now.addingTimeInterval(VPNPeer.connectedWithin)) == false, "the handshake grew too old")
        #expect(peer.connectionChange(at: now.addingTimeInterval(VPNPeer.connectedWithin + 60)) == nil)
    }
}
