//! The one error type that crosses the wire: server functions and the REST API both use it.
//! It carries a stable machine code; the browser and the API translate it for the user.

use crate::domain::PasswordProblem;
use crate::i18n::{td_string, Locale};
use leptos::server_fn;
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    InvalidCredentials,
    RateLimited,
    EmailInvalid,
    PasswordTooShort,
    PasswordTooLong,
    PasswordCommon,
    PasswordWrong,
    NameRequired,
    EmailTaken,
    OrgNameTaken,
    OrgRequired,
    OrgNotAllowed,
    PlanInvalid,
    RoleInvalid,
    TokenInvalid,
    InvalidInput,
    SubjectRequired,
    BodyRequired,
    KindInvalid,
    PriorityInvalid,
    PriorityNotAllowed,
    OnSiteNotAllowed,
    StatusInvalid,
    AssigneeInvalid,
    DateInvalid,
    QueryInvalid,
    FileEmpty,
    FileTooLarge,
    FileTypeNotAllowed,
    TitleRequired,
    CategoryInvalid,
    CategoryNameRequired,
    LangInvalid,
    VisibilityInvalid,
    ArticleStatusInvalid,
    TranslationInvalid,
    RevisionConflict,
    FeedbackGiven,
    CategoryTaken,
    MessageTooLong,
    ChatClosed,
    ChatNotYours,
    ChatTaken,
    AgentAtCapacity,
    RatingInvalid,
    AlreadyRated,
    TranscriptSent,
    ShortcutInvalid,
    ShortcutTaken,
    OriginRefused,
    DateRangeInvalid,
    ProgressInvalid,
    DependencyInvalid,
    ReasonRequired,
    ReasonMissing,
    ChannelWindowClosed,
    ChannelFileUnsupported,
    /// An email without a usable sender address, or not an email at all.
    MailInvalid,
    PhoneInvalid,
    PackageUnknown,
    PackageInvalid,
    MethodUnavailable,
    PurchaseNotAllowed,
    OrderNotPending,
    OrderNotPaid,
    PaymentUnavailable,
    MinutesInvalid,
    RiskInvalid,
    BalanceShort,
    OverEstimate,
    ChangeStateInvalid,
    ReopenExpired,
    DateOutOfRange,
    CodeInvalid,
    PhoneNotPending,
    ContactNotPending,
    Csrf,
    Internal,
    Network,
}

impl ErrorCode {
    /// The HTTP status this error answers with.
    pub fn status(self) -> u16 {
        use ErrorCode::*;
        match self {
            Unauthenticated | InvalidCredentials => 401,
            Forbidden | Csrf | ChatNotYours | OriginRefused | PurchaseNotAllowed => 403,
            NotFound => 404,
            EmailTaken | OrgNameTaken | RevisionConflict | FeedbackGiven | CategoryTaken
            | ChatClosed | ChatTaken | AgentAtCapacity | AlreadyRated | TranscriptSent
            | ShortcutTaken | OrderNotPending | OrderNotPaid | BalanceShort | OverEstimate
            | ChangeStateInvalid | ReopenExpired | ChannelWindowClosed | PhoneNotPending
            | ContactNotPending => 409,
            RateLimited => 429,
            InvalidInput | QueryInvalid => 400,
            Internal | Network => 500,
            EmailInvalid
            | PasswordTooShort
            | PasswordTooLong
            | PasswordCommon
            | PasswordWrong
            | NameRequired
            | OrgRequired
            | OrgNotAllowed
            | PlanInvalid
            | RoleInvalid
            | TokenInvalid
            | SubjectRequired
            | BodyRequired
            | KindInvalid
            | PriorityInvalid
            | PriorityNotAllowed
            | OnSiteNotAllowed
            | StatusInvalid
            | AssigneeInvalid
            | DateInvalid
            | FileEmpty
            | FileTypeNotAllowed
            | TitleRequired
            | CategoryInvalid
            | CategoryNameRequired
            | LangInvalid
            | VisibilityInvalid
            | ArticleStatusInvalid
            | TranslationInvalid
            | MessageTooLong
            | RatingInvalid
            | ShortcutInvalid
            | DateRangeInvalid
            | ProgressInvalid
            | DependencyInvalid
            | ReasonRequired
            | ReasonMissing
            | PackageUnknown
            | PackageInvalid
            | MethodUnavailable
            | MinutesInvalid
            | RiskInvalid
            | ChannelFileUnsupported
            | MailInvalid
            | PhoneInvalid
            | DateOutOfRange
            | CodeInvalid => 422,
            PaymentUnavailable => 502,
            FileTooLarge => 413,
        }
    }

    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            Unauthenticated => "unauthenticated",
            Forbidden => "forbidden",
            NotFound => "not_found",
            InvalidCredentials => "invalid_credentials",
            RateLimited => "rate_limited",
            EmailInvalid => "email_invalid",
            PasswordTooShort => "password_too_short",
            PasswordTooLong => "password_too_long",
            PasswordCommon => "password_common",
            PasswordWrong => "password_wrong",
            NameRequired => "name_required",
            EmailTaken => "email_taken",
            OrgNameTaken => "org_name_taken",
            OrgRequired => "org_required",
            OrgNotAllowed => "org_not_allowed",
            PlanInvalid => "plan_invalid",
            RoleInvalid => "role_invalid",
            TokenInvalid => "token_invalid",
            InvalidInput => "invalid_input",
            SubjectRequired => "subject_required",
            BodyRequired => "body_required",
            KindInvalid => "kind_invalid",
            PriorityInvalid => "priority_invalid",
            PriorityNotAllowed => "priority_not_allowed",
            OnSiteNotAllowed => "on_site_not_allowed",
            StatusInvalid => "status_invalid",
            AssigneeInvalid => "assignee_invalid",
            DateInvalid => "date_invalid",
            QueryInvalid => "query_invalid",
            FileEmpty => "file_empty",
            FileTooLarge => "file_too_large",
            FileTypeNotAllowed => "file_type_not_allowed",
            TitleRequired => "title_required",
            CategoryInvalid => "category_invalid",
            CategoryNameRequired => "category_name_required",
            LangInvalid => "lang_invalid",
            VisibilityInvalid => "visibility_invalid",
            ArticleStatusInvalid => "article_status_invalid",
            TranslationInvalid => "translation_invalid",
            RevisionConflict => "revision_conflict",
            FeedbackGiven => "feedback_given",
            CategoryTaken => "category_taken",
            MessageTooLong => "message_too_long",
            ChatClosed => "chat_closed",
            ChatNotYours => "chat_not_yours",
            ChatTaken => "chat_taken",
            AgentAtCapacity => "agent_at_capacity",
            RatingInvalid => "rating_invalid",
            AlreadyRated => "already_rated",
            TranscriptSent => "transcript_sent",
            ShortcutInvalid => "shortcut_invalid",
            ShortcutTaken => "shortcut_taken",
            OriginRefused => "origin_refused",
            DateRangeInvalid => "date_range_invalid",
            ProgressInvalid => "progress_invalid",
            DependencyInvalid => "dependency_invalid",
            ReasonRequired => "reason_required",
            ReasonMissing => "reason_missing",
            ChannelWindowClosed => "channel_window_closed",
            ChannelFileUnsupported => "channel_file_unsupported",
            MailInvalid => "mail_invalid",
            PhoneInvalid => "phone_invalid",
            PackageUnknown => "package_unknown",
            PackageInvalid => "package_invalid",
            MethodUnavailable => "method_unavailable",
            PurchaseNotAllowed => "purchase_not_allowed",
            OrderNotPending => "order_not_pending",
            OrderNotPaid => "order_not_paid",
            PaymentUnavailable => "payment_unavailable",
            MinutesInvalid => "minutes_invalid",
            RiskInvalid => "risk_invalid",
            BalanceShort => "balance_short",
            OverEstimate => "over_estimate",
            ChangeStateInvalid => "change_state_invalid",
            ReopenExpired => "reopen_expired",
            DateOutOfRange => "date_out_of_range",
            CodeInvalid => "code_invalid",
            PhoneNotPending => "phone_not_pending",
            ContactNotPending => "contact_not_pending",

            Csrf => "csrf",
            Internal => "internal",
            Network => "network",
        }
    }

    /// The message a person reads, in their language (texts live in `locales/*.json`).
    pub fn message(self, locale: Locale) -> String {
        use ErrorCode::*;
        let text = match self {
            Unauthenticated => td_string!(locale, errors.unauthenticated),
            Forbidden => td_string!(locale, errors.forbidden),
            NotFound => td_string!(locale, errors.not_found),
            InvalidCredentials => td_string!(locale, errors.invalid_credentials),
            RateLimited => td_string!(locale, errors.rate_limited),
            EmailInvalid => td_string!(locale, errors.email_invalid),
            PasswordTooShort => td_string!(locale, errors.password_too_short),
            PasswordTooLong => td_string!(locale, errors.password_too_long),
            PasswordCommon => td_string!(locale, errors.password_common),
            PasswordWrong => td_string!(locale, errors.password_wrong),
            NameRequired => td_string!(locale, errors.name_required),
            EmailTaken => td_string!(locale, errors.email_taken),
            OrgNameTaken => td_string!(locale, errors.org_name_taken),
            OrgRequired => td_string!(locale, errors.org_required),
            OrgNotAllowed => td_string!(locale, errors.org_not_allowed),
            PlanInvalid => td_string!(locale, errors.plan_invalid),
            RoleInvalid => td_string!(locale, errors.role_invalid),
            TokenInvalid => td_string!(locale, errors.token_invalid),
            InvalidInput => td_string!(locale, errors.invalid_input),
            SubjectRequired => td_string!(locale, errors.subject_required),
            BodyRequired => td_string!(locale, errors.body_required),
            KindInvalid => td_string!(locale, errors.kind_invalid),
            PriorityInvalid => td_string!(locale, errors.priority_invalid),
            PriorityNotAllowed => td_string!(locale, errors.priority_not_allowed),
            OnSiteNotAllowed => td_string!(locale, errors.on_site_not_allowed),
            StatusInvalid => td_string!(locale, errors.status_invalid),
            AssigneeInvalid => td_string!(locale, errors.assignee_invalid),
            DateInvalid => td_string!(locale, errors.date_invalid),
            QueryInvalid => td_string!(locale, errors.query_invalid),
            FileEmpty => td_string!(locale, errors.file_empty),
            FileTooLarge => td_string!(locale, errors.file_too_large),
            FileTypeNotAllowed => td_string!(locale, errors.file_type_not_allowed),
            TitleRequired => td_string!(locale, errors.title_required),
            CategoryInvalid => td_string!(locale, errors.category_invalid),
            CategoryNameRequired => td_string!(locale, errors.category_name_required),
            LangInvalid => td_string!(locale, errors.lang_invalid),
            VisibilityInvalid => td_string!(locale, errors.visibility_invalid),
            ArticleStatusInvalid => td_string!(locale, errors.article_status_invalid),
            TranslationInvalid => td_string!(locale, errors.translation_invalid),
            RevisionConflict => td_string!(locale, errors.revision_conflict),
            FeedbackGiven => td_string!(locale, errors.feedback_given),
            CategoryTaken => td_string!(locale, errors.category_taken),
            MessageTooLong => td_string!(locale, errors.message_too_long),
            ChatClosed => td_string!(locale, errors.chat_closed),
            ChatNotYours => td_string!(locale, errors.chat_not_yours),
            ChatTaken => td_string!(locale, errors.chat_taken),
            AgentAtCapacity => td_string!(locale, errors.agent_at_capacity),
            RatingInvalid => td_string!(locale, errors.rating_invalid),
            AlreadyRated => td_string!(locale, errors.already_rated),
            TranscriptSent => td_string!(locale, errors.transcript_sent),
            ShortcutInvalid => td_string!(locale, errors.shortcut_invalid),
            ShortcutTaken => td_string!(locale, errors.shortcut_taken),
            OriginRefused => td_string!(locale, errors.origin_refused),
            DateRangeInvalid => td_string!(locale, errors.date_range_invalid),
            ProgressInvalid => td_string!(locale, errors.progress_invalid),
            DependencyInvalid => td_string!(locale, errors.dependency_invalid),
            ReasonRequired => td_string!(locale, errors.reason_required),
            ReasonMissing => td_string!(locale, errors.reason_missing),
            ChannelWindowClosed => td_string!(locale, errors.channel_window_closed),
            ChannelFileUnsupported => td_string!(locale, errors.channel_file_unsupported),
            MailInvalid => td_string!(locale, errors.mail_invalid),
            PhoneInvalid => td_string!(locale, errors.phone_invalid),
            PackageUnknown => td_string!(locale, errors.package_unknown),
            PackageInvalid => td_string!(locale, errors.package_invalid),
            MethodUnavailable => td_string!(locale, errors.method_unavailable),
            PurchaseNotAllowed => td_string!(locale, errors.purchase_not_allowed),
            OrderNotPending => td_string!(locale, errors.order_not_pending),
            OrderNotPaid => td_string!(locale, errors.order_not_paid),
            PaymentUnavailable => td_string!(locale, errors.payment_unavailable),
            MinutesInvalid => td_string!(locale, errors.minutes_invalid),
            RiskInvalid => td_string!(locale, errors.risk_invalid),
            BalanceShort => td_string!(locale, errors.balance_short),
            OverEstimate => td_string!(locale, errors.over_estimate),
            ChangeStateInvalid => td_string!(locale, errors.change_state_invalid),
            ReopenExpired => td_string!(locale, errors.reopen_expired),
            DateOutOfRange => td_string!(locale, errors.date_out_of_range),
            CodeInvalid => td_string!(locale, errors.code_invalid),
            PhoneNotPending => td_string!(locale, errors.phone_not_pending),
            ContactNotPending => td_string!(locale, errors.contact_not_pending),

            Csrf => td_string!(locale, errors.csrf),
            Internal => td_string!(locale, errors.internal),
            Network => td_string!(locale, errors.network),
        };
        text.to_string()
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
    fn code_text_matches_serde() {
        let json = serde_json::to_string(&ErrorCode::OrgNameTaken).unwrap_or_default();
        assert_eq!(json, format!("\"{}\"", ErrorCode::OrgNameTaken.as_str()));
    }
}
