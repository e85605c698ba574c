//! What every capability uses and none owns: the clock services read the time from, the
//! errors of the storage traits, and the outbox mail leaves by.

pub mod clock;
pub mod outbox;
pub mod store_error;
pub mod text;

pub use clock::{Clock, ManualClock};
pub use outbox::{NewMail, OutboxStore};
pub use store_error::{internal, Conflict, StoreError, StoreResult};
