import CQRencode

/// A QR code's modules, made by libqrencode (Debian's `libqrencode`), for handing a wg-quick file to a
/// phone or a camera-equipped site machine.
package struct QRCode: Sendable, Equatable {
    /// Modules per side.
    package let size: Int
    /// Row-major, true for a dark module.
    package let modules: [Bool]

    /// Encodes `text` as 8-bit data at error correction level M, in the smallest version that holds it.
    package init(encoding text: String) throws {
        guard let code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M) else {
            throw NetworkError("qr_encoding_failed", "the text (\(text.utf8.count) bytes) does not fit in a QR code")
        }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        size = width
        modules = (0..<(width * width)).map { code.pointee.data[$0] & 1 == 1 }
    }

    package func isDark(x: Int, y: Int) -> Bool { modules[y * size + x] }

    /// A grayscale PNG: `scale` pixels per module, with the four-module quiet zone around it.
    package func png(scale: Int = 8) -> [UInt8] {
        let side = (size + 8) * scale
        var rows: [UInt8] = []
        rows.reserveCapacity(side * (side + 1))
        for pixelY in 0..<side {
            rows.append(0)  // filter: none
            let y = pixelY / scale - 4
            for pixelX in 0..<side {
                let x = pixelX / scale - 4
                let dark = (0..<size).contains(x) && (0..<size).contains(y) && isDark(x: x, y: y)
                rows.append(dark ? 0 : 255)
            }
        }
        return PNGEncoder.grayscale(width: side, height: side, rows: rows)
    }
}
