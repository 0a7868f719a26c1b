//! The server's side of a connection: JSON bodies for the errors hyper answers by itself,
//! and a close that does not lose the answer ([`linger`]).
//!
//! A request whose head cannot be parsed (too large, a URI too long, a header value with a
//! control character, a malformed request line) never reaches the router: hyper writes a bare
//! `400`/`414`/`431` with an empty body and closes the connection. Every other error this
//! service sends is `{"code", "description"}`, and clients (and the people reading their logs)
//! should not have to guess why those few are different. hyper has no hook for these answers,
//! so this wraps the connection's writes: a response head that hyper made for a parse error —
//! one of those three statuses with no `Content-Type`, which every response of ours has — is
//! replaced by the same status with a JSON body. Nothing else is touched.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;

/// The server's side of one connection, as hyper sees it: parse-error answers carry JSON
/// bodies, and the close lingers (see [`linger`]). It holds the connection's place under
/// `max_connections` until the socket is really closed.
pub struct Conn {
    /// Always `Some` until dropped.
    tcp: Option<TcpStream>,
    permit: Option<OwnedSemaphorePermit>,
    /// A replacement being written: (bytes, how many are written, the length of the buffer
    /// hyper asked us to write, reported as written once the replacement is out).
    replacing: Option<(Vec<u8>, usize, usize)>,
    /// Largest request head, for the 431 message.
    max_head_bytes: usize,
    /// How long a response may make no progress (the client reads nothing) before the
    /// connection is dropped: hyper has no write timeout, and a client that never reads
    /// would otherwise hold its connection, and a streaming page's worker, for ever.
    send_timeout: Duration,
    /// Running while a write waits on a full send buffer.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Conn {
    pub fn new(
        tcp: TcpStream,
        permit: OwnedSemaphorePermit,
        max_head_bytes: usize,
        send_timeout: Duration,
    ) -> Self {
        Conn {
            tcp: Some(tcp),
            permit: Some(permit),
            replacing: None,
            max_head_bytes,
            send_timeout,
            stalled: None,
        }
    }

    /// A write's outcome, with the send deadline applied: progress clears it, a wait starts
    /// it, and a wait past it is an error that ends the connection.
    fn watch<T>(&mut self, cx: &mut Context<'_>, r: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match r {
            Poll::Pending => {
                let timeout = self.send_timeout;
                let sleep = self
                    .stalled
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the client read nothing of the response in time",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
            ready => {
                self.stalled = None;
                ready
            }
        }
    }

    /// Writes the pending replacement; once it is all out, reports `claimed` bytes written.
    fn drain_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        loop {
            let Conn { tcp, replacing, .. } = self;
            let tcp = tcp.as_mut().expect("the socket is there until drop");
            let (bytes, done, claimed) = replacing.as_mut().expect("a replacement is pending");
            if *done == bytes.len() {
                let claimed = *claimed;
                *replacing = None;
                return Poll::Ready(Ok(claimed));
            }
            let r = Pin::new(tcp).poll_write(cx, &bytes[*done..]);
            match self.watch(cx, r) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => self.replacing.as_mut().expect("pending").1 += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    fn tcp(&mut self) -> Pin<&mut TcpStream> {
        Pin::new(self.tcp.as_mut().expect("the socket is there until drop"))
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        let (Some(tcp), Ok(rt)) = (self.tcp.take(), tokio::runtime::Handle::try_current()) else {
            return;
        };
        let permit = self.permit.take();
        rt.spawn(async move {
            linger(tcp).await;
            drop(permit);
        });
    }
}

/// Closes a connection without losing the answer. When the server answers before reading
/// the whole request (a 401 to a 200 MB upload, a 413, a parse error), closing a socket that
/// still has unread bytes makes the kernel send a reset, and the client's kernel may then
/// throw away the answer before the client reads it; clients that send the whole body before
/// reading (most libraries) would see "connection reset" instead of the 401. So, as nginx
/// does (`lingering_close`): send our end-of-stream, then read and discard what still
/// arrives — in a 16 KiB buffer, so it costs no memory — until the client closes, nothing
/// arrives for [`LINGER_IDLE`], or [`LINGER_TOTAL`] has passed.
pub async fn linger(mut tcp: TcpStream) {
    let _ = tcp.shutdown().await;
    let mut buf = vec![0u8; 16 * 1024];
    let drain = async {
        loop {
            match tokio::time::timeout(LINGER_IDLE, tcp.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => continue,
                _ => break,
            }
        }
    };
    let _ = tokio::time::timeout(LINGER_TOTAL, drain).await;
}

/// How long a closing connection's discarded input may pause, and last in all (nginx's
/// `lingering_timeout` and `lingering_time`).
const LINGER_IDLE: Duration = Duration::from_secs(5);
const LINGER_TOTAL: Duration = Duration::from_secs(30);

/// The JSON answer for hyper's own response head `buf`, if it is one.
pub fn replacement(buf: &[u8], max_head_bytes: usize) -> Option<Vec<u8>> {
    let rest = buf.strip_prefix(b"HTTP/1.1 ")?;
    let status = rest.get(..3)?;
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    // Exactly what hyper writes for a parse error, and nothing else: an empty body
    // (`content-length: 0`) and no header but `date` and `connection`. Every response of ours
    // has a `content-type`, so none can look like this.
    let mut empty = false;
    for line in buf[..head_end].split(|b| *b == b'\n').skip(1) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let (name, value) = line.split_at(line.iter().position(|b| *b == b':')?);
        let value = value[1..].trim_ascii();
        if name.eq_ignore_ascii_case(b"content-length") && value == b"0" {
            empty = true;
        } else if !(name.eq_ignore_ascii_case(b"date") || name.eq_ignore_ascii_case(b"connection"))
        {
            return None;
        }
    }
    if !empty || buf.len() != head_end + 4 {
        return None;
    }
    let (reason, code, description) = match status {
        b"400" => (
            "Bad Request",
            "MalformedRequest",
            "the request is not valid HTTP/1.1: a malformed request line, or a header name or \
             value with characters HTTP does not allow (control characters, for example)"
                .to_string(),
        ),
        b"414" => (
            "URI Too Long",
            "UriTooLong",
            "the request's URI is too long; send long filters in a POST body where the endpoint \
             takes one"
                .to_string(),
        ),
        b"431" => (
            "Request Header Fields Too Large",
            "HeadersTooLarge",
            format!(
                "the request's head (request line and headers) is larger than {max_head_bytes} \
                 bytes, or has too many header fields"
            ),
        ),
        _ => return None,
    };
    let body = serde_json::json!({ "code": code, "description": description }).to_string();
    let mut out = Vec::with_capacity(body.len() + 160);
    out.extend_from_slice(
        format!(
            "HTTP/1.1 {} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n",
            std::str::from_utf8(status).unwrap_or("400"),
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(body.as_bytes());
    Some(out)
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.tcp().poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.replacing.is_none() {
            match replacement(buf, this.max_head_bytes) {
                None => {
                    let r = this.tcp().poll_write(cx, buf);
                    return this.watch(cx, r);
                }
                Some(bytes) => this.replacing = Some((bytes, 0, buf.len())),
            }
        }
        this.drain_replacement(cx)
    }

    // hyper's queued writes put a response head in a buffer of its own, first: that is the
    // one `replacement` looks at. Vectored writes also spare hyper a copy of every body into
    // one flat buffer that would keep the size of the largest response for the connection's
    // life.
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.replacing.is_none() {
            match bufs
                .first()
                .and_then(|b| replacement(b, this.max_head_bytes).map(|r| (r, b.len())))
            {
                None => {
                    let r = this.tcp().poll_write_vectored(cx, bufs);
                    return this.watch(cx, r);
                }
                Some((bytes, len)) => this.replacing = Some((bytes, 0, len)),
            }
        }
        this.drain_replacement(cx)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let r = self.tcp().poll_flush(cx);
        self.watch(cx, r)
    }

    // hyper calls this when it closes the connection; the real close is [`linger`]'s, on drop.
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.tcp().poll_flush(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyper_error_heads_get_json_bodies() {
        for (status, code) in [
            ("400 Bad Request", "MalformedRequest"),
            ("414 URI Too Long", "UriTooLong"),
            ("431 Request Header Fields Too Large", "HeadersTooLarge"),
        ] {
            let head = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\ndate: x\r\n\r\n");
            let out = replacement(head.as_bytes(), 65536).expect("replaced");
            let text = String::from_utf8(out).unwrap();
            assert!(text.starts_with(&format!("HTTP/1.1 {}", &status[..3])));
            let (h, body) = text.split_once("\r\n\r\n").unwrap();
            assert!(h.contains(&format!("content-length: {}", body.len())));
            let v: serde_json::Value = serde_json::from_str(body).unwrap();
            assert_eq!(v["code"], code);
        }
    }

    #[test]
    fn our_own_responses_pass_untouched() {
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
        assert!(replacement(ours, 1).is_none());
        let ours_empty = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n";
        assert!(replacement(ours_empty, 1).is_none());
        let with_more = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nHTTP/1.1 200 OK\r\n";
        assert!(
            replacement(with_more, 1).is_none(),
            "only a head alone is replaced"
        );
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert!(replacement(ok, 1).is_none());
        let not_modified = b"HTTP/1.1 304 Not Modified\r\netag: \"x\"\r\n\r\n";
        assert!(replacement(not_modified, 1).is_none());
        let body_chunk = b"{\"type\":\"FeatureCollection\"}";
        assert!(replacement(body_chunk, 1).is_none());
    }
}
