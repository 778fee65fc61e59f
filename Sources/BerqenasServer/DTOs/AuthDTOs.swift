import BerqenasPlatform
import OpenAPIKit
import Vapor

/// Sign-in credentials, as JSON or as an OAuth2 password form.
package struct LoginRequest: Content {
    package let username: String
    package let password: String

    package init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    static let schema = WireSchema.of(Self.self, .request)
}

/// Tokens handed out at sign-in and refresh.
struct TokenResponse: Content {
    let accessToken: String
    let tokenType: String
    let expiresIn: Int
    let refreshToken: String

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in"
        case refreshToken = "refresh_token"
    }

    static let schema = WireSchema.of(Self.self, .response, overriding: ["token_type": .string(allowedValues: "bearer")])
}

/// A refresh token presented for rotation or revocation.
package struct RefreshRequest: Content {
    package let refreshToken: String

    package init(refreshToken: String) {
        self.refreshToken = refreshToken
    }

    enum CodingKeys: String, CodingKey { case refreshToken = "refresh_token" }

    static let schema = WireSchema.of(Self.self, .request)
}

/// Sign-out: one refresh token, or every session of the user when none is given.
package struct LogoutRequest: Content {
    package let refreshToken: String?

    package init(refreshToken: String? = nil) {
        self.refreshToken = refreshToken
    }

    enum CodingKeys: String, CodingKey { case refreshToken = "refresh_token" }

    static let schema = WireSchema.of(Self.self, .request)
}
