//! Account pages: sign-in, password recovery, my account, administration.

mod account;
mod admin;
mod login;
mod password;

pub use account::{AccountPage, MyOrgPage};
pub use admin::{OrgsPage, OutboxPage, UsersPage};
pub use login::LoginPage;
pub use password::{ConfirmAddressPage, ForgotPage, ResetPage};
