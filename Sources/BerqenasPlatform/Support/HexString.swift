import Foundation

extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal, two digits a byte (digests and signatures as they are shown and compared).
    package var hexString: String {
        map { String(format: "%02x", $0) }.joined()
    }
}
