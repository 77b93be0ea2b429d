//! A local SMTP server for tests: it speaks enough of RFC 5321 for a real client (lettre,
//! plain connection) to deliver, keeps every message it takes, and refuses recipients a
//! test names with `550`, as a mail server does for an unknown mailbox.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One delivered message: the envelope and the raw RFC 5322 text.
#[derive(Debug, Clone)]
pub struct SinkMail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl SinkMail {
    /// The subject as a person reads it (RFC 2047 words decoded).
    pub fn subject(&self) -> Option<String> {
        let parsed = mail_parser::MessageParser::default().parse(self.data.as_bytes())?;
        parsed.subject().map(str::to_owned)
    }

    /// The plain-text part, decoded.
    pub fn text(&self) -> Option<String> {
        let parsed = mail_parser::MessageParser::default().parse(self.data.as_bytes())?;
        parsed.body_text(0).map(|t| t.into_owned())
    }

    /// The value of the first header `name` (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let (head, _) = self.data.split_once("\r\n\r\n")?;
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = value.as_mut() {
                if line.starts_with([' ', '\t']) {
                    v.push(' ');
                    v.push_str(line.trim());
                    continue;
                }
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case(name)
            {
                value = Some(v.trim().to_owned());
            }
        }
        value
    }
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    mails: Arc<Mutex<Vec<SinkMail>>>,
    refuse: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the SMTP sink");
        let port = listener.local_addr().expect("sink address").port();
        let sink = Self { port, mails: Arc::default(), refuse: Arc::default() };
        let serving = sink.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let s = serving.clone();
                tokio::spawn(async move { s.session(socket).await });
            }
        });
        sink
    }

    /// Every message taken so far, in order.
    pub fn mails(&self) -> Vec<SinkMail> {
        self.mails.lock().expect("sink lock").clone()
    }

    /// Answers `550` to `RCPT TO` for this address from now on.
    pub fn refuse(&self, address: &str) {
        self.refuse.lock().expect("sink lock").push(address.to_ascii_lowercase());
    }

    async fn session(&self, socket: tokio::net::TcpStream) {
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read);
        let say = async |w: &mut tokio::net::tcp::OwnedWriteHalf, s: &str| {
            let _ = w.write_all(format!("{s}\r\n").as_bytes()).await;
        };
        say(&mut write, "220 sink.test ESMTP").await;
        let (mut from, mut to) = (String::new(), Vec::new());
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let upper = line.trim_end().to_ascii_uppercase();
            let arg = |prefix: &str| {
                line.trim_end()[prefix.len()..]
                    .trim()
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap_or("")
                    .to_owned()
            };
            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                say(&mut write, "250-sink.test\r\n250 8BITMIME").await;
            } else if upper.starts_with("MAIL FROM:") {
                from = arg("MAIL FROM:");
                to.clear();
                say(&mut write, "250 OK").await;
            } else if upper.starts_with("RCPT TO:") {
                let rcpt = arg("RCPT TO:");
                if self.refuse.lock().expect("sink lock").contains(&rcpt.to_ascii_lowercase()) {
                    say(&mut write, "550 5.1.1 No such mailbox").await;
                } else {
                    to.push(rcpt);
                    say(&mut write, "250 OK").await;
                }
            } else if upper == "DATA" {
                say(&mut write, "354 End data with <CR><LF>.<CR><LF>").await;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    // Dot-stuffing (RFC 5321, 4.5.2).
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                self.mails.lock().expect("sink lock").push(SinkMail {
                    from: from.clone(),
                    to: to.clone(),
                    data,
                });
                say(&mut write, "250 OK queued").await;
            } else if upper == "QUIT" {
                say(&mut write, "221 Bye").await;
                return;
            } else {
                say(&mut write, "250 OK").await;
            }
        }
    }
}
