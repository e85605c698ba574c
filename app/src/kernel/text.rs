//! Bounded text: what a person typed, checked once where it enters.
//!
//! A value type per kind of field (`Subject`, `TicketBody`, …) is declared with
//! [`bounded_text!`]: its `parse` trims the input and refuses it when empty (unless the field is
//! optional), longer than its limit in characters, or holding a NUL byte, with the field-coded
//! [`AppError`](crate::error::AppError) the form shows next to that field. Services take these
//! values (inside commands), so they never see unchecked text.

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    Empty,
    TooLong,
    Nul,
}

/// Trims `raw` and checks it against `max` characters; `required` refuses empty text.
pub fn check(raw: &str, max: usize, required: bool) -> Result<String, TextProblem> {
    let text = raw.trim();
    if required && text.is_empty() {
        return Err(TextProblem::Empty);
    }
    if text.chars().count() > max {
        return Err(TextProblem::TooLong);
    }
    if text.contains('\0') {
        return Err(TextProblem::Nul);
    }
    Ok(text.to_owned())
}

/// Required text for `field` where no value type is declared (yet): any problem answers `code`.
pub fn required(
    raw: &str,
    max: usize,
    code: crate::error::ErrorCode,
    field: &str,
) -> Result<String, crate::error::AppError> {
    check(raw, max, true).map_err(|_| crate::error::AppError::field(code, field))
}

/// Optional text for `field`: blank is `None`, too long or holding NUL answers `code`.
pub fn optional(
    raw: &str,
    max: usize,
    code: crate::error::ErrorCode,
    field: &str,
) -> Result<Option<String>, crate::error::AppError> {
    check(raw, max, false)
        .map(|t| (!t.is_empty()).then_some(t))
        .map_err(|_| crate::error::AppError::field(code, field))
}

/// Trims `raw` and keeps at most `max` characters, for text from another system (an email, a
/// chat) that must be stored rather than refused. NUL bytes are dropped.
pub fn truncate(raw: &str, max: usize) -> String {
    raw.trim()
        .chars()
        .filter(|c| *c != '\0')
        .take(max)
        .collect()
}

/// Declares a bounded text value: `Name { max: chars, required: bool, code: ErrorCode variant,
/// [too_long: ErrorCode variant,] field: "form field" }`. `parse` reports every problem with
/// `code` (or `too_long` for text over the limit, when given) and the field.
macro_rules! bounded_text {
    ($(#[$meta:meta])* $name:ident { max: $max:expr, required: $required:expr, code: $code:ident $(, too_long: $long:ident)?, field: $field:literal $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Longest accepted text, in characters.
            pub const MAX_CHARS: usize = $max;
            /// The form field the errors name.
            pub const FIELD: &'static str = $field;

            pub fn parse(raw: &str) -> Result<Self, $crate::error::AppError> {
                use $crate::error::{AppError, ErrorCode};
                $crate::kernel::text::check(raw, $max, $required)
                    .map($name)
                    .map_err(|problem| {
                        let code = match problem {
                            $( $crate::kernel::text::TextProblem::TooLong => ErrorCode::$long, )?
                            _ => ErrorCode::$code,
                        };
                        AppError::field(code, $field)
                    })
            }

            /// For text from another system that must be kept: trimmed and cut to the limit;
            /// `None` when nothing is left and the field is required.
            pub fn truncated(raw: &str) -> Option<Self> {
                let text = $crate::kernel::text::truncate(raw, $max);
                (!($required && text.is_empty())).then_some($name(text))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl ::std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub(crate) use bounded_text;

#[cfg(test)]
#[allow(dead_code)] // the test values use only part of what the macro declares
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    bounded_text!(
        /// A test field.
        Label { max: 5, required: true, code: TitleRequired, field: "label" }
    );
    bounded_text!(Note {
        max: 5,
        required: false,
        code: InvalidInput,
        too_long: MessageTooLong,
        field: "note"
    });

    #[test]
    fn refuses_empty_long_and_nul_with_the_fields_code() {
        assert_eq!(
            Label::parse("  abc ").map(|l| l.into_inner()),
            Ok("abc".into())
        );
        assert_eq!(
            Label::parse("ñandú").map(|l| l.len()),
            Ok(7),
            "five characters fit"
        );
        for bad in ["", "   ", "abcdef", "a\0b"] {
            let err = Label::parse(bad).expect_err(bad);
            assert_eq!(err.code, ErrorCode::TitleRequired, "{bad:?}");
            assert_eq!(err.field.as_deref(), Some("label"));
        }
        assert_eq!(Note::parse(" ").map(|n| n.into_inner()), Ok(String::new()));
        let long = Note::parse("abcdef").expect_err("too long");
        assert_eq!(
            (long.code, long.field.as_deref()),
            (ErrorCode::MessageTooLong, Some("note"))
        );
        assert_eq!(
            Note::parse("a\0").map_err(|e| e.code),
            Err(ErrorCode::InvalidInput)
        );
    }

    #[test]
    fn truncation_keeps_what_fits() {
        assert_eq!(
            Label::truncated(" abcdefgh ").map(|l| l.into_inner()),
            Some("abcde".into())
        );
        assert_eq!(
            Label::truncated("a\0b").map(|l| l.into_inner()),
            Some("ab".into())
        );
        assert_eq!(Label::truncated("  "), None);
        assert_eq!(
            Note::truncated("  ").map(|n| n.into_inner()),
            Some(String::new())
        );
        assert_eq!(check("x", 0, false), Err(TextProblem::TooLong));
    }
}
