//! Where e-mails go: an SMTP server (lettre), an outbox file, or the log.
//!
//! Parse calls its adapter without waiting for it, and so do we for SMTP: a slow or failing
//! mail server never delays or changes an HTTP answer. The outbox (a JSON line per message,
//! in a file only its owner can read: the links in it open accounts) is written before the
//! answer, so that a test or a developer reading it finds every message the answers promised.
//! The log says that a message would have gone out, to whom, and why it did not, and never
//! prints the link, which is a credential.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use serde_json::json;

/// How `emailAdapter` is configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AdapterConfig {
    /// No adapter parse-compat can run: messages are logged (without their links).
    #[default]
    Log,
    /// `file:PATH`: one JSON line per message, appended to PATH (created 0600).
    Outbox(PathBuf),
    /// `smtp://` or `smtps://user:pass@host:port`, with the From address.
    Smtp { url: String, from: String },
    /// `upstream`: the `--upstream` Parse Server sends each message with its own
    /// `emailAdapter` (a JavaScript module parse-compat cannot run), asked through its
    /// `/verificationEmailRequest` and `/requestPasswordReset` routes. It finds the user, and
    /// writes the token its link carries, in the database both share.
    Upstream,
}

impl AdapterConfig {
    /// Read `emailAdapter` (a string parse-compat understands) and `emailFrom`.
    pub fn parse(value: &str, from: Option<String>) -> Result<Self, String> {
        if value == "log" {
            return Ok(Self::Log);
        }
        if value == "upstream" {
            return Ok(Self::Upstream);
        }
        if let Some(path) = value.strip_prefix("file:") {
            if path.is_empty() {
                return Err("emailAdapter file: needs a path (file:/path/to/outbox.jsonl)".into());
            }
            return Ok(Self::Outbox(PathBuf::from(path)));
        }
        if value.starts_with("smtp://") || value.starts_with("smtps://") {
            AsyncSmtpTransport::<Tokio1Executor>::from_url(value)
                .map_err(|e| format!("emailAdapter is not a usable SMTP URL: {e}"))?;
            let from = from.ok_or_else(|| {
                "emailAdapter is an SMTP URL: emailFrom (the From address) is required too"
                    .to_owned()
            })?;
            from.parse::<lettre::message::Mailbox>()
                .map_err(|e| format!("emailFrom `{from}` is not an address: {e}"))?;
            return Ok(Self::Smtp {
                url: value.to_owned(),
                from,
            });
        }
        Err(format!(
            "emailAdapter `{value}` is not one parse-compat runs: give smtp://…, smtps://…, file:PATH, upstream or log"
        ))
    }
}

/// Which of Parse's two messages this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    Verification,
    PasswordReset,
}

impl MailKind {
    /// The adapter method Parse calls for it.
    pub const fn method(self) -> &'static str {
        match self {
            Self::Verification => "sendVerificationEmail",
            Self::PasswordReset => "sendPasswordResetEmail",
        }
    }
}

/// One message, in Parse's default wording.
#[derive(Debug, Clone)]
pub struct Mail {
    pub kind: MailKind,
    /// The address (or, for a reset of a user without one, the username, as Parse does).
    pub to: String,
    pub subject: String,
    pub text: String,
    pub link: String,
    pub app_name: String,
}

enum Transport {
    Log,
    Outbox(Arc<parking_lot::Mutex<PathBuf>>),
    Smtp(Box<Smtp>),
    Upstream(Box<Relay>),
}

/// The upstream Parse Server that sends messages for `emailAdapter: upstream`, and how to
/// ask it: as this app, with the master key (never logged).
pub struct Relay {
    pub upstream: crate::http::upstream::Upstream,
    pub mount_path: String,
    pub app_id: String,
    pub master_key: String,
}

struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: lettre::message::Mailbox,
}

/// Sends [`Mail`] the way the configuration says.
pub struct Mailer {
    transport: Transport,
}

impl Mailer {
    /// A mailer for `config`; `relay` is what `AdapterConfig::Upstream` sends through (the
    /// configuration check makes sure there is one; without it messages are logged).
    pub fn new(config: &AdapterConfig, relay: Option<Relay>) -> Self {
        let transport = match config {
            AdapterConfig::Log => Transport::Log,
            AdapterConfig::Upstream => match relay {
                Some(relay) => Transport::Upstream(Box::new(relay)),
                None => Transport::Log,
            },
            AdapterConfig::Outbox(path) => {
                Transport::Outbox(Arc::new(parking_lot::Mutex::new(path.clone())))
            }
            AdapterConfig::Smtp { url, from } => {
                match (
                    AsyncSmtpTransport::<Tokio1Executor>::from_url(url),
                    from.parse(),
                ) {
                    (Ok(builder), Ok(from)) => Transport::Smtp(Box::new(Smtp {
                        transport: builder.build(),
                        from,
                    })),
                    // Checked when the configuration was read.
                    _ => Transport::Log,
                }
            }
        };
        Self { transport }
    }

    /// Send `mail`; failures are logged, never returned (Parse does not wait for its adapter).
    pub async fn send(&self, mail: Mail) {
        match &self.transport {
            Transport::Log => {
                tracing::info!(
                    kind = mail.kind.method(),
                    to = %mail.to,
                    subject = %mail.subject,
                    "e-mail not sent: no emailAdapter parse-compat can run is configured (give smtp://… or file:PATH)"
                );
            }
            Transport::Outbox(path) => {
                let path = Arc::clone(path);
                let line = json!({
                    "method": mail.kind.method(),
                    "to": mail.to,
                    "subject": mail.subject,
                    "text": mail.text,
                    "link": mail.link,
                    "appName": mail.app_name,
                })
                .to_string();
                let written = tokio::task::spawn_blocking(move || {
                    let path = path.lock();
                    append_private(&path, &line)
                })
                .await;
                if !matches!(written, Ok(Ok(()))) {
                    tracing::warn!(
                        kind = mail.kind.method(),
                        "could not write the e-mail outbox"
                    );
                }
            }
            Transport::Upstream(relay) => relay.send(&mail).await,
            Transport::Smtp(smtp) => {
                let Smtp { transport, from } = smtp.as_ref();
                let message = mail.to.parse().map_err(|e| format!("{e}")).and_then(|to| {
                    Message::builder()
                        .from(from.clone())
                        .to(to)
                        .subject(mail.subject.clone())
                        .header(ContentType::TEXT_PLAIN)
                        .body(mail.text.clone())
                        .map_err(|e| e.to_string())
                });
                let message = match message {
                    Ok(m) => m,
                    Err(why) => {
                        tracing::warn!(kind = mail.kind.method(), to = %mail.to, %why, "e-mail not sent: the recipient is not an address");
                        return;
                    }
                };
                let transport = transport.clone();
                let kind = mail.kind.method();
                tokio::spawn(async move {
                    if let Err(e) = transport.send(message).await {
                        tracing::warn!(kind, error = %e, "e-mail not sent: the SMTP server refused it");
                    }
                });
            }
        }
    }
}

impl Relay {
    /// Ask the upstream to send `mail` and wait for its answer, as Parse waits for its own
    /// adapter within these routes: the message has gone out (or failed) before the request
    /// that caused it is answered. A refusal is logged with the upstream's reason.
    async fn send(&self, mail: &Mail) {
        let route = match mail.kind {
            MailKind::Verification => "/verificationEmailRequest",
            MailKind::PasswordReset => "/requestPasswordReset",
        };
        let headers = [
            ("x-parse-application-id", self.app_id.as_str()),
            ("x-parse-master-key", self.master_key.as_str()),
        ];
        let asked = self
            .upstream
            .post_json(
                route,
                &self.mount_path,
                &headers,
                &json!({"email": mail.to}),
            )
            .await;
        match asked {
            Ok((200..=299, _)) => {}
            Ok((status, body)) => tracing::warn!(
                kind = mail.kind.method(),
                status,
                answer = %String::from_utf8_lossy(&body),
                "e-mail not sent: the upstream refused to send it"
            ),
            Err(why) => tracing::warn!(
                kind = mail.kind.method(),
                %why,
                "e-mail not sent: the upstream could not be asked"
            ),
        }
    }
}

/// Append a line to a file that only its owner may read (created so).
fn append_private(path: &std::path::Path, line: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(format!("{line}\n").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adapters_parse_compat_runs() {
        assert_eq!(AdapterConfig::parse("log", None), Ok(AdapterConfig::Log));
        assert_eq!(
            AdapterConfig::parse("file:/tmp/outbox.jsonl", None),
            Ok(AdapterConfig::Outbox("/tmp/outbox.jsonl".into()))
        );
        assert!(AdapterConfig::parse("file:", None).is_err());
        let smtp = AdapterConfig::parse(
            "smtps://user:secret@mail.example.com:465",
            Some("App <noreply@example.com>".into()),
        );
        assert!(matches!(smtp, Ok(AdapterConfig::Smtp { .. })), "{smtp:?}");
        let no_from = AdapterConfig::parse("smtp://mail.example.com:25", None).unwrap_err();
        assert!(no_from.contains("emailFrom"), "{no_from}");
        let bad_from =
            AdapterConfig::parse("smtp://mail.example.com:25", Some("not an address".into()));
        assert!(bad_from.is_err());
        let module = AdapterConfig::parse("parse-server-simple-mailgun-adapter", None);
        assert!(module.unwrap_err().contains("not one parse-compat runs"));
    }

    #[tokio::test]
    async fn the_outbox_is_private_and_holds_every_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.jsonl");
        let mailer = Mailer::new(&AdapterConfig::Outbox(path.clone()), None);
        for to in ["a@example.com", "b@example.com"] {
            mailer
                .send(Mail {
                    kind: MailKind::PasswordReset,
                    to: to.into(),
                    subject: "Password Reset for App".into(),
                    text: "Hi".into(),
                    link: "http://h/parse/apps/app/request_password_reset?token=T".into(),
                    app_name: "App".into(),
                })
                .await;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["to"], "b@example.com");
        assert_eq!(lines[0]["method"], "sendPasswordResetEmail");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
