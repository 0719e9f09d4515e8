//! The REST API under the mount path (`/parse`): Parse's middleware, then one file per route.

mod batch;
mod challenge;
pub(crate) mod find;
pub(crate) mod get_user;
mod health;
mod login;
mod login_as;
mod logout;
mod me;
pub mod render;
mod schemas;
pub(crate) mod sessions;
mod signup;
pub(crate) mod update_user;
pub mod user_write;
mod verify_password;

use http_body_util::Either;
use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use serde_json::{Map, Value};

use crate::error::ParseError;
use crate::http::auth::{self, RequestAuth, SessionPolicy};
use crate::http::response::{self, HttpResponse};
use crate::http::upstream::{self, PassBody};
use crate::http::{AppState, BodyError, cors, json_body, json_error, read_body};
use crate::query;
use crate::triggers::Operation;
use crate::version::Behavior;

/// What a route handler sees.
pub struct RestContext<'a> {
    pub state: &'a AppState,
    pub auth: RequestAuth,
}

impl RestContext<'_> {
    /// Parse's database layer reads `classes` (`store::class_reads` bits) for this request,
    /// as the caller: a user's roles are read first (every non-master query and write as a
    /// user needs them).
    pub fn reads(&self, classes: u8) {
        let reads = self.state.store.class_reads();
        if !reads.enabled() {
            return;
        }
        if !self.auth.is_master
            && let Some(session) = &self.auth.session
        {
            reads.roles_loaded(session);
        }
        reads.read(classes);
    }
}

/// A handler's answer: status and JSON body, or a Parse error.
pub type RestResult = Result<(u16, Value), ParseError>;

/// The routes we serve, resolved from method and path.
enum Route {
    SignUp,
    LogIn,
    LogOut,
    UsersMe,
    SessionsMe,
    FindSessions,
    FindUsers,
    GetSession(String),
    UpdateSession(String),
    CreateSession,
    UpgradeSession,
    DeleteSession(String),
    UpdateUser(String),
    DeleteUser(String),
    GetUser(String),
    VerifyPassword,
    LogInAs,
    Challenge,
    /// `POST /requestPasswordReset`: a reset link by e-mail.
    RequestPasswordReset,
    /// `POST /verificationEmailRequest`: a new verification link by e-mail.
    VerificationEmailRequest,
    /// `POST /batch`: several of the above in one request.
    Batch,
    GetSchema(String),
    UpdateSchema(String),
    Unknown,
}

/// The objectId in `users/<id>` (not `users/me`) or `classes/_User/<id>`.
fn user_id_of<'a>(segments: &[&'a str]) -> Option<&'a str> {
    match segments {
        ["users", id] if !id.is_empty() && *id != "me" => Some(id),
        ["classes", "_User", id] if !id.is_empty() => Some(id),
        _ => None,
    }
}

/// The objectId in `sessions/<id>` (not `sessions/me`) or `classes/_Session/<id>`.
fn session_id_of<'a>(segments: &[&'a str]) -> Option<&'a str> {
    match segments {
        ["sessions", id] if !id.is_empty() && *id != "me" => Some(id),
        ["classes", "_Session", id] if !id.is_empty() => Some(id),
        _ => None,
    }
}

fn resolve(method: &Method, path: &str, behavior: &Behavior) -> Route {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if *method == Method::GET
        && let Some(id) = user_id_of(&segments)
    {
        return Route::GetUser(id.to_owned());
    }
    // Only `GET /users/me` is the current user: elsewhere Parse takes `me` for an objectId.
    if let ["users", id] | ["classes", "_User", id] = segments.as_slice()
        && !id.is_empty()
    {
        match *method {
            Method::PUT => return Route::UpdateUser((*id).to_owned()),
            Method::DELETE => return Route::DeleteUser((*id).to_owned()),
            _ => {}
        }
    }
    if let Some(id) = session_id_of(&segments) {
        match *method {
            Method::GET => return Route::GetSession(id.to_owned()),
            Method::PUT => return Route::UpdateSession(id.to_owned()),
            Method::DELETE => return Route::DeleteSession(id.to_owned()),
            _ => {}
        }
    }
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["verifyPassword"]) => Route::VerifyPassword,
        ("POST", ["verifyPassword"]) if behavior.verify_password_post => Route::VerifyPassword,
        ("POST", ["loginAs"]) if behavior.login_as_route => Route::LogInAs,
        ("POST", ["challenge"]) if behavior.challenge_route => Route::Challenge,
        ("POST", ["requestPasswordReset"]) => Route::RequestPasswordReset,
        ("POST", ["verificationEmailRequest"]) => Route::VerificationEmailRequest,
        ("POST", ["batch"]) => Route::Batch,
        ("GET", ["schemas", class]) if schemas::is_ours(class) => {
            Route::GetSchema((*class).to_owned())
        }
        ("PUT", ["schemas", class]) if schemas::is_ours(class) => {
            Route::UpdateSchema((*class).to_owned())
        }
        ("POST", ["users"] | ["classes", "_User"]) => Route::SignUp,
        ("GET", ["sessions"] | ["classes", "_Session"]) => Route::FindSessions,
        ("GET", ["users"] | ["classes", "_User"]) => Route::FindUsers,
        ("POST", ["sessions"] | ["classes", "_Session"]) => Route::CreateSession,
        ("POST", ["upgradeToRevocableSession"]) => Route::UpgradeSession,
        ("POST" | "GET", ["login"]) => Route::LogIn,
        ("POST", ["logout"]) => Route::LogOut,
        ("GET", ["users", "me"]) => Route::UsersMe,
        ("GET", ["sessions", "me"]) => Route::SessionsMe,
        // Parse's `DELETE /sessions/me` is an objectId lookup like any other.
        ("DELETE", ["sessions", "me"]) => Route::DeleteSession("me".to_owned()),
        _ => Route::Unknown,
    }
}

/// What a route answered: JSON to send as it is, or a response already written (the
/// `users/me` fast path).
pub enum Answer {
    Json(u16, Value),
    Raw(HttpResponse),
}

/// Run a resolved route (not `Unknown` nor `Batch`, which the callers answer themselves).
async fn run(
    ctx: &RestContext<'_>,
    route: &Route,
    body: &Map<String, Value>,
    query: &Map<String, Value>,
) -> Result<Answer, ParseError> {
    match route {
        Route::UsersMe => me::handle(ctx).await.map(Answer::Raw),
        Route::LogOut => logout::handle(ctx)
            .await
            .map(|(status, body)| Answer::Json(status, body)),
        // Every other route's future is boxed: a request's future is as large as the largest
        // state any route may reach (sign-up's is kilobytes), and it is moved into place for
        // every request, on the hot paths above and on GraphQL's too.
        other => Box::pin(run_other(ctx, other, body, query)).await,
    }
}

/// [`run`] for the routes that are not on the hot path.
async fn run_other(
    ctx: &RestContext<'_>,
    route: &Route,
    body: &Map<String, Value>,
    query: &Map<String, Value>,
) -> Result<Answer, ParseError> {
    let result = match route {
        Route::SignUp => signup::handle(ctx, body).await,
        Route::LogIn => login::handle(ctx, body, query).await,
        Route::SessionsMe => sessions::me(ctx).await,
        Route::FindSessions => find::sessions(ctx, body, query).await,
        Route::FindUsers => find::users(ctx, body, query).await,
        Route::GetSession(id) => sessions::get_with(ctx, id, query).await,
        Route::UpdateSession(id) => sessions::update(ctx, id, body).await,
        Route::CreateSession => sessions::create(ctx, body).await,
        Route::UpgradeSession => sessions::upgrade(ctx).await,
        Route::DeleteSession(id) => sessions::delete(ctx, id).await,
        Route::UpdateUser(id) => update_user::handle(ctx, id, body).await,
        Route::DeleteUser(id) => update_user::delete(ctx, id).await,
        Route::GetUser(id) => get_user::handle(ctx, id).await,
        Route::VerifyPassword => verify_password::handle(ctx, body, query).await,
        Route::LogInAs => login_as::handle(ctx, body, query).await,
        Route::Challenge => challenge::handle(ctx, body, query).await,
        Route::RequestPasswordReset => ctx
            .state
            .email
            .request_password_reset(&ctx.state.store, body.get("email"))
            .await
            .map(|()| (200, Value::Object(Map::new()))),
        Route::VerificationEmailRequest => ctx
            .state
            .email
            .request_verification(&ctx.state.store, body.get("email"))
            .await
            .map(|()| (200, Value::Object(Map::new()))),
        Route::GetSchema(class) => schemas::get(ctx, class).await,
        Route::UpdateSchema(class) => schemas::update(ctx, class, body).await,
        // Answered by `run` itself, or before it is called.
        Route::UsersMe | Route::LogOut | Route::Batch | Route::Unknown => {
            Err(ParseError::internal())
        }
    };
    result.map(|(status, body)| Answer::Json(status, body))
}

/// Parse the body as Parse's `bodyParser.json({type: '*/*'})` does: any content type, only
/// objects and arrays, a byte-order mark ignored, what `JSON.parse` accepts (see
/// [`json_body`]), V8's messages on failure.
pub fn parse_body(bytes: &[u8], behavior: &Behavior) -> Result<Map<String, Value>, HttpResponse> {
    if bytes.is_empty() {
        return Ok(Map::new());
    }
    let decoded = String::from_utf8_lossy(bytes);
    let text = json_body::body_parser_text(&decoded);
    if let Some(message) = json_error::strict_refusal(text, behavior.strict_json_single_mask) {
        return Err(response::status_error(400, &message));
    }
    match json_body::parse(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Ok(Map::new()),
        Err(message) => Err(response::status_error(400, &message)),
    }
}

/// body-parser's `urlencoded` limits, as Parse mounts it (defaults: 100 KiB, 1,000 fields).
const FORM_LIMIT: usize = 100 * 1024;
const FORM_PARAMETER_LIMIT: usize = 1000;

/// type-is's match for `application/x-www-form-urlencoded`, parameters ignored.
pub fn is_form(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or_default().trim();
    media.eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

/// A form body as Parse reads it on every route (`bodyParser.urlencoded({extended: false})`,
/// mounted before the JSON parser, which then leaves the request alone): Node's
/// `querystring.parse`, so every value is a string and a repeated field is a list of them.
pub fn parse_form(bytes: &[u8], content_type: &str) -> Result<Map<String, Value>, HttpResponse> {
    let charset = content_type
        .split(';')
        .skip(1)
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
        .map(|(_, v)| v.trim().trim_matches('"').to_ascii_lowercase());
    if let Some(charset) = charset.filter(|c| c != "utf-8") {
        return Err(response::status_error(
            415,
            &format!("unsupported charset \"{}\"", charset.to_ascii_uppercase()),
        ));
    }
    if bytes.len() > FORM_LIMIT {
        return Err(response::status_error(413, "request entity too large"));
    }
    let fields = bytes
        .split(|b| *b == b'&')
        .filter(|p| !p.is_empty())
        .count();
    if fields > FORM_PARAMETER_LIMIT {
        return Err(response::status_error(413, "too many parameters"));
    }
    let mut map = Map::new();
    for (key, value) in form_urlencoded::parse(bytes) {
        let value = Value::String(value.into_owned());
        match map.get_mut(key.as_ref()) {
            None => {
                map.insert(key.into_owned(), value);
            }
            Some(Value::Array(items)) => items.push(value),
            Some(first) => {
                let first = std::mem::take(first);
                map.insert(key.into_owned(), Value::Array(vec![first, value]));
            }
        }
    }
    Ok(map)
}

pub fn query_map(query: Option<&str>) -> Map<String, Value> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect()
}

/// Whether some route here may answer `method` on `path` (relative to the mount path): a
/// `POST` counts for every method, as the JS SDK sends any method as a `POST` with
/// `_method` in the body. What no route may answer goes to the upstream unread.
pub fn may_serve(method: &Method, path: &str, behavior: &Behavior) -> bool {
    if *method == Method::OPTIONS
        || path == "/health"
        || path.starts_with("/health/")
        || path.starts_with("/apps/")
    {
        return true;
    }
    let methods: &[Method] = if *method == Method::POST {
        &[Method::POST, Method::GET, Method::PUT, Method::DELETE]
    } else {
        std::slice::from_ref(method)
    };
    methods
        .iter()
        .any(|m| !matches!(resolve(m, path, behavior), Route::Unknown))
}

/// Whether a request that reached a route here is still the upstream's to answer, when there
/// is one: what needs Parse's own code rather than this API's.
/// - A sign-up or user update that names `authData`: the auth adapters (and their
///   validation against the provider) live in the upstream's configuration.
/// - A batch with any request no route here answers: Parse runs a batch's requests in one
///   go, so the whole batch goes, unchanged, and the upstream answers the user and session
///   requests in it from the same database.
/// - A query of users or sessions with `$relatedTo`, or an operator the query engine here
///   does not evaluate (`$inQuery`, `$select`, geo, text...).
/// - An operation that code or a LiveQuery server in the upstream must see: the app's Cloud
///   Code triggers (`--userTriggers`), a `validatorCallback`, `verifyUserEmails` or
///   `preventLoginWithUnverifiedEmail` functions (`"upstream"`), LiveQuery on `_User` or
///   `_Session` ([`crate::config::Config::upstream_operations`]).
///
/// (A request with Parse's maintenance key also goes, whatever its route: its caller checks
/// the header before routing.)
fn upstream_answers(
    route: &Route,
    body: &Map<String, Value>,
    query: &Map<String, Value>,
    state: &AppState,
) -> bool {
    let upstream = state.config.upstream_operations();
    if !upstream.is_empty() && upstream.any(&operations(route, body)) {
        return true;
    }
    match route {
        Route::Unknown => true,
        Route::SignUp | Route::UpdateUser(_) => body.contains_key("authData"),
        Route::FindUsers | Route::FindSessions => query::needs_parse(body, query),
        Route::Batch => batch::has_foreign_request(body, state),
        _ => false,
    }
}

/// The operations on users and sessions a request to a route performs, as the upstream's code
/// (triggers, validators) and its LiveQuery server see them.
fn operations(route: &Route, body: &Map<String, Value>) -> Vec<Operation> {
    use Operation::{
        DeleteUser, FindUser, LogIn, LogOut, RequestPasswordReset, RequestVerificationEmail,
        SaveUser, SetPassword, VerifyPassword, WriteSession,
    };
    match route {
        Route::SignUp => vec![SaveUser, SetPassword, WriteSession],
        // A new password also ends the user's other sessions.
        Route::UpdateUser(_) if body.contains_key("password") => {
            vec![SaveUser, SetPassword, WriteSession]
        }
        Route::UpdateUser(_) => vec![SaveUser],
        Route::DeleteUser(_) => vec![DeleteUser],
        Route::GetUser(_) | Route::FindUsers | Route::UsersMe => vec![FindUser],
        Route::LogIn | Route::LogInAs => vec![LogIn, WriteSession],
        Route::LogOut => vec![LogOut, WriteSession],
        Route::RequestPasswordReset => vec![RequestPasswordReset],
        Route::VerificationEmailRequest => vec![RequestVerificationEmail],
        Route::VerifyPassword => vec![VerifyPassword],
        Route::CreateSession
        | Route::UpdateSession(_)
        | Route::DeleteSession(_)
        | Route::UpgradeSession => vec![WriteSession],
        _ => Vec::new(),
    }
}

/// Parse's maintenance key header (5.5+): a key parse-compat has no value for.
const MAINTENANCE_KEY: &str = "x-parse-maintenance-key";

/// A request no route here answers, with its body as read: for the upstream, or Express's
/// 404 without one.
struct Forward(hyper::http::request::Parts, bytes::Bytes);

pub async fn handle(state: &AppState, req: Request<Incoming>) -> Response<PassBody> {
    let behavior = state.config.behavior;
    match answer_rest(state, req).await {
        Ok(mut res) => {
            cors::apply_parse_set(res.headers_mut(), &behavior);
            res.map(Either::Left)
        }
        Err(Forward(parts, bytes)) => match &state.upstream {
            Some(upstream) => {
                upstream
                    .forward(parts, upstream::buffered(bytes), &state.config.mount_path)
                    .await
            }
            None => {
                let mut res = response::express_not_found(parts.method.as_str(), parts.uri.path());
                cors::apply_parse_set(res.headers_mut(), &behavior);
                res.map(Either::Left)
            }
        },
    }
}

async fn answer_rest(state: &AppState, req: Request<Incoming>) -> Result<HttpResponse, Forward> {
    let (parts, body) = req.into_parts();
    let full_path = parts.uri.path().to_owned();
    let rel = full_path[state.config.mount_path.len()..].to_owned();
    if parts.method == Method::OPTIONS {
        return Ok(response::with_body(200, Some(response::TEXT_UTF8), "OK"));
    }
    if rel == "/health" || rel.starts_with("/health/") {
        let (status, body) = health::handle();
        return Ok(response::json(status, &body));
    }
    let bytes = match read_body(body, state.config.body_limit).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            return Ok(response::status_error(413, "request entity too large"));
        }
        Err(BodyError::Failed) => return Ok(response::status_error(400, "request aborted")),
    };
    if rel.starts_with("/apps/") {
        if state.upstream.is_some()
            && state.config.upstream_operations().any(&[
                Operation::SaveUser,
                Operation::SetPassword,
                Operation::WriteSession,
            ])
        {
            // A reset form sets a password (and ends sessions), a link verifies an e-mail.
            return Err(Forward(parts, bytes));
        }
        // The pages and forms of the e-mail flows: their own router, form bodies only.
        return Ok(Box::pin(crate::apps::handle(state, &parts, &rel, &bytes)).await);
    }
    let content_type = auth::header(&parts.headers, hyper::header::CONTENT_TYPE);
    let parsed = if content_type.is_some_and(is_form) {
        parse_form(&bytes, content_type.unwrap_or_default())
    } else {
        parse_body(&bytes, &state.config.behavior)
    };
    let mut body = match parsed {
        Ok(b) => b,
        Err(_) if state.upstream.is_some() => {
            // Not a body this API can read: whatever it was meant for, the upstream decides.
            return Err(Forward(parts, bytes));
        }
        Err(res) => return Ok(res),
    };
    let mut method = parts.method.clone();
    if method == Method::POST
        && let Some(Value::String(m)) = body.remove("_method")
        && let Ok(m) = Method::from_bytes(m.as_bytes())
    {
        method = m;
    }
    let route = resolve(&method, &rel, &state.config.behavior);
    let query = query_map(parts.uri.query());
    if state.upstream.is_some()
        && (parts.headers.contains_key(MAINTENANCE_KEY)
            || upstream_answers(&route, &body, &query, state))
    {
        // The upstream runs its own middleware.
        return Err(Forward(parts, bytes));
    }
    let policy = match route {
        // Parse drops the token for exactly `/login` (not for `verifyPassword`).
        Route::LogIn => SessionPolicy::Ignore,
        Route::LogOut => SessionPolicy::Deferred,
        Route::SessionsMe if state.config.behavior.sessions_me_own_lookup => {
            SessionPolicy::HandlerLooksUp
        }
        _ => SessionPolicy::Check,
    };
    let auth = match auth::authenticate(
        &state.config,
        &state.store,
        &parts.headers,
        Some(&mut body),
        policy,
    )
    .await
    {
        Ok(a) => a,
        Err(res) => return Ok(res),
    };
    let ctx = RestContext { state, auth };
    let result = match &route {
        // Parse's middleware has run (keys, session); then Express finds no route.
        Route::Unknown => return Err(Forward(parts, bytes)),
        Route::Batch => Box::pin(batch::handle(&ctx, &body)).await,
        other => match run(&ctx, other, &body, &query).await {
            Ok(Answer::Raw(res)) => return Ok(res),
            Ok(Answer::Json(status, body)) => Ok((status, body)),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok((status, body)) => {
            let mut res = response::json(status, &body);
            let created = match &route {
                Route::SignUp => Some("users"),
                Route::CreateSession => Some("classes/_Session"),
                _ => None,
            };
            if let (Some(collection), Some(id)) =
                (created, body.get("objectId").and_then(Value::as_str))
            {
                let host = auth::header(&parts.headers, hyper::header::HOST).unwrap_or("localhost");
                let location =
                    format!("http://{host}{}/{collection}/{id}", state.config.mount_path);
                if let Ok(v) = hyper::header::HeaderValue::from_str(&location) {
                    res.headers_mut().insert(hyper::header::LOCATION, v);
                }
            }
            Ok(res)
        }
        Err(err) => Ok(response::parse_error(&err)),
    }
}
