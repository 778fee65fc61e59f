import Foundation
import NIOCore

/// UUIDs to and from text without Foundation's scanner (a hot path of snapshot copies).
package enum UUIDText {
    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either case); nil otherwise.
    package static func parse(_ text: String) -> UUID? {
        var bytes = [UInt8](repeating: 0, count: 16)
        var count = 0
        var high: UInt8?
        for (position, character) in text.utf8.enumerated() {
            if character == UInt8(ascii: "-") {
                guard [8, 13, 18, 23].contains(position), high == nil else { return nil }
                continue
            }
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let first = high {
                guard count < 16 else { return nil }
                bytes[count] = first << 4 | nibble
                count += 1
                high = nil
            } else {
                high = nibble
            }
        }
        guard count == 16, high == nil, text.utf8.count == 36 else { return nil }
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }

    /// Writes the lowercase text form into `buffer`.
    static func write(_ uuid: UUID, to buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 36) { output in
            render(uuid, into: output)
        }
    }

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lowercase.
    package static func lowercase(_ uuid: UUID) -> String {
        String(unsafeUninitializedCapacity: 36) { output in
            render(uuid, into: UnsafeMutableRawBufferPointer(output))
        }
    }

    /// Renders the 36 bytes of the text form at the start of `output` and returns 36.
    private static func render(_ uuid: UUID, into output: UnsafeMutableRawBufferPointer) -> Int {
        let hex: StaticString = "0123456789abcdef"
        return withUnsafeBytes(of: uuid.uuid) { bytes in
            let digits = hex.utf8Start
            var position = 0
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    output[position] = UInt8(ascii: "-")
                    position += 1
                }
                let byte = bytes[index]
                output[position] = digits[Int(byte >> 4)]
                output[position + 1] = digits[Int(byte & 0x0F)]
                position += 2
            }
            return position
        }
    }
}
