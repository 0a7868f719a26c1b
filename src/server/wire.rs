//! JSON bodies for the errors hyper answers by itself.
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

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection whose parse-error answers carry JSON bodies.
pub struct JsonParseErrors<T> {
    inner: T,
    /// A replacement being written: (bytes, how many are written, the length of the buffer
    /// hyper asked us to write, reported as written once the replacement is out).
    replacing: Option<(Vec<u8>, usize, usize)>,
    /// Largest request head, for the 431 message.
    max_head_bytes: usize,
}

impl<T> JsonParseErrors<T> {
    pub fn new(inner: T, max_head_bytes: usize) -> Self {
        JsonParseErrors {
            inner,
            replacing: None,
            max_head_bytes,
        }
    }

    pub fn get_ref(&self) -> &T {
        &self.inner
    }
}

/// The JSON answer for hyper's own response head `buf`, if it is one.
pub fn replacement(buf: &[u8], max_head_bytes: usize) -> Option<Vec<u8>> {
    let rest = buf.strip_prefix(b"HTTP/1.1 ")?;
    let status = rest.get(..3)?;
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = &buf[..head_end];
    let has_type = head
        .split(|b| *b == b'\n')
        .any(|line| line.len() > 13 && line[..13].eq_ignore_ascii_case(b"content-type:"));
    if has_type {
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

impl<T: AsyncRead + Unpin> AsyncRead for JsonParseErrors<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for JsonParseErrors<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.replacing.is_none() {
            match replacement(buf, this.max_head_bytes) {
                None => return Pin::new(&mut this.inner).poll_write(cx, buf),
                Some(bytes) => this.replacing = Some((bytes, 0, buf.len())),
            }
        }
        let (bytes, done, claimed) = this.replacing.as_mut().expect("set above");
        while *done < bytes.len() {
            match Pin::new(&mut this.inner).poll_write(cx, &bytes[*done..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => *done += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        let claimed = *claimed;
        this.replacing = None;
        Poll::Ready(Ok(claimed))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    // Not vectored: hyper then gathers each response head into one buffer, which is what
    // `replacement` looks at. Bodies are copied into that buffer too; measured no difference.
    fn is_write_vectored(&self) -> bool {
        false
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
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert!(replacement(ok, 1).is_none());
        let not_modified = b"HTTP/1.1 304 Not Modified\r\netag: \"x\"\r\n\r\n";
        assert!(replacement(not_modified, 1).is_none());
        let body_chunk = b"{\"type\":\"FeatureCollection\"}";
        assert!(replacement(body_chunk, 1).is_none());
    }
}
