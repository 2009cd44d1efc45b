//! The library: logic shared by files, folders and address book methods and
//! their pages (download limits and their actions, deleting files, mail).

use crate::state::App;

/// Background jobs of the library (the time-limit sweeper).
pub fn spawn_background(_app: &App) {}
