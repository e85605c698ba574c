//! The one error type that crosses the wire: server functions and the REST API both use it.
//! It carries a stable machine code; the browser and the API translate it for the user.

use crate::domain::PasswordProblem;
use crate::i18n::{td_string, Locale};
use leptos::server_fn;
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// Declares the error codes from one table: each row names the variant, its wire name (which
/// is also its message key in `locales/*.json`) and its HTTP status. Serialization, the REST
/// `code` field and the messages all read this table.
macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:ident, $status:literal; )*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The HTTP status this error answers with.
            pub fn status(self) -> u16 {
                match self {
                    $(ErrorCode::$variant => $status,)*
                }
            }

            /// The stable machine-readable name (`snake_case`), as on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => stringify!($code),)*
                }
            }

            /// The message a person reads, in their language (texts live in `locales/*.json`).
            pub fn message(self, locale: Locale) -> String {
                let text = match self {
                    $(ErrorCode::$variant => td_string!(locale, errors.$code),)*
                };
                text.to_string()
            }
        }
    };
}

error_codes! {
    Unauthenticated = unauthenticated, 401;
    Forbidden = forbidden, 403;
    NotFound = not_found, 404;
    InvalidCredentials = invalid_credentials, 401;
    RateLimited = rate_limited, 429;
    EmailInvalid = email_invalid, 422;
    PasswordTooShort = password_too_short, 422;
    PasswordTooLong = password_too_long, 422;
    PasswordCommon = password_common, 422;
    PasswordWrong = password_wrong, 422;
    NameRequired = name_required, 422;
    EmailTaken = email_taken, 409;
    OrgNameTaken = org_name_taken, 409;
    OrgRequired = org_required, 422;
    OrgNotAllowed = org_not_allowed, 422;
    PlanInvalid = plan_invalid, 422;
    RoleInvalid = role_invalid, 422;
    TokenInvalid = token_invalid, 422;
    InvalidInput = invalid_input, 400;
    SubjectRequired = subject_required, 422;
    BodyRequired = body_required, 422;
    KindInvalid = kind_invalid, 422;
    PriorityInvalid = priority_invalid, 422;
    PriorityNotAllowed = priority_not_allowed, 422;
    OnSiteNotAllowed = on_site_not_allowed, 422;
    StatusInvalid = status_invalid, 422;
    AssigneeInvalid = assignee_invalid, 422;
    DateInvalid = date_invalid, 422;
    QueryInvalid = query_invalid, 400;
    ReceivedInvalid = received_invalid, 400;
    FileEmpty = file_empty, 422;
    FileTooLarge = file_too_large, 413;
    FileTypeNotAllowed = file_type_not_allowed, 422;
    TitleRequired = title_required, 422;
    CategoryInvalid = category_invalid, 422;
    CategoryNameRequired = category_name_required, 422;
    LangInvalid = lang_invalid, 422;
    VisibilityInvalid = visibility_invalid, 422;
    ArticleStatusInvalid = article_status_invalid, 422;
    TranslationInvalid = translation_invalid, 422;
    RevisionConflict = revision_conflict, 409;
    FeedbackGiven = feedback_given, 409;
    CategoryTaken = category_taken, 409;
    MessageTooLong = message_too_long, 422;
    ChatClosed = chat_closed, 409;
    ChatNotYours = chat_not_yours, 403;
    ChatTaken = chat_taken, 409;
    AgentAtCapacity = agent_at_capacity, 409;
    RatingInvalid = rating_invalid, 422;
    AlreadyRated = already_rated, 409;
    TranscriptSent = transcript_sent, 409;
    ShortcutInvalid = shortcut_invalid, 422;
    ShortcutTaken = shortcut_taken, 409;
    OriginRefused = origin_refused, 403;
    DateRangeInvalid = date_range_invalid, 422;
    ProgressInvalid = progress_invalid, 422;
    DependencyInvalid = dependency_invalid, 422;
    ReasonRequired = reason_required, 422;
    ReasonMissing = reason_missing, 422;
    ChannelWindowClosed = channel_window_closed, 409;
    ChannelFileUnsupported = channel_file_unsupported, 422;
    /// An email without a usable sender address, or not an email at all.
    MailInvalid = mail_invalid, 422;
    PhoneInvalid = phone_invalid, 422;
    PackageUnknown = package_unknown, 422;
    PackageInvalid = package_invalid, 422;
    BankRequired = bank_required, 422;
    HolderRequired = holder_required, 422;
    IbanInvalid = iban_invalid, 422;
    SinpeInvalid = sinpe_invalid, 422;
    MethodUnavailable = method_unavailable, 422;
    PurchaseNotAllowed = purchase_not_allowed, 403;
    OrderNotPending = order_not_pending, 409;
    OrderNotPaid = order_not_paid, 409;
    PaymentUnavailable = payment_unavailable, 502;
    MinutesInvalid = minutes_invalid, 422;
    RiskInvalid = risk_invalid, 422;
    BalanceShort = balance_short, 409;
    OverEstimate = over_estimate, 409;
    ChangeStateInvalid = change_state_invalid, 409;
    ReopenExpired = reopen_expired, 409;
    DateOutOfRange = date_out_of_range, 422;
    CodeInvalid = code_invalid, 422;
    PhoneNotPending = phone_not_pending, 409;
    ContactNotPending = contact_not_pending, 409;
    AlreadyExists = already_exists, 409;
    Csrf = csrf, 403;
    Internal = internal, 500;
    Network = network, 500;
}

impl ErrorCode {
    /// The code with this wire name.
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == name)
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        ErrorCode::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown error code {name}")))
    }
}

/// An error with its code and, for validation errors, the form field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}", code.as_str())]
pub struct AppError {
    pub code: ErrorCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl AppError {
    pub fn new(code: ErrorCode) -> Self {
        AppError { code, field: None }
    }

    pub fn field(code: ErrorCode, field: &str) -> Self {
        AppError {
            code,
            field: Some(field.to_owned()),
        }
    }

    pub fn status(&self) -> u16 {
        self.code.status()
    }
}

impl From<ErrorCode> for AppError {
    fn from(code: ErrorCode) -> Self {
        AppError::new(code)
    }
}

impl From<PasswordProblem> for ErrorCode {
    fn from(problem: PasswordProblem) -> Self {
        match problem {
            PasswordProblem::TooShort => ErrorCode::PasswordTooShort,
            PasswordProblem::TooLong => ErrorCode::PasswordTooLong,
            PasswordProblem::TooCommon => ErrorCode::PasswordCommon,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => {
                AppError::new(ErrorCode::Network)
            }
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::new(ErrorCode::InvalidInput)
            }
            _ => AppError::new(ErrorCode::Internal),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_http_semantics() {
        assert_eq!(ErrorCode::Unauthenticated.status(), 401);
        assert_eq!(ErrorCode::Forbidden.status(), 403);
        assert_eq!(ErrorCode::EmailTaken.status(), 409);
        assert_eq!(ErrorCode::PasswordTooShort.status(), 422);
        assert_eq!(ErrorCode::InvalidInput.status(), 400);
    }

    #[test]
    fn messages_exist_in_both_languages() {
        let es = ErrorCode::InvalidCredentials.message(Locale::es);
        let en = ErrorCode::InvalidCredentials.message(Locale::en);
        assert_eq!(es, "Correo o contraseña incorrectos.");
        assert_eq!(en, "Wrong email or password.");
    }

    #[test]
    fn every_code_round_trips_through_its_wire_name() {
        for &code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let back: Option<ErrorCode> = serde_json::from_str(&json).ok();
            assert_eq!(back, Some(code));
            assert!(!code.message(Locale::es).is_empty());
            assert!(!code.message(Locale::en).is_empty());
        }
        assert!(serde_json::from_str::<ErrorCode>("\"no_such_code\"").is_err());
    }
}
