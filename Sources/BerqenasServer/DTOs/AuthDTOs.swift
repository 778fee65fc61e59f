import BerqenasPlatform
import OpenAPIKit
import Vapor

/// Sign-in credentials, as JSON or as an OAuth2 password form.
package struct LoginRequest: Content {
    package let username: String
    package let password: String
    /// Deliver the refresh token as an HttpOnly cookie instead of in the body (the web panel's way: its
    /// scripts never hold it).
    package let refreshCookie: Bool?

    package init(username: String, password: String, refreshCookie: Bool? = nil) {
        self.username = username
        self.password = password
        self.refreshCookie = refreshCookie
    }

    enum CodingKeys: String, CodingKey { case username, password, refreshCookie = "refresh_cookie" }

    static let schema = WireSchema.of(Self.self, .request)
}

/// Tokens handed out at sign-in and refresh; the refresh token is absent when it went into the cookie.
struct TokenResponse: Content {
    let accessToken: String
    let tokenType: String
    let expiresIn: Int
    let refreshToken: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in"
        case refreshToken = "refresh_token"
    }

    static let schema = WireSchema.of(Self.self, .response, overriding: ["token_type": .string(allowedValues: "bearer")])
}

/// A refresh token presented for rotation; without one, the refresh cookie is used (see `RefreshCookie`).
package struct RefreshRequest: Content {
    package let refreshToken: String?

    package init(refreshToken: String?) {
        self.refreshToken = refreshToken
    }

    enum CodingKeys: String, CodingKey { case refreshToken = "refresh_token" }

    static let schema = WireSchema.of(Self.self, .request)
}

/// Sign-out: one refresh token (given, or the refresh cookie's), or every session of the user with
/// `everywhere: true` or when there is neither (`everywhere: false` then revokes nothing).
package struct LogoutRequest: Content {
    package let refreshToken: String?
    package let everywhere: Bool?

    package init(refreshToken: String? = nil, everywhere: Bool? = nil) {
        self.refreshToken = refreshToken
        self.everywhere = everywhere
    }

    enum CodingKeys: String, CodingKey { case refreshToken = "refresh_token", everywhere }

    static let schema = WireSchema.of(Self.self, .request)
}
