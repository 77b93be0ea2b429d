//! The clinic's staff as users of the app: who they are, what their role lets them do, and
//! how long a sign-in lasts. Passwords and session tokens are hashed outside the domain.

mod invite;
mod role;
mod session;
pub mod totp;
mod user;

pub use invite::{INVITE_VALID_FOR, Invite};
pub use role::{Permission, Role, RoleError};
pub use session::{SessionPolicy, SessionRecord, SessionState};
pub use user::{
    MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS, NewUser, SecondFactor, User, UserError, check_password,
};
