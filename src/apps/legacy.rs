//! Parse's `PublicAPIRouter` (3.x – 8.x): links and forms answer with 302 redirects to static
//! pages (`public_html`) and to `choose_password`; up to 7.x a link names its user by
//! username and token, from 8.0 by token alone.

use super::{AppsRequest, failed, not_found, redirect, unauthorized, xhr_answer};
use crate::email::{Verified, encode_uri_component};
use crate::http::response::{self, HttpResponse};

const VERIFY_EMAIL_SUCCESS: &str =
    include_str!("../../assets/apps/legacy/verify_email_success.html");
const INVALID_LINK: &str = include_str!("../../assets/apps/legacy/invalid_link.html");
const INVALID_VERIFICATION_LINK: &str =
    include_str!("../../assets/apps/legacy/invalid_verification_link.html");
const INVALID_VERIFICATION_LINK_8: &str =
    include_str!("../../assets/apps/legacy/8/invalid_verification_link.html");
const LINK_SEND_SUCCESS: &str = include_str!("../../assets/apps/legacy/link_send_success.html");
const LINK_SEND_FAIL: &str = include_str!("../../assets/apps/legacy/link_send_fail.html");
const PASSWORD_RESET_SUCCESS: &str =
    include_str!("../../assets/apps/legacy/password_reset_success.html");
const CHOOSE_PASSWORD: &str = include_str!("../../assets/apps/legacy/choose_password.html");

/// Node's `querystring.stringify` of the defined pairs, in order.
fn qs(pairs: &[(&str, Option<&str>)]) -> String {
    pairs
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={}", encode_uri_component(v))))
        .collect::<Vec<_>>()
        .join("&")
}

fn page_url(base: &str, page: &str, query: &str) -> String {
    if query.is_empty() {
        format!("{base}/apps/{page}")
    } else {
        format!("{base}/apps/{page}?{query}")
    }
}

pub async fn handle(req: &AppsRequest<'_>) -> HttpResponse {
    let get = *req.method == hyper::Method::GET;
    let post = *req.method == hyper::Method::POST;
    match req.segments.as_slice() {
        [app, "verify_email"] if get => verify_email(req, app).await,
        [app, "resend_verification_email"] if post => resend(req, app).await,
        ["choose_password"] if get => choose_password(req),
        [app, "request_password_reset"] if get => reset_link(req, app).await,
        [app, "request_password_reset"] if post => reset_form(req, app).await,
        [file] if get => static_page(req, file),
        _ => response::unauthorized(),
    }
}

/// The static pages of `public_html`, served as they are (the query is the page's own).
fn static_page(req: &AppsRequest<'_>, file: &str) -> HttpResponse {
    let email = req.state.email.behavior();
    let body = match file {
        "verify_email_success.html" => VERIFY_EMAIL_SUCCESS,
        "invalid_link.html" => INVALID_LINK,
        "invalid_verification_link.html" if email.links_name_username => INVALID_VERIFICATION_LINK,
        "invalid_verification_link.html" => INVALID_VERIFICATION_LINK_8,
        "link_send_success.html" => LINK_SEND_SUCCESS,
        "link_send_fail.html" => LINK_SEND_FAIL,
        "password_reset_success.html" => PASSWORD_RESET_SUCCESS,
        // Not a file: on to the API, whose key check refuses it (raw, no content type).
        _ => return response::unauthorized(),
    };
    let content_type = if email.pages_charset_upper {
        "text/html; charset=UTF-8"
    } else {
        response::HTML_UTF8
    };
    response::with_body(200, Some(content_type), body)
}

/// The base of every redirect, or the answer without one.
fn base<'r>(req: &'r AppsRequest<'_>, app: &str) -> Result<&'r str, HttpResponse> {
    if !req.known_app(Some(app)) {
        return Err(unauthorized());
    }
    req.state.email.public_server_url().ok_or_else(not_found)
}

/// What a link from an e-mail carries: the redirect base, whether links name the user, the
/// token and the username; or the answer when the link cannot be followed (`invalid_link`).
struct Link<'r> {
    base: &'r str,
    by_username: bool,
    token: &'r str,
    username: Option<&'r str>,
}

fn link<'r>(req: &'r AppsRequest<'_>, app: &str) -> Result<Link<'r>, HttpResponse> {
    let base = base(req, app)?;
    let by_username = req.state.email.behavior().links_name_username;
    let (token, username) = (req.query("token"), req.query("username"));
    let Some(token) = token.filter(|_| username.is_some() || !by_username) else {
        return Err(redirect(302, &page_url(base, "invalid_link.html", "")));
    };
    Ok(Link {
        base,
        by_username,
        token,
        username,
    })
}

async fn verify_email(req: &AppsRequest<'_>, app: &str) -> HttpResponse {
    let Link {
        base,
        by_username,
        token,
        username,
    } = match link(req, app) {
        Ok(l) => l,
        Err(res) => return res,
    };
    let outcome = req
        .state
        .email
        .verify_email(&req.state.store, username, token)
        .await;
    match outcome {
        Ok(Verified::Yes) if by_username => redirect(
            302,
            &page_url(
                base,
                "verify_email_success.html",
                &qs(&[("username", username)]),
            ),
        ),
        Ok(Verified::Yes) => redirect(302, &page_url(base, "verify_email_success.html", "")),
        Ok(Verified::Invalid) => {
            let query = if by_username {
                qs(&[("username", username), ("appId", Some(app))])
            } else {
                qs(&[("appId", Some(app)), ("token", Some(token))])
            };
            redirect(
                302,
                &page_url(base, "invalid_verification_link.html", &query),
            )
        }
        Err(e) => failed(&e),
    }
}

async fn resend(req: &AppsRequest<'_>, app: &str) -> HttpResponse {
    let base = match base(req, app) {
        Ok(b) => b,
        Err(res) => return res,
    };
    let username = req.form("username");
    let token = req
        .form("token")
        .filter(|_| !req.state.email.behavior().links_name_username);
    if username.is_none() && token.is_none() {
        return redirect(302, &page_url(base, "invalid_link.html", ""));
    }
    match req
        .state
        .email
        .resend_verification(&req.state.store, username, token)
        .await
    {
        Ok(true) => redirect(302, &page_url(base, "link_send_success.html", "")),
        Ok(false) => redirect(302, &page_url(base, "link_send_fail.html", "")),
        Err(e) => failed(&e),
    }
}

/// `choose_password?id=<appId>`: the form a reset link leads to, pointed at this server.
fn choose_password(req: &AppsRequest<'_>) -> HttpResponse {
    if !req.known_app(req.query("id")) {
        return unauthorized();
    }
    let Some(url) = req.state.email.public_server_url() else {
        return not_found();
    };
    let body = CHOOSE_PASSWORD.replacen("{{PARSE_SERVER_URL}}", &format!("'{url}'"), 1);
    response::with_body(200, Some(response::HTML_UTF8), body)
}

async fn reset_link(req: &AppsRequest<'_>, app: &str) -> HttpResponse {
    let Link {
        base,
        by_username,
        token,
        username,
    } = match link(req, app) {
        Ok(l) => l,
        Err(res) => return res,
    };
    let email = &req.state.email;
    match email
        .check_reset_token(&req.state.store, username, token)
        .await
    {
        Ok(Ok(_)) => {
            let app_name = email.options().app_name.as_deref();
            let query = if by_username {
                qs(&[
                    ("token", Some(token)),
                    ("id", Some(app)),
                    ("username", username),
                    ("app", app_name),
                ])
            } else {
                qs(&[("token", Some(token)), ("id", Some(app)), ("app", app_name)])
            };
            redirect(302, &page_url(base, "choose_password", &query))
        }
        Ok(Err(_)) => redirect(302, &page_url(base, "invalid_link.html", "")),
        Err(e) => failed(&e),
    }
}

async fn reset_form(req: &AppsRequest<'_>, app: &str) -> HttpResponse {
    let base = match base(req, app) {
        Ok(b) => b,
        Err(res) => return res,
    };
    let by_username = req.state.email.behavior().links_name_username;
    let (username, token, password) = (
        req.form("username"),
        req.form("token"),
        req.form("new_password"),
    );
    if (token.is_none() || password.is_none() || (by_username && username.is_none())) && !req.xhr {
        return redirect(302, &page_url(base, "invalid_link.html", ""));
    }
    use crate::error::{ErrorCode, ParseError};
    let missing =
        |code, message: &'static str| response::parse_error(&ParseError::new(code, message));
    if by_username && username.is_none() {
        return missing(ErrorCode::UsernameMissing, "Missing username");
    }
    let Some(token) = token else {
        return missing(ErrorCode::OtherCause, "Missing token");
    };
    let Some(password) = password else {
        return missing(ErrorCode::PasswordMissing, "Missing password");
    };
    let email = &req.state.email;
    let sanitized = req.state.config.behavior.sanitized_permission_errors;
    let result = match email
        .reset_password(
            &req.state.store,
            username.filter(|_| by_username),
            token,
            password,
            sanitized,
        )
        .await
    {
        Ok(r) => r,
        Err(e) => return failed(&e),
    };
    if req.xhr {
        return xhr_answer(result);
    }
    let app_name = email.options().app_name.as_deref();
    match result {
        Ok(()) if by_username => redirect(
            302,
            &page_url(
                base,
                "password_reset_success.html",
                &format!("username={}", encode_uri_component(username.unwrap_or(""))),
            ),
        ),
        Ok(()) => redirect(302, &page_url(base, "password_reset_success.html", "")),
        Err(error) => {
            let query = if by_username {
                qs(&[
                    ("username", username),
                    ("token", Some(token)),
                    ("id", Some(app)),
                    ("error", Some(&error)),
                    ("app", app_name),
                ])
            } else if error == crate::email::RESET_LINK_EXPIRED {
                qs(&[
                    ("id", Some(app)),
                    ("error", Some(&error)),
                    ("app", app_name),
                    ("token", Some(token)),
                ])
            } else {
                qs(&[
                    ("token", Some(token)),
                    ("id", Some(app)),
                    ("error", Some(&error)),
                    ("app", app_name),
                ])
            };
            redirect(302, &page_url(base, "choose_password", &query))
        }
    }
}
