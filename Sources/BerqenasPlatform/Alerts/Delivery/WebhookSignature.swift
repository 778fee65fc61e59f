import Crypto
import Foundation

/// The `X-Berqenas-Signature` header of a webhook: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
/// under the channel's secret (the timestamp is signed too, so a receiver can refuse old replays).
package enum WebhookSignature {
    package static let header = "X-Berqenas-Signature"

    package static func value(body: [UInt8], secret: String, time: Date) -> String {
        let seconds = Int(time.timeIntervalSince1970)
        return "t=\(seconds),v1=\(hex(body: body, secret: secret, seconds: seconds))"
    }

    static func hex(body: [UInt8], secret: String, seconds: Int) -> String {
        var signed = Array("\(seconds).".utf8)
        signed += body
        let code = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return code.hexString
    }
}
