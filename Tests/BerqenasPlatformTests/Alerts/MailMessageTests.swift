import Foundation
import Testing

@testable import BerqenasPlatform

/// The mail an alert becomes: headers SMTP can carry, a subject any UTF-8 survives, a body DATA cannot end early.
struct MailMessageTests {
    @Test func aLineStartingWithADotIsDoubledAndTheMessageEndsWithTheDotLine() {
        let stuffed = MailMessage.dotStuffed("Subject: x\r\n\r\n.\r\n..two\nplain\r\n")
        #expect(stuffed == "Subject: x\r\n\r\n..\r\n...two\r\nplain\r\n.\r\n")
    }

    @Test func aUTF8SubjectBecomesEncodedWordsOfAtMost75CharactersThatDecodeBack() throws {
        let subject = "Überwachung — 東京 ✓ " + String(repeating: "ü", count: 60)
        let header = MailMessage.encodedHeader("Subject", subject)
        let words = header.dropFirst("Subject: ".count).components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        var decoded = Data()
        for word in words {
            #expect(word.count <= 75 && word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="), "\(word)")
            // Each word is whole characters: it decodes by itself.
            let payload = try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
            #expect(String(data: payload, encoding: .utf8) != nil)
            decoded += payload
        }
        #expect(String(data: decoded, encoding: .utf8) == subject)
        #expect(MailMessage.encodedHeader("Subject", "Überwachung — 東京 ✓").hasSuffix("=?UTF-8?B?w5xiZXJ3YWNodW5nIOKAlCDmnbHkuqwg4pyT?="))
    }

    @Test func aLineBreakInASubjectCannotAddAHeader() {
        let header = MailMessage.encodedHeader("Subject", "failed\r\nBcc: victim@example.com")
        #expect(!header.contains("\r\n") && !header.contains("\n"))
        let rendered = MailMessage(from: "hub@example.com", to: ["a@example.com"], subject: "x\nBcc: v@example.com", text: "t", html: "h").rendered()
        #expect(!rendered.contains("\nBcc:"))
    }

    @Test func addressesThatWouldBreakAnSMTPCommandAreRefused() {
        #expect(MailMessage.isPlainAddress("ops.team+alerts@example.co.uk"))
        for bad in ["a@b.c>\r\nRCPT TO:<x@y.z", "no-at-sign", "a b@example.com", "a@example", "<a@example.com>", "a@.example.com", "ü@example.com"] {
            #expect(!MailMessage.isPlainAddress(bad), "\(bad)")
        }
    }

    @Test func theMessageHasDateMessageIDAndBothAlternativesInBase64() throws {
        let date = Date(timeIntervalSince1970: 1_733_500_000)
        let message = MailMessage(
            from: "hub@example.com", to: ["a@example.com", "b@example.com"], subject: "hi", text: "plain ✓", html: "<p>html</p>", date: date)
        let rendered = message.rendered(boundary: "BOUNDARY")
        #expect(rendered.contains("Date: Fri, 06 Dec 2024 15:46:40 +0000\r\n"))
        #expect(rendered.contains("Message-ID: <") && rendered.contains("@example.com>\r\n"))
        #expect(rendered.contains("To: a@example.com, b@example.com\r\n"))
        #expect(rendered.contains("Content-Type: multipart/alternative; boundary=\"BOUNDARY\""))
        #expect(rendered.contains(Data("plain ✓".utf8).base64EncodedString()))
        #expect(rendered.contains("Content-Type: text/html; charset=utf-8"))
        #expect(rendered.hasSuffix("--BOUNDARY--\r\n"))
        #expect(rendered.split(separator: "\r\n").allSatisfy { $0.count <= 998 })
    }

    @Test func aWebhookSignatureIsTheHMACOfTimestampDotBody() {
        let value = WebhookSignature.value(
            body: Array(#"{"id":"x"}"#.utf8), secret: "whsec-test-secret-0123", time: Date(timeIntervalSince1970: 1_733_500_000))
        // Computed apart, with Python's hmac module.
        #expect(value == "t=1733500000,v1=86241c7b078fe1555471264535c914e8c5b5b3c1cbf9c4c744c092c1f699c2ad")
    }
}
