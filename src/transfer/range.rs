//! `Range` and `If-Range` for downloads: the parsing lives in
//! `dropspace-proto` (fuzzed there, see docs/fuzzing.md).

pub use dropspace_proto::range::{if_range_matches, parse, Ask};
