import BerqenasTestSupport
import Foundation
import Testing

@testable import BerqenasNetwork

/// QR codes of wg-quick files: made by libqrencode, written as PNG by our encoder, read back by a real
/// decoder (zbarimg, Debian's zbar-tools).
struct QRCodeTests {
    let config = """
        [Interface]
        Address = 198.19.0.2/24
        PrivateKey = \(WireGuardKeyPair.generate().privateKey.base64)

        [Peer]
        PublicKey = \(WireGuardKeyPair.generate().publicKey.base64)
        AllowedIPs = 198.19.0.0/24
        Endpoint = hub.example.test:51820
        PersistentKeepalive = 25

        """

    @Test(.blockingWork, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/zbarimg")))
    func aDecoderReadsTheConfigBackFromThePNG() async throws {
        let code = try QRCode(encoding: config)
        #expect(code.size >= 21 && (code.size - 17) % 4 == 0, "a QR version's side is 17 + 4 v")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bq-qr-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(code.png(scale: 4)).write(to: file)
        let decoded = try await CommandRunner().run("/usr/bin/zbarimg", ["--raw", "-q", "-Sbinary", file.path])
        #expect(decoded == config || decoded == config + "\n", "\(decoded)")
    }

    @Test func thePNGIsWellFormed() throws {
        #expect(PNGEncoder.crc32(Array("IEND".utf8)) == 0xAE42_6082, "the CRC every PNG's IEND chunk carries")
        let png = try QRCode(encoding: "hello").png(scale: 2)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(Array(png.suffix(12)) == [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
        let side = (21 + 8) * 2
        #expect(Array(png[16..<24]) == PNGEncoder.bigEndian(UInt32(side)) + PNGEncoder.bigEndian(UInt32(side)))
        // Larger than one stored deflate block: the stream splits into several and still ends with Adler-32.
        let big = PNGEncoder.zlibStored([UInt8](repeating: 7, count: 70_000))
        #expect(big.count == 2 + 2 * 5 + 70_000 + 4 && big[2] == 0 && big[2 + 5 + 65_535] == 1)
    }
}
