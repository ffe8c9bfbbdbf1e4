//! Exit codes shared by every command.

/// Every row was fine.
pub const OK: u8 = 0;
/// The run completed, but some rows were rejected or failed.
pub const ROWS_REJECTED: u8 = 1;
/// Usage or configuration error.
pub const USAGE: u8 = 2;
/// Fatal error: unreadable input, I/O.
pub const FATAL: u8 = 3;
/// Stopped early, but the run can be resumed.
pub const RESUMABLE: u8 = 4;
