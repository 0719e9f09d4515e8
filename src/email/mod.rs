//! Parse's e-mail flows: verifying a user's address and resetting a forgotten password.
//!
//! [`EmailService`] is the one place that decides what those flows do for the pinned version
//! (`verifyUserEmails`, `preventLoginWithUnverifiedEmail`, token validity and reuse, the links
//! and the default message texts); REST (`/verificationEmailRequest`,
//! `/requestPasswordReset`), the pages under `/apps` ([`crate::apps`]) and GraphQL call it.
//! Messages go out through [`sender::Mailer`]: SMTP when `emailAdapter` is an SMTP URL, else
//! an outbox file or the log.

pub mod sender;

use std::sync::Arc;

use serde_json::Value;

use crate::error::{ErrorCode, ParseError};
use crate::store::{
    EmailLookup, EmailToken, ResetRefused, Store, StoreError, TokenGuard, TokenWrite, User,
    now_millis, os_random,
};
use crate::version::EmailBehavior;
use sender::{Mail, MailKind, Mailer};

/// The e-mail options, by their Parse names, checked as the pinned version checks them.
#[derive(Debug, Clone, Default)]
pub struct EmailOptions {
    pub app_name: Option<String>,
    /// `publicServerURL`, without a trailing slash.
    pub public_server_url: Option<String>,
    pub verify_user_emails: bool,
    /// `verifyUserEmails` is a function in the upstream Parse Server: the writes it decides
    /// (sign-ups, e-mail changes, new links) go there.
    pub verify_user_emails_upstream: bool,
    pub prevent_login_with_unverified_email: bool,
    /// `preventLoginWithUnverifiedEmail` is a function in the upstream: logins go there.
    pub prevent_login_upstream: bool,
    /// `preventSignupWithUnverifiedEmail` (6.3+).
    pub prevent_signup_with_unverified_email: bool,
    /// `emailVerifyTokenValidityDuration`, in seconds.
    pub verify_token_validity_secs: Option<f64>,
    pub verify_token_reuse_if_valid: bool,
    /// `passwordPolicy.resetTokenValidityDuration`, in seconds.
    pub reset_token_validity_secs: Option<f64>,
    /// `passwordPolicy.resetTokenReuseIfValid`.
    pub reset_token_reuse_if_valid: bool,
    pub adapter: sender::AdapterConfig,
    /// `passwordPolicy.resetPasswordSuccessOnInvalidEmail: false` (6.1+): a reset request
    /// for an address no user has fails with 101 instead of answering `{}`.
    pub reset_refuses_unknown_email: bool,
}

impl EmailOptions {
    /// Parse's start-up checks of these options (`Config.validateEmailConfiguration` and the
    /// `publicServerURL` check); `Err` is the message Parse refuses to start with.
    pub fn validate(&self, behavior: &EmailBehavior) -> Result<(), String> {
        if let Some(url) = &self.public_server_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(if behavior.option_messages_v8 {
                "The option publicServerURL must be a valid URL starting with http:// or https://."
                    .into()
            } else {
                "publicServerURL should be a valid HTTPS URL starting with https://".into()
            });
        }
        if !self.verify_user_emails {
            return Ok(());
        }
        if self.app_name.is_none() {
            return Err(
                "An app name is required for e-mail verification and password resets.".into(),
            );
        }
        if self.public_server_url.is_none() {
            return Err(if behavior.option_messages_v8 {
                "The option publicServerURL is required.".into()
            } else {
                "A public server url is required for e-mail verification and password resets."
                    .into()
            });
        }
        if let Some(d) = self.verify_token_validity_secs
            && d <= 0.0
        {
            return Err(
                "Email verify token validity duration must be a value greater than 0.".into(),
            );
        }
        if behavior.reuse_requires_duration
            && self.verify_token_reuse_if_valid
            && self.verify_token_validity_secs.is_none()
        {
            return Err(
                "You cannot use emailVerifyTokenReuseIfValid without emailVerifyTokenValidityDuration"
                    .into(),
            );
        }
        Ok(())
    }
}

/// Parse's reason for refusing an expired reset link.
pub const RESET_LINK_EXPIRED: &str = "The password reset link has expired";

/// What opening a verification link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    Yes,
    /// No such user and token, or the token expired, or (8.0+) it was used.
    Invalid,
}

/// The e-mail flows of one server.
pub struct EmailService {
    options: EmailOptions,
    behavior: EmailBehavior,
    app_id: String,
    mailer: Mailer,
}

/// 25 letters and digits from the OS CSPRNG, as Parse's `randomString(25)` makes its tokens.
fn random_token() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(25);
    while out.len() < 25 {
        let mut bytes = [0u8; 32];
        os_random(&mut bytes);
        // 248 = 4 × 62: values above it would favour the first letters.
        for b in bytes.iter().filter(|b| **b < 248) {
            if out.len() == 25 {
                break;
            }
            out.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
        }
    }
    out
}

/// `encodeURIComponent`.
pub fn encode_uri_component(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, crate::rest::render::URI_COMPONENT).to_string()
}

fn seconds_from_now(secs: f64) -> i64 {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a duration in seconds fits"
    )]
    let ms = (secs * 1000.0).round() as i64;
    now_millis().saturating_add(ms)
}

impl EmailService {
    pub fn new(options: EmailOptions, behavior: EmailBehavior, app_id: String) -> Arc<Self> {
        Self::with_relay(options, behavior, app_id, None)
    }

    fn with_relay(
        options: EmailOptions,
        behavior: EmailBehavior,
        app_id: String,
        relay: Option<sender::Relay>,
    ) -> Arc<Self> {
        let mailer = Mailer::new(&options.adapter, relay);
        Arc::new(Self {
            options,
            behavior,
            app_id,
            mailer,
        })
    }

    /// The service a server with `config` runs; `upstream` is the server's own client of the
    /// `--upstream` Parse Server, which `--emailAdapter upstream` sends through.
    pub fn for_config(
        config: &crate::config::Config,
        upstream: Option<&crate::http::upstream::Upstream>,
    ) -> Arc<Self> {
        let relay = match (&config.email.adapter, upstream) {
            (sender::AdapterConfig::Upstream, Some(upstream)) => Some(sender::Relay {
                upstream: upstream.clone(),
                mount_path: config.mount_path.clone(),
                app_id: config.app_id.clone(),
                master_key: config.master_key.clone(),
            }),
            _ => None,
        };
        Self::with_relay(
            config.email.clone(),
            config.behavior.email,
            config.app_id.clone(),
            relay,
        )
    }

    pub fn options(&self) -> &EmailOptions {
        &self.options
    }

    pub fn behavior(&self) -> &EmailBehavior {
        &self.behavior
    }

    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// New users with an email get a verification link (`verifyUserEmails`).
    pub fn verifies_emails(&self) -> bool {
        self.options.verify_user_emails
    }

    /// A user whose email is not verified may not sign in, and a sign-up gets no session
    /// (`preventLoginWithUnverifiedEmail`, with `verifyUserEmails`).
    pub fn prevents_unverified_login(&self) -> bool {
        self.options.verify_user_emails && self.options.prevent_login_with_unverified_email
    }

    /// Parse's refusal of a sign-up that got no session (`preventSignupWithUnverifiedEmail`,
    /// 6.3+), raised after the user is made and the link sent, as Parse raises it at the end
    /// of the write.
    pub fn check_signup_without_session(&self) -> Result<(), ParseError> {
        if self.prevents_unverified_login()
            && self.options.prevent_signup_with_unverified_email
            && self.behavior.prevent_signup_option
        {
            return Err(ParseError::new(
                ErrorCode::EmailNotFound,
                "User email is not verified.",
            ));
        }
        Ok(())
    }

    /// Parse's refusal of a sign-in while the email is not verified.
    pub fn check_login(&self, user: &User) -> Result<(), ParseError> {
        if self.prevents_unverified_login() && user.email_verified != Some(true) {
            return Err(ParseError::new(
                ErrorCode::EmailNotFound,
                "User email is not verified.",
            ));
        }
        Ok(())
    }

    /// `publicServerURL`: the base of every link and page.
    pub fn public_server_url(&self) -> Option<&str> {
        self.options.public_server_url.as_deref()
    }

    /// Parse's `_throwOnBadEmailConfig`: both request routes need an app name and a public
    /// server URL (parse-compat always has an adapter).
    fn ensure_configured(&self) -> Result<(&str, &str), ParseError> {
        match (&self.options.app_name, &self.options.public_server_url) {
            (Some(name), Some(url)) => Ok((name, url)),
            _ => Err(ParseError::email_not_configured()),
        }
    }

    /// A fresh verification token with the configured validity.
    pub fn new_verify_token(&self) -> EmailToken {
        EmailToken {
            token: random_token(),
            expires_at: self
                .options
                .verify_token_validity_secs
                .map(seconds_from_now),
        }
    }

    fn new_reset_token(&self) -> EmailToken {
        EmailToken {
            token: random_token(),
            expires_at: self.options.reset_token_validity_secs.map(seconds_from_now),
        }
    }

    fn link(&self, base: &str, page: &str, token: &str, username: Option<&str>) -> String {
        let mut link = format!("{base}/apps/{}/{page}?token={token}", self.app_id);
        if self.behavior.links_name_username {
            link.push_str("&username=");
            link.push_str(&username.map_or_else(|| "undefined".to_owned(), encode_uri_component));
        }
        link
    }

    /// Send the verification e-mail for `user` with `token`. `after_update` says the email was
    /// just changed by an update (6.x's links then say `username=undefined`).
    async fn send_verification(&self, user: &User, token: &str, after_update: bool) {
        let (Some(app_name), Some(base)) =
            (&self.options.app_name, &self.options.public_server_url)
        else {
            return;
        };
        let Some(email) = &user.email else { return };
        let username = (!(after_update && self.behavior.email_change_link_username_undefined))
            .then_some(user.username.as_str());
        let link = self.link(base, "verify_email", token, username);
        let text = format!(
            "Hi,\n\nYou are being asked to confirm the e-mail address {email} with {app_name}\n\nClick here to confirm it:\n{link}"
        );
        self.mailer
            .send(Mail {
                kind: MailKind::Verification,
                to: email.clone(),
                subject: format!("Please verify your e-mail for {app_name}"),
                text,
                link,
                app_name: app_name.clone(),
            })
            .await;
    }

    async fn send_reset(&self, user: &User, token: &str) {
        let (Some(app_name), Some(base)) =
            (&self.options.app_name, &self.options.public_server_url)
        else {
            return;
        };
        let link = self.link(base, "request_password_reset", token, Some(&user.username));
        let text = format!(
            "Hi,\n\nYou requested to reset your password for {app_name} (your username is '{}').\n\nClick here to reset it:\n{link}",
            user.username
        );
        self.mailer
            .send(Mail {
                kind: MailKind::PasswordReset,
                to: user.email.clone().unwrap_or_else(|| user.username.clone()),
                subject: format!("Password Reset for {app_name}"),
                text,
                link,
                app_name: app_name.clone(),
            })
            .await;
    }

    /// Whether a sign-up (or an update that sets `email`) starts a verification, and the
    /// token it gets.
    pub fn token_for_new_email(&self, email: Option<&str>) -> Option<EmailToken> {
        (self.options.verify_user_emails && email.is_some()).then(|| self.new_verify_token())
    }

    /// After a user was created (or their email set by an update) with `token`: the token is
    /// stored and the e-mail sent, as Parse does after the write.
    pub async fn email_set(
        &self,
        store: &Store,
        user: &User,
        token: EmailToken,
        after_update: bool,
    ) -> Result<(), StoreError> {
        let write = TokenWrite {
            verify: Some(Some(token.clone())),
            email_verified: Some(false),
            ..TokenWrite::default()
        };
        store
            .write_user_tokens(&user.object_id, write, TokenGuard::Always)
            .await?;
        self.send_verification(user, &token.token, after_update)
            .await;
        Ok(())
    }

    /// The token a new verification e-mail carries: the user's current one when
    /// `emailVerifyTokenReuseIfValid` lets it be reused, else a new one, stored.
    async fn verify_token_for(
        &self,
        store: &Store,
        user: &User,
        current: Option<EmailToken>,
    ) -> Result<String, StoreError> {
        let reuse = self.behavior.token_reuse_options
            && !self.behavior.verify_token_reuse_broken
            && self.options.verify_token_reuse_if_valid;
        if reuse && let Some(t) = current.filter(|t| t.expires_after(now_millis())) {
            return Ok(t.token);
        }
        let token = self.new_verify_token();
        let write = TokenWrite {
            verify: Some(Some(token.clone())),
            ..TokenWrite::default()
        };
        store
            .write_user_tokens(&user.object_id, write, TokenGuard::Always)
            .await?;
        Ok(token.token)
    }

    /// Parse's check of the `email` a request route was given.
    fn requested_email(body_email: Option<&Value>) -> Result<String, ParseError> {
        match body_email {
            None | Some(Value::Null) => Err(ParseError::new(
                ErrorCode::EmailMissing,
                "you must provide an email",
            )),
            Some(Value::String(s)) if s.is_empty() => Err(ParseError::new(
                ErrorCode::EmailMissing,
                "you must provide an email",
            )),
            Some(Value::Bool(false)) => Err(ParseError::new(
                ErrorCode::EmailMissing,
                "you must provide an email",
            )),
            Some(Value::Number(n)) if n.as_f64() == Some(0.0) => Err(ParseError::new(
                ErrorCode::EmailMissing,
                "you must provide an email",
            )),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(ParseError::new(
                ErrorCode::InvalidEmailAddress,
                "you must provide a valid email string",
            )),
        }
    }

    /// `POST /verificationEmailRequest`.
    pub async fn request_verification(
        &self,
        store: &Store,
        email: Option<&Value>,
    ) -> Result<(), ParseError> {
        self.ensure_configured()?;
        let email = Self::requested_email(email)?;
        // Parse finds the user by its e-mail (`store::class_reads`).
        store.class_reads().read(crate::store::class_reads::USER);
        let found = store
            .find_user_for_email(EmailLookup::Email(email.clone()))
            .await?;
        let hide = self.behavior.verify_request_hides_outcome;
        let Some((user, tokens)) = found else {
            if hide {
                return Ok(());
            }
            return Err(ParseError::new(
                ErrorCode::EmailNotFound,
                format!("No user found with email {email}"),
            ));
        };
        if user.email_verified == Some(true) {
            if hide {
                return Ok(());
            }
            return Err(ParseError::new(
                ErrorCode::OtherCause,
                format!("Email {email} is already verified."),
            ));
        }
        if !self.options.verify_user_emails {
            return Ok(());
        }
        let token = self.verify_token_for(store, &user, tokens.verify).await?;
        self.send_verification(&user, &token, false).await;
        Ok(())
    }

    /// The resend form (`POST /apps/<appId>/resend_verification_email`): `true` when an
    /// e-mail went out (or, 8.0+, whenever the user is not known to be verifiable).
    pub async fn resend_verification(
        &self,
        store: &Store,
        username: Option<&str>,
        token: Option<&str>,
    ) -> Result<bool, StoreError> {
        let lookup = match (username, token) {
            (Some(u), _) => EmailLookup::Username(u.to_owned()),
            (None, Some(t)) => EmailLookup::VerifyToken(t.to_owned()),
            (None, None) => return Ok(false),
        };
        let found = store.find_user_for_email(lookup).await?;
        let Some((user, tokens)) =
            found.filter(|(u, _)| u.email_verified != Some(true) && u.email.is_some())
        else {
            return Ok(self.behavior.resend_form_hides_outcome);
        };
        if !self.options.verify_user_emails {
            return Ok(false);
        }
        let token = self.verify_token_for(store, &user, tokens.verify).await?;
        self.send_verification(&user, &token, false).await;
        Ok(true)
    }

    /// `POST /requestPasswordReset`: a reset link for the user with this email (or, without
    /// an email, this username); `{}` whether or not there is one, unless 6.1+'s
    /// `resetPasswordSuccessOnInvalidEmail: false` asks for 101.
    pub async fn request_password_reset(
        &self,
        store: &Store,
        email: Option<&Value>,
    ) -> Result<(), ParseError> {
        self.ensure_configured()?;
        let email = Self::requested_email(email)?;
        store.class_reads().read(crate::store::class_reads::USER);
        let Some((user, tokens)) = store
            .find_user_for_email(EmailLookup::ResetAddress(email))
            .await?
        else {
            if self.options.reset_refuses_unknown_email {
                return Err(ParseError::new(
                    ErrorCode::ObjectNotFound,
                    "A user with that email does not exist.",
                ));
            }
            return Ok(());
        };
        let reuse = self.behavior.token_reuse_options && self.options.reset_token_reuse_if_valid;
        let token = match tokens
            .reset
            .filter(|t| reuse && t.expires_after(now_millis()))
        {
            Some(t) => t.token,
            None => {
                let token = self.new_reset_token();
                let write = TokenWrite {
                    reset: Some(Some(token.clone())),
                    ..TokenWrite::default()
                };
                store
                    .write_user_tokens(&user.object_id, write, TokenGuard::Always)
                    .await?;
                token.token
            }
        };
        self.send_reset(&user, &token).await;
        Ok(())
    }

    /// Open a verification link. Up to 7.x the user is named by username and any link of an
    /// already verified user succeeds; from 8.0 the token alone names the user, once.
    pub async fn verify_email(
        &self,
        store: &Store,
        username: Option<&str>,
        token: &str,
    ) -> Result<Verified, StoreError> {
        let lookup = match (self.behavior.links_name_username, username) {
            (true, Some(u)) => EmailLookup::Username(u.to_owned()),
            (true, None) => return Ok(Verified::Invalid),
            (false, _) => EmailLookup::VerifyToken(token.to_owned()),
        };
        let Some((user, tokens)) = store.find_user_for_email(lookup).await? else {
            return Ok(Verified::Invalid);
        };
        if self.behavior.links_name_username && user.email_verified == Some(true) {
            return Ok(Verified::Yes);
        }
        let Some(held) = tokens.verify.filter(|t| t.token == token) else {
            return Ok(Verified::Invalid);
        };
        if self.options.verify_token_validity_secs.is_some()
            && (!held.expires_after(now_millis()) || user.email_verified == Some(true))
        {
            return Ok(Verified::Invalid);
        }
        let write = TokenWrite {
            verify: Some(None),
            email_verified: Some(true),
            ..TokenWrite::default()
        };
        let done = store
            .write_user_tokens(
                &user.object_id,
                write,
                TokenGuard::VerifyToken(token.to_owned()),
            )
            .await?;
        Ok(if done {
            Verified::Yes
        } else {
            Verified::Invalid
        })
    }

    /// The user a reset link names, if its token is theirs and still valid. Up to 7.x the
    /// username must match as well; from 8.0 the token alone names the user.
    pub async fn check_reset_token(
        &self,
        store: &Store,
        username: Option<&str>,
        token: &str,
    ) -> Result<Result<User, ResetRefused>, StoreError> {
        let found = store
            .find_user_for_email(EmailLookup::ResetToken(token.to_owned()))
            .await?;
        let Some((user, tokens)) = found else {
            return Ok(Err(ResetRefused::Invalid));
        };
        if self.behavior.links_name_username && username != Some(user.username.as_str()) {
            return Ok(Err(ResetRefused::Invalid));
        }
        match tokens.reset {
            Some(t) if t.token == token && t.is_valid(now_millis()) => Ok(Ok(user)),
            Some(t) if t.token == token => Ok(Err(ResetRefused::Expired)),
            _ => Ok(Err(ResetRefused::Invalid)),
        }
    }

    /// Reset a password through a reset link's token: `Ok(Err(message))` is the reason Parse
    /// gives the user ("Failed to reset password: ...", "The password reset link has
    /// expired", a password-policy message).
    pub async fn reset_password(
        &self,
        store: &Store,
        username: Option<&str>,
        token: &str,
        password: &str,
        sanitized: bool,
    ) -> Result<Result<(), String>, StoreError> {
        const INVALID: &str = "Failed to reset password: username / email / token is invalid";
        let user = match self.check_reset_token(store, username, token).await? {
            Ok(user) => user,
            Err(ResetRefused::Invalid) => return Ok(Err(INVALID.into())),
            Err(ResetRefused::Expired) => {
                return Ok(Err(RESET_LINK_EXPIRED.into()));
            }
        };
        let unlock = self.behavior.unlock_on_password_reset
            && store
                .options()
                .account_lockout
                .as_ref()
                .is_some_and(|l| l.unlock_on_password_reset);
        match store
            .reset_password(&user, token, password, unlock, sanitized)
            .await
        {
            Ok(Ok(())) => Ok(Ok(())),
            Ok(Err(_)) => Ok(Err(INVALID.into())),
            Err(StoreError::Parse(e)) => Ok(Err(e.message.into_owned())),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::Behavior;

    fn behavior(v: &str) -> EmailBehavior {
        Behavior::parse(v).expect("supported").email
    }

    fn verifying() -> EmailOptions {
        EmailOptions {
            app_name: Some("Email App".into()),
            public_server_url: Some("http://127.0.0.1:1337/parse".into()),
            verify_user_emails: true,
            ..EmailOptions::default()
        }
    }

    /// fixtures/user-email/FINDINGS.md, case S: what each version refuses to start with.
    #[test]
    fn start_up_refusals_are_parses() {
        let refuse = |v: &str, o: &EmailOptions| o.validate(&behavior(v)).unwrap_err();
        let no_name = EmailOptions {
            app_name: None,
            ..verifying()
        };
        assert_eq!(
            refuse("3.7.2", &no_name),
            "An app name is required for e-mail verification and password resets."
        );
        let no_url = EmailOptions {
            public_server_url: None,
            ..verifying()
        };
        assert_eq!(
            refuse("7.5.4", &no_url),
            "A public server url is required for e-mail verification and password resets."
        );
        assert_eq!(
            refuse("9.10.0", &no_url),
            "The option publicServerURL is required."
        );
        let bad_url = EmailOptions {
            public_server_url: Some("not a url".into()),
            ..verifying()
        };
        assert_eq!(
            refuse("4.4.0", &bad_url),
            "publicServerURL should be a valid HTTPS URL starting with https://"
        );
        assert_eq!(
            refuse("8.6.94", &bad_url),
            "The option publicServerURL must be a valid URL starting with http:// or https://."
        );
        let negative = EmailOptions {
            verify_token_validity_secs: Some(-1.0),
            ..verifying()
        };
        assert_eq!(
            refuse("5.6.0", &negative),
            "Email verify token validity duration must be a value greater than 0."
        );
        let reuse = EmailOptions {
            verify_token_reuse_if_valid: true,
            ..verifying()
        };
        assert!(
            reuse.validate(&behavior("4.4.0")).is_ok(),
            "no such check before 4.5"
        );
        assert_eq!(
            refuse("5.6.0", &reuse),
            "You cannot use emailVerifyTokenReuseIfValid without emailVerifyTokenValidityDuration"
        );
        // Without verifyUserEmails nothing but the URL's form is checked.
        assert!(
            EmailOptions::default()
                .validate(&behavior("9.10.0"))
                .is_ok()
        );
    }

    #[test]
    fn tokens_are_25_letters_and_digits_and_never_repeat() {
        let a = random_token();
        let b = random_token();
        assert_eq!(a.len(), 25);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn usernames_in_links_are_uri_components() {
        assert_eq!(encode_uri_component("g user+1"), "g%20user%2B1");
        assert_eq!(encode_uri_component("a-b_c.d!~*'()"), "a-b_c.d!~*'()");
        assert_eq!(encode_uri_component("é/?"), "%C3%A9%2F%3F");
    }

    #[test]
    fn links_carry_the_username_until_8() {
        let service = |v: &str| EmailService::new(verifying(), behavior(v), "app".into());
        let old = service("7.5.4");
        assert_eq!(
            old.link("http://h/parse", "verify_email", "T", Some("a b")),
            "http://h/parse/apps/app/verify_email?token=T&username=a%20b"
        );
        assert_eq!(
            old.link("http://h/parse", "verify_email", "T", None),
            "http://h/parse/apps/app/verify_email?token=T&username=undefined"
        );
        assert_eq!(
            service("8.6.94").link("http://h/parse", "request_password_reset", "T", Some("a")),
            "http://h/parse/apps/app/request_password_reset?token=T"
        );
    }

    /// `preventSignupWithUnverifiedEmail` (6.3+) needs `preventLoginWithUnverifiedEmail` and
    /// `verifyUserEmails`, as Parse's `rejectSignup` does.
    #[test]
    fn the_signup_refusal_needs_its_version_and_both_login_options() {
        let options = |prevent_login| EmailOptions {
            prevent_login_with_unverified_email: prevent_login,
            prevent_signup_with_unverified_email: true,
            ..verifying()
        };
        let check = |v: &str, prevent_login| {
            EmailService::new(options(prevent_login), behavior(v), "app".into())
                .check_signup_without_session()
                .map_err(|e| (e.code.number(), e.message.to_string()))
        };
        assert_eq!(
            check("6.5.11", true),
            Err((205, "User email is not verified.".to_owned()))
        );
        assert_eq!(check("9.10.0", true).map_err(|e| e.0), Err(205));
        assert_eq!(check("6.5.11", false), Ok(()));
        assert_eq!(check("5.6.0", true), Ok(()), "no such option before 6.3");
    }

    #[test]
    fn the_login_check_needs_both_options() {
        let user = |verified| User {
            object_id: "u".into(),
            username: "u".into(),
            email: Some("u@example.com".into()),
            email_verified: verified,
            hashed_password: None,
            auth_data: None,
            acl: serde_json::Map::new(),
            created_at: 0,
            updated_at: 0,
            fields: serde_json::Map::new(),
        };
        let verify_only = EmailService::new(verifying(), behavior("9.10.0"), "app".into());
        assert!(verify_only.check_login(&user(Some(false))).is_ok());
        let prevent = EmailService::new(
            EmailOptions {
                prevent_login_with_unverified_email: true,
                ..verifying()
            },
            behavior("9.10.0"),
            "app".into(),
        );
        let err = prevent.check_login(&user(Some(false))).unwrap_err();
        assert_eq!(
            (err.code.number(), &*err.message),
            (205, "User email is not verified.")
        );
        assert!(
            prevent.check_login(&user(None)).is_err(),
            "no email, not verified"
        );
        assert!(prevent.check_login(&user(Some(true))).is_ok());
    }

    /// Once `emailVerifyTokenValidityDuration` is set, Parse looks a link's token up with
    /// `_email_verify_token_expires_at: {$gt: now}`, which a token written before (without
    /// expiry) never passes; and 6.1+'s `resetPasswordSuccessOnInvalidEmail: false` turns a
    /// reset request for an unknown address into 101.
    #[tokio::test]
    async fn a_token_without_expiry_fails_a_validity_and_unknown_addresses_can_be_refused() {
        let store = Store::open(
            &crate::store::DatabaseLocation::Memory,
            crate::store::StoreOptions::default(),
        )
        .unwrap();
        let (user, _) = store
            .sign_up(
                crate::store::NewUser {
                    username: "alice".into(),
                    password: Some("s3cret".into()),
                    email: Some("alice@example.com".into()),
                    ..Default::default()
                },
                crate::store::SessionMeta::default(),
            )
            .await
            .unwrap();
        let give = TokenWrite {
            verify: Some(Some(EmailToken {
                token: "v1".into(),
                expires_at: None,
            })),
            ..TokenWrite::default()
        };
        store
            .write_user_tokens(&user.object_id, give, TokenGuard::Always)
            .await
            .unwrap();
        let with_validity = EmailService::new(
            EmailOptions {
                verify_token_validity_secs: Some(5.0),
                ..verifying()
            },
            behavior("6.5.11"),
            "app".into(),
        );
        let opened = with_validity
            .verify_email(&store, Some("alice"), "v1")
            .await
            .unwrap();
        assert_eq!(opened, Verified::Invalid);
        let without = EmailService::new(verifying(), behavior("6.5.11"), "app".into());
        let opened = without
            .verify_email(&store, Some("alice"), "v1")
            .await
            .unwrap();
        assert_eq!(opened, Verified::Yes);

        let unknown = Value::from("nobody@example.com");
        assert!(
            without
                .request_password_reset(&store, Some(&unknown))
                .await
                .is_ok()
        );
        let refusing = EmailService::new(
            EmailOptions {
                reset_refuses_unknown_email: true,
                ..verifying()
            },
            behavior("6.5.11"),
            "app".into(),
        );
        let err = refusing
            .request_password_reset(&store, Some(&unknown))
            .await
            .unwrap_err();
        assert_eq!(
            (err.code.number(), &*err.message),
            (101, "A user with that email does not exist.")
        );
    }
}
