//! Shared building blocks: the signed-in user, the page layout, loading and error states.

mod layout;
mod states;
mod user;

pub use layout::Layout;
pub use states::{ErrorNotice, FormError, Loading, Notice};
pub use user::{use_session_epoch, use_user, Authorized, UserProvider};
