//! `--emailAdapter smtp://…`: a reset e-mail really leaves through SMTP (lettre), with Parse's
//! default subject and text and the link that resets the password; an unreachable SMTP server
//! never changes the HTTP answer.
//!
//! The SMTP server here is a test double that accepts one message and records what it got.

mod common;

use common::TestServer;
use parse_compat::email::EmailOptions;
use parse_compat::email::sender::AdapterConfig;
use serde_json::json;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

/// Accept SMTP sessions on `listener` and send each message's DATA to `got`.
async fn smtp_sink(listener: tokio::net::TcpListener, got: tokio::sync::mpsc::Sender<String>) {
    while let Ok((stream, _)) = listener.accept().await {
        let got = got.clone();
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 sink ESMTP\r\n").await.ok();
            let mut data: Option<String> = None;
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(body) = data.as_mut() {
                    if line == "." {
                        got.send(std::mem::take(body)).await.ok();
                        data = None;
                        write.write_all(b"250 queued\r\n").await.ok();
                    } else {
                        body.push_str(&line);
                        body.push('\n');
                    }
                    continue;
                }
                let verb = line
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_uppercase();
                let answer: &[u8] = match verb.as_str() {
                    "EHLO" | "HELO" => b"250 sink\r\n",
                    "DATA" => {
                        data = Some(String::new());
                        b"354 go on\r\n"
                    }
                    "QUIT" => {
                        write.write_all(b"221 bye\r\n").await.ok();
                        break;
                    }
                    _ => b"250 ok\r\n",
                };
                write.write_all(answer).await.ok();
            }
        });
    }
}

fn smtp_options(url: String, public: &str) -> EmailOptions {
    EmailOptions {
        app_name: Some("Mail App".into()),
        public_server_url: Some(public.to_owned()),
        adapter: AdapterConfig::Smtp {
            url,
            from: "Mail App <noreply@example.com>".into(),
        },
        ..EmailOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_email_goes_out_over_smtp_and_its_link_resets() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let smtp = format!("smtp://{}", listener.local_addr().unwrap());
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    tokio::spawn(smtp_sink(listener, tx));
    let server = TestServer::start_with("9.10.0", |c| {
        c.email = smtp_options(smtp, &c.server_url);
    })
    .await;
    let res = server
        .rest("POST", "/parse/users")
        .json(&json!({"username": "smtp_user", "password": "p1", "email": "smtp@example.com"}))
        .send()
        .await;
    assert_eq!(res.status, 201);
    let res = server
        .rest("POST", "/parse/requestPasswordReset")
        .json(&json!({"email": "smtp@example.com"}))
        .send()
        .await;
    assert_eq!((res.status, res.text()), (200, "{}".to_owned()));
    let message = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
        .await
        .expect("the e-mail arrives")
        .expect("a message");
    // Undo quoted-printable soft breaks to read the text as written.
    let text = message.replace("=\n", "").replace("=3D", "=");
    assert!(
        text.contains("Subject: Password Reset for Mail App"),
        "{text}"
    );
    assert!(text.contains("To: smtp@example.com"), "{text}");
    assert!(
        text.contains("From: \"Mail App\" <noreply@example.com>")
            || text.contains("From: Mail App <noreply@example.com>"),
        "{text}"
    );
    assert!(text.contains("(your username is 'smtp_user')"), "{text}");
    let token = text
        .split("request_password_reset?token=")
        .nth(1)
        .expect("the link")
        .chars()
        .take(25)
        .collect::<String>();
    let res = server
        .request("POST", "/parse/apps/compatApp/request_password_reset")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("X-Requested-With", "XMLHttpRequest")
        .raw_body(format!(
            "new_password=p2&confirm_new_password=p2&token={token}"
        ))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let res = server
        .rest("POST", "/parse/login")
        .json(&json!({"username": "smtp_user", "password": "p2"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_smtp_server_does_not_change_the_answer() {
    // A port nothing listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let server = TestServer::start_with("4.4.0", |c| {
        c.email = smtp_options(format!("smtp://127.0.0.1:{port}"), &c.server_url);
    })
    .await;
    let res = server
        .rest("POST", "/parse/users")
        .json(&json!({"username": "u", "password": "p1", "email": "u@example.com"}))
        .send()
        .await;
    assert_eq!(res.status, 201);
    let res = server
        .rest("POST", "/parse/requestPasswordReset")
        .json(&json!({"email": "u@example.com"}))
        .send()
        .await;
    assert_eq!((res.status, res.text()), (200, "{}".to_owned()));
    server.stop().await;
}
