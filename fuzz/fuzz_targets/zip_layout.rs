//! The zip layout of `dropspace_proto::zip` for arbitrary names and sizes.
//! Input lines: one entry each, `size name` (a size that does not parse is
//! the line's length); the names go through `safe_names` first.
#![no_main]

use dropspace_proto::zip::{safe_names, Entry, Layout, Piece};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines: Vec<&str> = text.split('\n').take(64).collect();
    let names = safe_names(lines.iter().map(|l| l.split_once(' ').map_or(*l, |(_, n)| n)));
    let mut entries = Vec::new();
    for (line, name) in lines.iter().zip(&names) {
        // Every part is a plain name: extraction stays inside its folder.
        for part in name.split('/') {
            assert!(!part.is_empty() && part != "." && part != "..", "{name:?}");
            assert!(part.len() <= 255);
            assert!(!part.chars().any(|c| c.is_control() || c == '\\'), "{name:?}");
        }
        let size = line
            .split_once(' ')
            .and_then(|(n, _)| n.parse::<u64>().ok())
            .unwrap_or(line.len() as u64)
            // Sizes past 4 GiB reach the ZIP64 fields.
            .min(1 << 40);
        entries.push(Entry {
            name: name.clone(),
            size,
            crc32: size as u32,
            modified: size as i64 - 1_000_000,
        });
    }
    // Names are unique ignoring case.
    let mut lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    lower.sort();
    lower.dedup();
    assert_eq!(lower.len(), names.len());

    let layout = Layout::new(&entries);
    let total: u64 = layout
        .pieces(0..layout.len())
        .iter()
        .map(|p| match p {
            Piece::Meta(b) => b.len() as u64,
            Piece::Content { range, .. } => range.end - range.start,
        })
        .sum();
    assert_eq!(total, layout.len());
    // Any cut: the two halves' pieces cover exactly the archive.
    let cut = (data.len() as u64 * 7919) % (layout.len() + 1);
    let len = |r: std::ops::Range<u64>| -> u64 {
        layout
            .pieces(r)
            .iter()
            .map(|p| match p {
                Piece::Meta(b) => b.len() as u64,
                Piece::Content { entry, range } => {
                    assert!(range.end <= entries[*entry].size);
                    range.end - range.start
                }
            })
            .sum()
    };
    assert_eq!(len(0..cut) + len(cut..layout.len()), layout.len());
});
