//! Uploaded files: where their bytes live (`BlobStore`) and which kinds are accepted.
//! The type is judged from the file's content (magic bytes), never from its name or the
//! browser's claim; plain text must be valid UTF-8.

use async_trait::async_trait;

/// 10 MB per file, as promised to customers.
pub use crate::domain::chat::MAX_FILE_BYTES;

#[derive(Debug, thiserror::Error)]
#[error("blob storage: {0}")]
pub struct BlobError(pub String);

#[async_trait]
pub trait BlobStore: Send + Sync {
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), BlobError>;
    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError>;
}

/// Content types accepted for attachments.
const ALLOWED: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
];

/// The content type to store and serve, or `None` when the file is not an accepted kind.
pub fn accepted_content_type(bytes: &[u8], filename: &str) -> Option<&'static str> {
    if let Some(kind) = infer::get(bytes) {
        return ALLOWED.iter().copied().find(|t| *t == kind.mime_type());
    }
    let lower = filename.to_lowercase();
    let textual = [
        ".txt", ".log", ".csv", ".md", ".json", ".xml", ".conf", ".cfg", ".ini",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext));
    if textual && std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0) {
        return Some(if lower.ends_with(".csv") {
            "text/csv; charset=utf-8"
        } else {
            "text/plain; charset=utf-8"
        });
    }
    None
}

/// The rule every attachment follows (tickets, chats, channels, email): not empty, at most
/// [`MAX_FILE_BYTES`], an accepted kind by content. Gives the cleaned name and the content type
/// to store, or the reason it is refused.
pub fn check_upload(
    bytes: &[u8],
    filename: &str,
) -> Result<(String, &'static str), crate::error::ErrorCode> {
    use crate::error::ErrorCode;
    if bytes.is_empty() {
        return Err(ErrorCode::FileEmpty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ErrorCode::FileTooLarge);
    }
    let filename = clean_filename(filename);
    let content_type =
        accepted_content_type(bytes, &filename).ok_or(ErrorCode::FileTypeNotAllowed)?;
    Ok((filename, content_type))
}

/// A safe display name: no path, no control characters, at most 120 characters.
pub fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(120)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').to_owned();
    if trimmed.is_empty() {
        "archivo".to_owned()
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judges_by_content() {
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0];
        assert_eq!(accepted_content_type(&png, "foto.txt"), Some("image/png"));
        assert_eq!(
            accepted_content_type(b"%PDF-1.7\n...", "factura.pdf"),
            Some("application/pdf")
        );
        assert_eq!(
            accepted_content_type(b"error en linea 3\n", "app.log"),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(
            accepted_content_type(b"<script>alert(1)</script>", "pagina.html"),
            None
        );
        assert_eq!(
            accepted_content_type(b"MZ\x90\x00\x03\x00\x00\x00", "setup.exe"),
            None,
            "executables refused"
        );
        assert_eq!(
            accepted_content_type(&[0xff, 0xfe, 0x00], "datos.txt"),
            None,
            "binary posing as text"
        );
    }

    #[test]
    fn cleans_names() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(
            clean_filename("C:\\Users\\ana\\captura \"1\".png"),
            "captura 1.png"
        );
        assert_eq!(clean_filename("..."), "archivo");
    }
}
