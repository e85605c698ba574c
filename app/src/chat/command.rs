//! What people send to a conversation, parsed once where it arrives (the WebSocket frame, the
//! REST call, the server function): a message's text and an admin's canned response.

use super::service::body_error;
use crate::domain::chat::{clean_body, valid_shortcut};
use crate::error::{AppError, ErrorCode};
use crate::kernel::text::bounded_text;

/// A chat message's text: trimmed, not empty, at most
/// [`MAX_MESSAGE_CHARS`](crate::domain::chat::MAX_MESSAGE_CHARS) characters, no NUL (the rule
/// the browser checks too, in [`clean_body`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText(String);

impl MessageText {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        clean_body(raw)
            .map(|body| MessageText(body.to_owned()))
            .map_err(body_error)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

bounded_text!(
    /// A canned response's title in the agents' picker.
    CannedTitle { max: 120, required: true, code: TitleRequired, field: "title" }
);

/// A canned response as an admin saves it: `/shortcut` (the slash is optional), title, text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveCanned {
    pub shortcut: String,
    pub title: CannedTitle,
    pub body: MessageText,
}

impl SaveCanned {
    pub fn parse(shortcut: &str, title: &str, body: &str) -> Result<Self, AppError> {
        let shortcut = shortcut.trim().trim_start_matches('/');
        if !valid_shortcut(shortcut) {
            return Err(AppError::field(ErrorCode::ShortcutInvalid, "shortcut"));
        }
        Ok(SaveCanned {
            shortcut: shortcut.to_owned(),
            title: CannedTitle::parse(title)?,
            body: MessageText::parse(body)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_text_is_trimmed_and_refused_by_field() {
        assert_eq!(
            MessageText::parse("  hola ").map(|t| t.0),
            Ok("hola".into())
        );
        assert_eq!(
            MessageText::parse(" ").map_err(|e| (e.code, e.field)),
            Err((ErrorCode::BodyRequired, Some("body".into())))
        );
        assert_eq!(
            MessageText::parse("a\0b").map_err(|e| e.code),
            Err(ErrorCode::InvalidInput)
        );
    }

    #[test]
    fn canned_responses_take_the_slash_off_their_shortcut() {
        let c = SaveCanned::parse("/saludo", "Saludo", "Hola, ¿en qué le ayudo?").expect("valid");
        assert_eq!(c.shortcut, "saludo");
        assert_eq!(
            SaveCanned::parse("con espacio", "t", "b").map_err(|e| e.code),
            Err(ErrorCode::ShortcutInvalid)
        );
        assert_eq!(
            SaveCanned::parse("ok", " ", "b").map_err(|e| e.code),
            Err(ErrorCode::TitleRequired)
        );
    }
}
