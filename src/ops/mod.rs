//! Operator tools behind `dropspace admin`: consistency checks and backups.

pub mod backup;
pub mod fsck;
