//! Parse's `PagesRouter` (9.x): a link answers the page itself (200, rendered), a form post
//! that fails a precondition redirects (303) to a page; every page's parameters also travel
//! in `x-parse-page-param-*` headers.

use hyper::header::{HeaderName, HeaderValue};

use super::{AppsRequest, failed, not_found, redirect, unauthorized, xhr_answer};
use crate::email::Verified;
use crate::http::response::{self, HttpResponse};

/// The pages, by file name, with their templates.
const PAGES: [(&str, &str); 8] = [
    (
        "email_verification_success.html",
        include_str!("../../assets/apps/pages/email_verification_success.html"),
    ),
    (
        "email_verification_send_success.html",
        include_str!("../../assets/apps/pages/email_verification_send_success.html"),
    ),
    (
        "email_verification_send_fail.html",
        include_str!("../../assets/apps/pages/email_verification_send_fail.html"),
    ),
    (
        "email_verification_link_invalid.html",
        include_str!("../../assets/apps/pages/email_verification_link_invalid.html"),
    ),
    (
        "email_verification_link_expired.html",
        include_str!("../../assets/apps/pages/email_verification_link_expired.html"),
    ),
    (
        "password_reset.html",
        include_str!("../../assets/apps/pages/password_reset.html"),
    ),
    (
        "password_reset_success.html",
        include_str!("../../assets/apps/pages/password_reset_success.html"),
    ),
    (
        "password_reset_link_invalid.html",
        include_str!("../../assets/apps/pages/password_reset_link_invalid.html"),
    ),
];

/// A page's parameters, in the order Parse sets them (headers and redirect queries follow it).
type Params<'a> = Vec<(&'static str, String)>;

/// mustache.js's `escapeHtml`.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '/' => out.push_str("&#x2F;"),
            '`' => out.push_str("&#x60;"),
            '=' => out.push_str("&#x3D;"),
            other => out.push(other),
        }
    }
    out
}

/// Fill `{{name}}` tags (escaped; a missing parameter is empty), as mustache does for these
/// templates, which use nothing else.
fn render(template: &str, params: &Params<'_>) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        let name = rest[start + 2..start + 2 + len].trim();
        if let Some((_, v)) = params.iter().find(|(k, _)| *k == name) {
            out.push_str(&escape(v));
        }
        rest = &rest[start + 2 + len + 2..];
    }
    out.push_str(rest);
    out
}

fn with_param_headers(mut res: HttpResponse, params: &Params<'_>) -> HttpResponse {
    for (name, value) in params {
        let header = format!("x-parse-page-param-{}", name.to_ascii_lowercase());
        // Control characters would make the header invalid: Node strips them too.
        let clean: String = value.chars().filter(|c| !c.is_control()).collect();
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(header.as_bytes()),
            HeaderValue::from_str(&clean),
        ) {
            res.headers_mut().append(n, v);
        }
    }
    res
}

/// The page itself, 200.
fn page(req: &AppsRequest<'_>, file: &str, params: &Params<'_>) -> HttpResponse {
    let Some((_, template)) = PAGES.iter().find(|(f, _)| *f == file) else {
        return not_found();
    };
    if !req.state.email.behavior().pages_shipped {
        return not_found();
    }
    let res = response::with_body(200, Some(response::HTML_UTF8), render(template, params));
    with_param_headers(res, params)
}

/// Parse's `goToPage`: the app's parameters join the page's, then the page is rendered, or
/// (for a form post) redirected to with 303.
fn go_to(
    req: &AppsRequest<'_>,
    file: &str,
    mut params: Params<'_>,
    redirect_to: bool,
) -> HttpResponse {
    let email = &req.state.email;
    let (Some(app_name), Some(base)) = (
        email.options().app_name.clone(),
        email.public_server_url().map(str::to_owned),
    ) else {
        return not_found();
    };
    params.push(("appId", email.app_id().to_owned()));
    params.push(("appName", app_name));
    params.push(("publicServerUrl", base.clone()));
    if let Some(locale) = req
        .query("locale")
        .or_else(|| req.form("locale"))
        .map(str::to_owned)
    {
        params.push(("locale", locale));
    }
    if !redirect_to {
        return page(req, file, &params);
    }
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &params {
        query.append_pair(k, v);
    }
    let url = format!("{base}/apps/{file}?{}", query.finish());
    with_param_headers(redirect(303, &url), &params)
}

pub async fn handle(req: &AppsRequest<'_>) -> HttpResponse {
    let get = *req.method == hyper::Method::GET;
    let post = *req.method == hyper::Method::POST;
    match req.segments.as_slice() {
        [app, "verify_email"] if get => with_app(req, app, verify_email(req)).await,
        [app, "resend_verification_email"] if post => with_app(req, app, resend(req)).await,
        // Its app id is asked as `appId`, which the link never carries.
        ["choose_password"] if get => unauthorized(),
        [app, "request_password_reset"] if get => with_app(req, app, reset_link(req)).await,
        [app, "request_password_reset"] if post => with_app(req, app, reset_form(req)).await,
        [file] if get => static_page(req, file),
        _ => not_found(),
    }
}

async fn with_app(
    req: &AppsRequest<'_>,
    app: &str,
    answer: impl Future<Output = HttpResponse>,
) -> HttpResponse {
    if !req.known_app(Some(app)) {
        return unauthorized();
    }
    answer.await
}

/// A page asked for by name: the app's parameters when `?appId=` names it, else none.
fn static_page(req: &AppsRequest<'_>, file: &str) -> HttpResponse {
    if req.known_app(req.query("appId")) {
        return go_to(req, file, Vec::new(), false);
    }
    page(req, file, &Vec::new())
}

async fn verify_email(req: &AppsRequest<'_>) -> HttpResponse {
    let Some(token) = req.query("token") else {
        return go_to(
            req,
            "email_verification_link_invalid.html",
            Vec::new(),
            false,
        );
    };
    match req
        .state
        .email
        .verify_email(&req.state.store, None, token)
        .await
    {
        Ok(Verified::Yes) => go_to(req, "email_verification_success.html", Vec::new(), false),
        Ok(Verified::Invalid) => go_to(
            req,
            "email_verification_link_invalid.html",
            Vec::new(),
            false,
        ),
        Err(e) => failed(&e),
    }
}

async fn resend(req: &AppsRequest<'_>) -> HttpResponse {
    let (username, token) = (req.form("username"), req.form("token"));
    if username.is_none() && token.is_none() {
        return go_to(
            req,
            "email_verification_link_invalid.html",
            Vec::new(),
            true,
        );
    }
    match req
        .state
        .email
        .resend_verification(&req.state.store, username, token)
        .await
    {
        Ok(true) => go_to(
            req,
            "email_verification_send_success.html",
            Vec::new(),
            true,
        ),
        Ok(false) => go_to(req, "email_verification_send_fail.html", Vec::new(), true),
        Err(e) => failed(&e),
    }
}

async fn reset_link(req: &AppsRequest<'_>) -> HttpResponse {
    let Some(token) = req.query("token") else {
        return go_to(req, "password_reset_link_invalid.html", Vec::new(), false);
    };
    match req
        .state
        .email
        .check_reset_token(&req.state.store, None, token)
        .await
    {
        Ok(Ok(_)) => go_to(
            req,
            "password_reset.html",
            vec![("token", token.to_owned())],
            false,
        ),
        Ok(Err(_)) => go_to(req, "password_reset_link_invalid.html", Vec::new(), false),
        Err(e) => failed(&e),
    }
}

async fn reset_form(req: &AppsRequest<'_>) -> HttpResponse {
    let (token, password) = (req.form("token"), req.form("new_password"));
    if (token.is_none() || password.is_none()) && !req.xhr {
        return go_to(req, "password_reset_link_invalid.html", Vec::new(), true);
    }
    use crate::error::{ErrorCode, ParseError};
    let missing =
        |code, message: &'static str| response::parse_error(&ParseError::new(code, message));
    let Some(token) = token else {
        return missing(ErrorCode::OtherCause, "Missing token");
    };
    let Some(password) = password else {
        return missing(ErrorCode::PasswordMissing, "Missing password");
    };
    let sanitized = req.state.config.behavior.sanitized_permission_errors;
    let result = match req
        .state
        .email
        .reset_password(&req.state.store, None, token, password, sanitized)
        .await
    {
        Ok(r) => r,
        Err(e) => return failed(&e),
    };
    if req.xhr {
        return xhr_answer(result);
    }
    match result {
        Ok(()) => go_to(req, "password_reset_success.html", Vec::new(), false),
        Err(error) => go_to(
            req,
            "password_reset.html",
            vec![("token", token.to_owned()), ("error", error)],
            false,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_render_as_mustache_js_does() {
        let params: Params<'_> = vec![
            ("appName", "A & <B>".to_owned()),
            ("publicServerUrl", "http://h:1/p".to_owned()),
        ];
        assert_eq!(
            render("{{appName}}|{{ publicServerUrl }}|{{missing}}|{{", &params),
            "A &amp; &lt;B&gt;|http:&#x2F;&#x2F;h:1&#x2F;p||{{"
        );
        assert_eq!(escape("'\"`="), "&#39;&quot;&#x60;&#x3D;");
    }
}
