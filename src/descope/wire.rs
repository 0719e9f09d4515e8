//! What the Descope API puts on the wire: the JWTResponse and UserResponse bodies (field names
//! and order as Descope documents them), its error body, and the `DS`/`DSR` cookies.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderValue, SET_COOKIE};
use hyper::{Response, StatusCode};
use serde::Serialize;
use serde_json::{Map, Value};

use super::token::TokenError;
use crate::http::HttpResponse;
use crate::store::User;

pub const SESSION_COOKIE: &str = "DS";
pub const REFRESH_COOKIE: &str = "DSR";
const COOKIE_PATH: &str = "/";

/// A refused request: an HTTP status and Descope's `{errorCode, errorDescription,
/// errorMessage}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescopeError {
    pub status: u16,
    pub code: &'static str,
    pub description: &'static str,
    pub message: String,
}

impl DescopeError {
    fn new(status: u16, code: &'static str, description: &'static str, message: &str) -> Self {
        Self {
            status,
            code,
            description,
            message: message.to_owned(),
        }
    }

    /// 400 E011001: the request itself is unusable (not JSON, wrong types, wrong method).
    pub fn bad_request(message: &str) -> Self {
        Self::new(400, "E011001", "Bad request", message)
    }

    /// 400 E011002: a required argument is missing from the body.
    pub fn missing_argument(message: &str) -> Self {
        Self::new(400, "E011002", "Missing arguments", message)
    }

    /// 401 E011002: no token was presented.
    pub fn missing_token(message: &str) -> Self {
        Self::new(401, "E011002", "Missing arguments", message)
    }

    /// 401 E011003: a token or project id that cannot be accepted.
    pub fn invalid_token(message: &str) -> Self {
        Self::new(401, "E011003", "Request is invalid", message)
    }

    /// 401 E064001: the token's session was revoked or has expired.
    pub fn revoked(message: &str) -> Self {
        Self::new(401, "E064001", "Token expired by logged out", message)
    }

    /// 401 E062108 for a sign-in whose login id or password is wrong (one answer for both, so
    /// a caller cannot learn which login ids exist).
    pub fn bad_credentials() -> Self {
        Self::new(
            401,
            "E062108",
            "Failed to sign in",
            "The login id or password is wrong",
        )
    }

    /// 409 E062107: sign-up with a login id or email another user has.
    pub fn user_exists(message: &str) -> Self {
        Self::new(409, "E062107", "User already exists", message)
    }

    pub fn not_found(path: &str) -> Self {
        Self::new(
            404,
            "E011001",
            "Bad request",
            &format!("No such endpoint: {path}"),
        )
    }

    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        Self::new(
            405,
            "E011001",
            "Bad request",
            &format!("{path} does not accept {method}"),
        )
    }

    pub fn too_large() -> Self {
        Self::new(
            413,
            "E011001",
            "Bad request",
            "The request body is too large",
        )
    }

    /// Something on our side failed (the store). Never used for a bad token; 500 is not one
    /// of the statuses the Python and Go SDKs retry.
    pub fn internal(message: &str) -> Self {
        Self::new(500, "E010001", "Internal error", message)
    }

    /// A token check failure, on a token of `what` kind.
    pub fn from_token(err: TokenError, what: &str) -> Self {
        match err {
            TokenError::Expired => Self::revoked(&format!("The {what} token has expired")),
            TokenError::Malformed
            | TokenError::UnknownKey
            | TokenError::BadSignature
            | TokenError::WrongProject
            | TokenError::WrongKind(_) => {
                Self::invalid_token(&format!("Invalid {what} token: {err}"))
            }
        }
    }

    pub fn into_response(self) -> HttpResponse {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            error_code: &'a str,
            error_description: &'a str,
            error_message: &'a str,
        }
        let body = serde_json::to_vec(&Body {
            error_code: self.code,
            error_description: self.description,
            error_message: &self.message,
        })
        .unwrap_or_default();
        json_bytes(self.status, body.into())
    }
}

/// A JSON response (`application/json`), no Express headers: this is not Parse.
pub fn json_bytes(status: u16, body: Bytes) -> HttpResponse {
    let mut res = Response::new(Full::new(body));
    *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

pub fn json<T: Serialize>(status: u16, body: &T) -> HttpResponse {
    match serde_json::to_vec(body) {
        Ok(bytes) => json_bytes(status, bytes.into()),
        Err(e) => DescopeError::internal(&e.to_string()).into_response(),
    }
}

/// Descope's UserResponse, every field present.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct UserResponse {
    #[serde(rename = "loginIds")]
    pub login_ids: Vec<String>,
    #[serde(rename = "userId")]
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    #[serde(rename = "verifiedEmail")]
    pub verified_email: bool,
    #[serde(rename = "verifiedPhone")]
    pub verified_phone: bool,
    #[serde(rename = "roleNames")]
    pub role_names: Vec<String>,
    #[serde(rename = "userTenants")]
    pub user_tenants: Vec<Value>,
    pub status: String,
    #[serde(rename = "externalIds")]
    pub external_ids: Vec<String>,
    pub picture: String,
    pub test: bool,
    #[serde(rename = "customAttributes")]
    pub custom_attributes: Map<String, Value>,
    #[serde(rename = "createdTime")]
    pub created_time: i64,
    #[serde(rename = "TOTP")]
    pub totp: bool,
    #[serde(rename = "SAML")]
    pub saml: bool,
    #[serde(rename = "OAuth")]
    pub oauth: Map<String, Value>,
    pub webauthn: bool,
    pub password: bool,
    #[serde(rename = "ssoAppIds")]
    pub sso_app_ids: Vec<String>,
    #[serde(rename = "givenName")]
    pub given_name: String,
    #[serde(rename = "middleName")]
    pub middle_name: String,
    #[serde(rename = "familyName")]
    pub family_name: String,
    pub editable: bool,
    #[serde(rename = "SCIM")]
    pub scim: bool,
    pub push: bool,
    pub permissions: Vec<String>,
    #[serde(rename = "OIDC")]
    pub oidc: bool,
}

impl UserResponse {
    /// A Parse user as Descope describes a user: the username is the login id.
    pub fn of(user: &User) -> Self {
        Self {
            login_ids: vec![user.username.clone()],
            user_id: user.object_id.clone(),
            email: user.email.clone().unwrap_or_default(),
            verified_email: user.email_verified.unwrap_or(false),
            status: "enabled".into(),
            external_ids: vec![user.username.clone()],
            created_time: user.created_at / 1000,
            password: user.hashed_password.is_some(),
            editable: true,
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct IdpResponse {
    #[serde(rename = "idpGroups")]
    pub idp_groups: Vec<String>,
    #[serde(rename = "idpSAMLAttributes")]
    pub idp_saml_attributes: Map<String, Value>,
    #[serde(rename = "idpOIDCClaims")]
    pub idp_oidc_claims: Map<String, Value>,
}

/// Descope's JWTResponse, every field present.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct JwtResponse {
    pub session_jwt: String,
    pub refresh_jwt: String,
    pub cookie_domain: String,
    pub cookie_path: String,
    pub cookie_max_age: i64,
    pub cookie_expiration: i64,
    pub user: UserResponse,
    pub first_seen: bool,
    pub idp_response: IdpResponse,
    pub session_expiration: i64,
    pub external_token: String,
    pub claims: Map<String, Value>,
    #[serde(rename = "tenantSSOID")]
    pub tenant_ssoid: String,
    pub trusted_device_jwt: String,
    pub next_refresh_seconds: i64,
    pub cookie_name: String,
    pub session_cookie_name: String,
    pub session_cookie_domain: String,
}

/// The tokens of a signed-in session, for [`JwtResponse::signed_in`].
pub struct IssuedTokens<'a> {
    pub session_jwt: String,
    pub session_exp: i64,
    pub session_claims: Map<String, Value>,
    pub refresh_jwt: &'a str,
    pub refresh_exp: i64,
    pub now: i64,
}

impl JwtResponse {
    pub fn signed_in(tokens: IssuedTokens<'_>, user: &User, first_seen: bool) -> Self {
        Self {
            session_jwt: tokens.session_jwt,
            refresh_jwt: tokens.refresh_jwt.to_owned(),
            cookie_path: COOKIE_PATH.into(),
            cookie_max_age: (tokens.refresh_exp - tokens.now).max(0),
            cookie_expiration: tokens.refresh_exp,
            user: UserResponse::of(user),
            first_seen,
            session_expiration: tokens.session_exp,
            claims: tokens.session_claims,
            next_refresh_seconds: (tokens.session_exp - tokens.now).max(0),
            cookie_name: REFRESH_COOKIE.into(),
            session_cookie_name: SESSION_COOKIE.into(),
            ..Self::default()
        }
    }

    /// The logout answer: every token and field empty, so the client clears its state.
    pub fn empty() -> Self {
        Self::default()
    }
}

/// `Set-Cookie` for a token, as Descope sets its cookies: HttpOnly, Secure, SameSite=Strict,
/// Path `/`, no Domain (none configured).
pub fn set_cookie(name: &str, value: &str, max_age: i64) -> String {
    format!(
        "{name}={value}; Path={COOKIE_PATH}; Max-Age={}; HttpOnly; Secure; SameSite=Strict",
        max_age.max(0)
    )
}

/// `Set-Cookie` that deletes a cookie set by [`set_cookie`] (same Path, no Domain).
pub fn delete_cookie(name: &str) -> String {
    format!(
        "{name}=; Path={COOKIE_PATH}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict"
    )
}

pub fn add_cookies(res: &mut HttpResponse, cookies: &[String]) {
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            res.headers_mut().append(SET_COOKIE, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_logout_body_has_every_field_empty() {
        let body = serde_json::to_value(JwtResponse::empty()).unwrap();
        let keys: Vec<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "sessionJwt",
                "refreshJwt",
                "cookieDomain",
                "cookiePath",
                "cookieMaxAge",
                "cookieExpiration",
                "user",
                "firstSeen",
                "idpResponse",
                "sessionExpiration",
                "externalToken",
                "claims",
                "tenantSSOID",
                "trustedDeviceJwt",
                "nextRefreshSeconds",
                "cookieName",
                "sessionCookieName",
                "sessionCookieDomain"
            ]
        );
        insta::assert_json_snapshot!("logout_body", body);
    }

    #[test]
    fn error_bodies_have_descopes_three_fields() {
        let res = DescopeError::revoked("gone").into_response();
        assert_eq!(res.status(), 401);
        assert_eq!(res.headers()[CONTENT_TYPE], "application/json");
    }

    #[test]
    fn cookies_delete_what_they_set() {
        assert_eq!(
            set_cookie("DSR", "abc", 60),
            "DSR=abc; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Strict"
        );
        assert_eq!(
            delete_cookie("DS"),
            "DS=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict"
        );
    }
}
