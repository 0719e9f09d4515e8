//! The Descope-compatible auth API (`/v1/auth/...`, `/v2/keys/...`) on the shared session store.
//!
//! A Descope sign-in is a Parse login: it creates a row in the same `sessions` table (action
//! `login`/`signup`, provider `password`), and the refresh JWT names that row by objectId in its
//! `jti`. So a Parse logout, a password change or `logoutall` from either side ends the Descope
//! refresh token, and a Descope logout ends the Parse session. Session JWTs are stateless, as
//! Descope's are: SDKs check them locally against the JWKS until they expire (10 minutes by
//! default); the refresh JWT is what the server can revoke.
//!
//! Routes: `POST /v1/auth/password/signup`, `POST /v1/auth/password/signin`,
//! `POST /v1/auth/refresh`, `GET /v1/auth/me`, `POST /v1/auth/logout`,
//! `POST /v1/auth/logoutall`, `POST /v1/auth/validate`, `GET /v2/keys/<projectId>`.

pub mod keys;
pub mod request;
pub mod token;
pub mod wire;

use std::sync::{Arc, Weak};
use std::time::Duration;

use hyper::body::Incoming;
use hyper::{HeaderMap, Method, Request};
use parking_lot::RwLock;
use serde_json::{Map, Value, json};

use crate::config::DescopeConfig;
use crate::error::ErrorCode;
use crate::http::{AppState, BodyError, HttpResponse, read_body};
use crate::store::EndedSession;
use crate::store::{
    AuthSession, NewUser, Session, SessionAction, SessionMeta, Store, StoreError, User, now_millis,
};
use keys::KeyRing;
use request::{json_body, presented_token, refresh_cookie_names, required_string};
use token::{Claims, Kind};
use wire::{DescopeError, IssuedTokens, JwtResponse, UserResponse};

/// How often a running server looks for keys rotated by `parse-compat keys rotate`.
const KEY_RELOAD_INTERVAL: Duration = Duration::from_secs(30);

type Outcome = Result<HttpResponse, DescopeError>;

pub struct DescopeService {
    shared: Arc<Shared>,
}

struct Shared {
    config: DescopeConfig,
    /// The parsed keys. Read on every token operation, replaced only when the stored keys
    /// change, so a read lock held for one `Arc` clone is all a request pays.
    ring: RwLock<Arc<KeyRing>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    SignUp,
    SignIn,
    Refresh,
    Me,
    Logout,
    LogoutAll,
    Validate,
    Keys,
}

impl Route {
    fn of(path: &str) -> Option<Self> {
        Some(match path {
            "/v1/auth/password/signup" => Self::SignUp,
            "/v1/auth/password/signin" => Self::SignIn,
            "/v1/auth/refresh" => Self::Refresh,
            "/v1/auth/me" => Self::Me,
            "/v1/auth/logout" => Self::Logout,
            "/v1/auth/logoutall" => Self::LogoutAll,
            "/v1/auth/validate" => Self::Validate,
            p if p.starts_with("/v2/keys/") => Self::Keys,
            _ => return None,
        })
    }

    fn method(self) -> Method {
        match self {
            Self::Me | Self::Keys => Method::GET,
            Self::SignUp
            | Self::SignIn
            | Self::Refresh
            | Self::Logout
            | Self::LogoutAll
            | Self::Validate => Method::POST,
        }
    }
}

fn now_secs() -> i64 {
    now_millis() / 1000
}

/// Retired keys stay verifiable this long: no token they signed can outlive it.
fn max_token_secs(config: &DescopeConfig) -> i64 {
    config
        .refresh_token_secs
        .max(config.session_token_secs)
        .saturating_add(i64::try_from(token::LEEWAY_SECS).unwrap_or(0))
}

async fn build_ring(source: String, config: &DescopeConfig) -> Result<KeyRing, StoreError> {
    let max = max_token_secs(config);
    tokio::task::spawn_blocking(move || KeyRing::build(source, now_secs(), max))
        .await
        .map_err(|e| StoreError::Join(e.to_string()))?
        .map_err(StoreError::from)
}

impl DescopeService {
    /// Load the signing keys (creating the first one on first start) and start watching the
    /// store for rotations.
    pub async fn open(config: &DescopeConfig, store: &Store) -> Result<Self, StoreError> {
        let source = keys::ensure_current_key(store, now_secs()).await?;
        let ring = build_ring(source, config).await?;
        let shared = Arc::new(Shared {
            config: config.clone(),
            ring: RwLock::new(Arc::new(ring)),
        });
        tokio::spawn(watch_keys(Arc::downgrade(&shared), store.clone()));
        Ok(Self { shared })
    }

    /// A refresh JWT for an existing session row, as sign-in would mint it: for seeding
    /// benchmarks and for embedders that create sessions themselves. Costs one RSA signature;
    /// call it from a blocking thread.
    pub fn mint_refresh_token(&self, session: &Session) -> Result<String, token::SignError> {
        let config = self.config();
        let now = now_secs();
        let mut exp = now.saturating_add(config.refresh_token_secs);
        if let Some(at) = session.expires_at {
            exp = exp.min(at / 1000);
        }
        let claims = Claims::new(
            Kind::Refresh,
            &config.project_id,
            &session.user_id,
            Some(&session.object_id),
            now,
            exp - now,
        );
        token::mint(&self.ring(), &claims)
    }

    fn config(&self) -> &DescopeConfig {
        &self.shared.config
    }

    fn ring(&self) -> Arc<KeyRing> {
        Arc::clone(&self.shared.ring.read())
    }

    pub async fn handle(&self, state: &AppState, req: Request<Incoming>) -> HttpResponse {
        let (parts, body) = req.into_parts();
        let path = parts.uri.path();
        let Some(route) = Route::of(path) else {
            return DescopeError::not_found(path).into_response();
        };
        if parts.method != route.method() && !(parts.method == Method::HEAD && route == Route::Keys)
        {
            let mut res =
                DescopeError::method_not_allowed(parts.method.as_str(), path).into_response();
            if let Ok(v) = hyper::header::HeaderValue::from_str(route.method().as_str()) {
                res.headers_mut().insert(hyper::header::ALLOW, v);
            }
            return res;
        }
        let body = if route.method() == Method::POST {
            match read_body(body, state.config.body_limit).await {
                Ok(b) => b,
                Err(BodyError::TooLarge) => return DescopeError::too_large().into_response(),
                Err(BodyError::Failed) => {
                    return DescopeError::bad_request("The request body could not be read")
                        .into_response();
                }
            }
        } else {
            bytes::Bytes::new()
        };
        let store = &state.store;
        let outcome = match route {
            Route::Keys => self.keys(path),
            Route::SignUp => self.sign_up(store, &body).await,
            Route::SignIn => self.sign_in(store, &body).await,
            Route::Refresh => self.refresh(store, &parts.headers, &body).await,
            Route::Me => self.me(store, &parts.headers).await,
            Route::Logout => self.logout(store, &parts.headers, &body).await,
            Route::LogoutAll => self.logout_all(store, &parts.headers, &body).await,
            Route::Validate => self.validate(&parts.headers, &body),
        };
        outcome.unwrap_or_else(DescopeError::into_response)
    }

    /// `GET /v2/keys/<projectId>`: the public keys, newest first.
    fn keys(&self, path: &str) -> Outcome {
        let project = &path["/v2/keys/".len()..];
        if project.trim_end_matches('/') != self.config().project_id {
            return Err(DescopeError::bad_request("Unknown project id"));
        }
        Ok(wire::json_bytes(200, self.ring().jwks()))
    }

    /// `POST /v1/auth/password/signup` `{loginId, password, user: {email?}}`.
    async fn sign_up(&self, store: &Store, body: &[u8]) -> Outcome {
        let body = json_body(body)?;
        let login_id = required_string(&body, "loginId")?;
        let password = required_string(&body, "password")?;
        let email = signup_email(&body)?;
        let new = NewUser {
            username: login_id,
            password: Some(password),
            email,
            auth_data: None,
            ..Default::default()
        };
        let (user, issued) =
            store
                .sign_up(new, SessionMeta::default())
                .await
                .map_err(|e| match e {
                    StoreError::Parse(p)
                        if matches!(p.code, ErrorCode::UsernameTaken | ErrorCode::EmailTaken) =>
                    {
                        DescopeError::user_exists(&p.message)
                    }
                    other => store_failure(&other),
                })?;
        self.signed_in(&user, &issued.session, true).await
    }

    /// `POST /v1/auth/password/signin` `{loginId, password}`: the login id is a username or
    /// an email, as Parse's login accepts.
    async fn sign_in(&self, store: &Store, body: &[u8]) -> Outcome {
        let body = json_body(body)?;
        let login_id = required_string(&body, "loginId")?;
        let password = required_string(&body, "password")?;
        let user = store
            .check_credentials(Some(login_id), None, password, false)
            .await
            .map_err(|e| store_failure(&e))?
            .ok_or_else(DescopeError::bad_credentials)?;
        let issued = store
            .create_session(
                &user.object_id,
                SessionAction::Login,
                "password",
                SessionMeta::default(),
            )
            .await
            .map_err(|e| store_failure(&e))?;
        self.signed_in(&user, &issued.session, false).await
    }

    /// Mint both tokens for a new session and answer as Descope does, cookies included.
    async fn signed_in(&self, user: &User, session: &Session, first_seen: bool) -> Outcome {
        let config = self.config();
        let now = now_secs();
        // A refresh JWT never outlives its session row.
        let mut refresh_exp = now.saturating_add(config.refresh_token_secs);
        if let Some(at) = session.expires_at {
            refresh_exp = refresh_exp.min(at / 1000);
        }
        let refresh = Claims::new(
            Kind::Refresh,
            &config.project_id,
            &user.object_id,
            Some(&session.object_id),
            now,
            refresh_exp - now,
        );
        let session_claims = self.session_claims(&user.object_id, now, refresh_exp);
        let ring = self.ring();
        let (refresh_jwt, session_jwt) = {
            let (r, s) = (refresh.clone(), session_claims.clone());
            sign_on_blocking_thread(move || Ok((token::mint(&ring, &r)?, token::mint(&ring, &s)?)))
                .await?
        };
        Ok(self.tokens_response(
            IssuedTokens {
                session_jwt,
                session_exp: session_claims.exp,
                session_claims: claims_map(&session_claims),
                refresh_jwt: &refresh_jwt,
                refresh_exp,
                now,
            },
            user,
            first_seen,
        ))
    }

    fn session_claims(&self, user_id: &str, now: i64, refresh_exp: i64) -> Claims {
        let config = self.config();
        let lifetime = config.session_token_secs.min(refresh_exp - now).max(0);
        Claims::new(
            Kind::Session,
            &config.project_id,
            user_id,
            None,
            now,
            lifetime,
        )
    }

    fn tokens_response(
        &self,
        tokens: IssuedTokens<'_>,
        user: &User,
        first_seen: bool,
    ) -> HttpResponse {
        let cookies = [
            wire::set_cookie(
                wire::SESSION_COOKIE,
                &tokens.session_jwt,
                tokens.session_exp - tokens.now,
            ),
            wire::set_cookie(
                wire::REFRESH_COOKIE,
                tokens.refresh_jwt,
                tokens.refresh_exp - tokens.now,
            ),
        ];
        let mut res = wire::json(200, &JwtResponse::signed_in(tokens, user, first_seen));
        wire::add_cookies(&mut res, &cookies);
        res
    }

    /// The refresh token a request presents, checked, and its live session.
    async fn refresh_session(
        &self,
        store: &Store,
        headers: &HeaderMap,
    ) -> Result<(String, Claims, AuthSession), DescopeError> {
        let (jwt, claims) = self.presented_refresh(headers)?;
        let session = live_session(store, &claims).await?;
        Ok((jwt, claims, session))
    }

    fn presented_refresh(&self, headers: &HeaderMap) -> Result<(String, Claims), DescopeError> {
        let project = &self.config().project_id;
        let jwt = presented_token(headers, project, &refresh_cookie_names(headers))?;
        let claims = token::verify(&self.ring(), &jwt, project, Kind::Refresh)
            .map_err(|e| DescopeError::from_token(e, "refresh"))?;
        Ok((jwt, claims))
    }

    /// `POST /v1/auth/refresh`: a new session JWT for a live refresh token. The refresh JWT is
    /// not rotated: it is answered back unchanged.
    async fn refresh(&self, store: &Store, headers: &HeaderMap, body: &[u8]) -> Outcome {
        json_body(body)?;
        let (refresh_jwt, claims, auth) = self.refresh_session(store, headers).await?;
        let now = now_secs();
        let session_claims = self.session_claims(&claims.sub, now, claims.exp);
        let ring = self.ring();
        let signed = session_claims.clone();
        let session_jwt = sign_on_blocking_thread(move || token::mint(&ring, &signed)).await?;
        Ok(self.tokens_response(
            IssuedTokens {
                session_jwt,
                session_exp: session_claims.exp,
                session_claims: claims_map(&session_claims),
                refresh_jwt: &refresh_jwt,
                refresh_exp: claims.exp,
                now,
            },
            &auth.user,
            false,
        ))
    }

    /// `GET /v1/auth/me`: the user of a live refresh token.
    async fn me(&self, store: &Store, headers: &HeaderMap) -> Outcome {
        let (_, _, auth) = self.refresh_session(store, headers).await?;
        Ok(wire::json(200, &UserResponse::of(&auth.user)))
    }

    /// `POST /v1/auth/logout`: end exactly the refresh token's session.
    async fn logout(&self, store: &Store, headers: &HeaderMap, body: &[u8]) -> Outcome {
        json_body(body)?;
        let (_, claims) = self.presented_refresh(headers)?;
        let session_id = claims.jti.as_deref().unwrap_or_default();
        match store
            .end_session_by_id(&claims.sub, session_id, now_millis())
            .await
            .map_err(|e| store_failure(&e))?
        {
            EndedSession::Ended { expired: false } => Ok(logged_out()),
            EndedSession::Ended { expired: true } => {
                Err(DescopeError::revoked("The session has expired"))
            }
            EndedSession::Missing => Err(DescopeError::revoked("The session was revoked")),
        }
    }

    /// `POST /v1/auth/logoutall`: end every session of the user, Parse sessions included.
    async fn logout_all(&self, store: &Store, headers: &HeaderMap, body: &[u8]) -> Outcome {
        json_body(body)?;
        let (_, claims, _) = self.refresh_session(store, headers).await?;
        store
            .revoke_all_for_user(&claims.sub)
            .await
            .map_err(|e| store_failure(&e))?;
        Ok(logged_out())
    }

    /// `POST /v1/auth/validate` with a session JWT (bearer or `DS` cookie):
    /// `{"parsedJWT": claims}`. Stateless, like the SDKs' local validation.
    fn validate(&self, headers: &HeaderMap, body: &[u8]) -> Outcome {
        json_body(body)?;
        let project = &self.config().project_id;
        let jwt = presented_token(headers, project, &[wire::SESSION_COOKIE])?;
        let claims = token::verify(&self.ring(), &jwt, project, Kind::Session)
            .map_err(|e| DescopeError::from_token(e, "session"))?;
        Ok(wire::json(
            200,
            &json!({ "parsedJWT": Value::Object(claims_map(&claims)) }),
        ))
    }
}

/// `parse-compat keys rotate`: add a new signing key; returns its `kid`. Older keys stay in
/// the JWKS and verify their tokens until those expire; a running server starts signing with
/// the new key within [`KEY_RELOAD_INTERVAL`].
pub async fn rotate_keys(store: &Store) -> Result<String, StoreError> {
    keys::rotate(store, now_secs()).await
}

/// Reload the keys when another process (`keys rotate`) changed them. Ends with the service.
async fn watch_keys(shared: Weak<Shared>, store: Store) {
    loop {
        tokio::time::sleep(KEY_RELOAD_INTERVAL).await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let current = Arc::clone(&shared.ring.read());
        match store.descope_keys().await {
            Ok(Some(source)) if source != current.source => {
                match build_ring(source, &shared.config).await {
                    Ok(ring) => {
                        tracing::info!(kid = %ring.signing.kid, "descope signing keys reloaded");
                        *shared.ring.write() = Arc::new(ring);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "descope signing keys unreadable; keeping the loaded ones")
                    }
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "reading descope signing keys failed"),
        }
    }
}

/// The refresh token's session, if it is still alive and still the token's user's.
async fn live_session(store: &Store, claims: &Claims) -> Result<AuthSession, DescopeError> {
    let session_id = claims.jti.as_deref().unwrap_or_default();
    match store
        .find_session_by_id(session_id)
        .await
        .map_err(|e| store_failure(&e))?
    {
        None => Err(DescopeError::revoked("The session was revoked")),
        Some(auth) if auth.session.user_id != claims.sub => {
            Err(DescopeError::revoked("The session was revoked"))
        }
        Some(auth) if auth.session.is_expired(now_millis()) => {
            Err(DescopeError::revoked("The session has expired"))
        }
        Some(auth) => Ok(auth),
    }
}

fn logged_out() -> HttpResponse {
    let mut res = wire::json(200, &JwtResponse::empty());
    wire::add_cookies(
        &mut res,
        &[
            wire::delete_cookie(wire::SESSION_COOKIE),
            wire::delete_cookie(wire::REFRESH_COOKIE),
        ],
    );
    res
}

fn claims_map(claims: &Claims) -> Map<String, Value> {
    match serde_json::to_value(claims) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

fn store_failure(err: &StoreError) -> DescopeError {
    tracing::error!(error = %err, "descope request failed in the store");
    DescopeError::internal("The request could not be completed")
}

/// RSA signing costs about a millisecond: keep it off the async threads.
async fn sign_on_blocking_thread<T, F>(f: F) -> Result<T, DescopeError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, token::SignError> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "descope token signing failed");
            Err(DescopeError::internal("The token could not be signed"))
        }
        Err(e) => {
            tracing::error!(error = %e, "descope token signing task failed");
            Err(DescopeError::internal("The token could not be signed"))
        }
    }
}

/// `user.email` of a sign-up body, if given; Parse's email check applies.
fn signup_email(body: &Map<String, Value>) -> Result<Option<String>, DescopeError> {
    let user = match body.get("user") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(u)) => u,
        Some(_) => {
            return Err(DescopeError::bad_request(
                "The user argument must be an object",
            ));
        }
    };
    match user.get("email") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(e)) if e.is_empty() => Ok(None),
        Some(Value::String(e)) if valid_email(e) => Ok(Some(e.clone())),
        Some(Value::String(_)) => Err(DescopeError::bad_request("The email address is invalid")),
        Some(_) => Err(DescopeError::bad_request("The email must be a string")),
    }
}

/// Parse's email rule (as its sign-up applies it): something, an `@`, something.
fn valid_email(email: &str) -> bool {
    email
        .find('@')
        .is_some_and(|at| at > 0 && at + 1 < email.len())
}
