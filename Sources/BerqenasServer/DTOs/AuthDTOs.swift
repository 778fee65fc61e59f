import BerqenasPlatform
import OpenAPIKit
import Vapor

/// Sign-in credentials, as JSON or as an OAuth2 password form.
struct LoginRequest: Content {
    let username: String
    let password: String

    static let schema: JSONSchema = .object(properties: ["username": .string, "password": .string(format: .password)])
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

    static let schema: JSONSchema = .object(properties: [
        "access_token": .string, "token_type": .string(allowedValues: "bearer"),
        "expires_in": .integer, "refresh_token": .string,
    ])
}

/// A refresh token presented for rotation or revocation.
struct RefreshRequest: Content {
    let refreshToken: String

    enum CodingKeys: String, CodingKey { case refreshToken = "refresh_token" }

    static let schema: JSONSchema = .object(properties: ["refresh_token": .string])
}

/// Sign-out: one refresh token, or every session of the user when none is given.
struct LogoutRequest: Content {
    let refreshToken: String?

    enum CodingKeys: String, CodingKey { case refreshToken = "refresh_token" }

    static let schema: JSONSchema = .object(properties: ["refresh_token": .string(required: false)])
}
