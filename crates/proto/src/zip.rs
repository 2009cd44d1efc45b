//! A stored (uncompressed) ZIP archive laid out before its first byte is
//! sent. Every header follows from the entries' names, sizes, CRC-32s and
//! dates, so the archive's length is exact up front and any byte range of
//! it maps to header bytes and ranges of the files' contents: a zip
//! download can resume (docs/zip.md). ZIP64 fields appear only where a
//! size or offset needs them; names are UTF-8 (flag bit 11).

use std::ops::Range;

/// One file of the archive; `name` may hold `/` between folders (made
/// safe by `safe_names` first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub size: u64,
    pub crc32: u32,
    /// Unix seconds, UTC.
    pub modified: i64,
}

/// A run of the archive's bytes: its own (headers, the directory) or a
/// range of an entry's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Meta(&'a [u8]),
    Content { entry: usize, range: Range<u64> },
}

#[derive(Debug)]
enum Kind {
    Meta(Vec<u8>),
    Content { entry: usize, len: u64 },
}

impl Kind {
    fn len(&self) -> u64 {
        match self {
            Kind::Meta(b) => b.len() as u64,
            Kind::Content { len, .. } => *len,
        }
    }
}

/// The archive as segments in order, each with its first byte's offset.
#[derive(Debug)]
pub struct Layout {
    segments: Vec<(u64, Kind)>,
    len: u64,
}

const LOCAL: u32 = 0x0403_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const END: u32 = 0x0605_4b50;
const END64: u32 = 0x0606_4b50;
const LOCATOR64: u32 = 0x0706_4b50;
const MAX32: u64 = 0xFFFF_FFFF;
const MAX16: u64 = 0xFFFF;
/// General purpose flags: bit 11, the name is UTF-8.
const UTF8: u16 = 1 << 11;
/// Made by: Unix (3), spec 4.5 — so the external attributes are a mode.
const MADE_BY: u16 = (3 << 8) | 45;
/// A regular file, rw-r--r--.
const FILE_MODE: u32 = 0o100_644 << 16;

struct Out(Vec<u8>);

impl Out {
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }
}

/// `v` as a 32-bit field: itself, or the ZIP64 marker.
fn field32(v: u64) -> u32 {
    u32::try_from(v)
        .ok()
        .filter(|&v| v != u32::MAX)
        .unwrap_or(u32::MAX)
}

/// The extended timestamp extra field (0x5455): the modification time in
/// Unix seconds, which DOS times (local, two-second steps) cannot hold.
fn timestamp_extra(out: &mut Out, modified: i64) {
    out.u16(0x5455);
    out.u16(5);
    out.bytes(&[1]);
    out.u32(modified.clamp(0, i64::from(u32::MAX)) as u32);
}

impl Layout {
    pub fn new(entries: &[Entry]) -> Layout {
        let mut segments = Vec::with_capacity(entries.len() * 2 + 1);
        let mut offset: u64 = 0;
        let mut central = Out(Vec::new());
        for (i, e) in entries.iter().enumerate() {
            let (time, date) = dos_time(e.modified);
            let name = e.name.as_bytes();
            let big = e.size >= MAX32;
            let far = offset >= MAX32;
            let needed: u16 = if big || far { 45 } else { 20 };

            let mut local = Out(Vec::with_capacity(30 + name.len() + 29));
            local.u32(LOCAL);
            local.u16(needed);
            local.u16(UTF8);
            local.u16(0); // stored
            local.u16(time);
            local.u16(date);
            local.u32(e.crc32);
            local.u32(field32(e.size));
            local.u32(field32(e.size));
            local.u16(name.len() as u16);
            local.u16(if big { 20 + 9 } else { 9 });
            local.bytes(name);
            if big {
                local.u16(0x0001);
                local.u16(16);
                local.u64(e.size);
                local.u64(e.size);
            }
            timestamp_extra(&mut local, e.modified);

            // The directory's ZIP64 field holds only what overflowed, in
            // the order sizes then offset.
            let mut zip64 = Out(Vec::new());
            if big {
                zip64.u64(e.size);
                zip64.u64(e.size);
            }
            if far {
                zip64.u64(offset);
            }
            let extra_len = 9 + if zip64.0.is_empty() {
                0
            } else {
                4 + zip64.0.len()
            };
            central.u32(CENTRAL);
            central.u16(MADE_BY);
            central.u16(needed);
            central.u16(UTF8);
            central.u16(0);
            central.u16(time);
            central.u16(date);
            central.u32(e.crc32);
            central.u32(field32(e.size));
            central.u32(field32(e.size));
            central.u16(name.len() as u16);
            central.u16(extra_len as u16);
            central.u16(0); // comment
            central.u16(0); // disk
            central.u16(0); // internal attributes
            central.u32(FILE_MODE);
            central.u32(field32(offset));
            central.bytes(name);
            if !zip64.0.is_empty() {
                central.u16(0x0001);
                central.u16(zip64.0.len() as u16);
                central.bytes(&zip64.0);
            }
            timestamp_extra(&mut central, e.modified);

            let local_len = local.0.len() as u64;
            segments.push((offset, Kind::Meta(local.0)));
            offset += local_len;
            if e.size > 0 {
                segments.push((
                    offset,
                    Kind::Content {
                        entry: i,
                        len: e.size,
                    },
                ));
                offset += e.size;
            }
        }
        let directory_at = offset;
        let directory_len = central.0.len() as u64;
        let count = entries.len() as u64;
        let mut tail = central;
        if count >= MAX16 || directory_len >= MAX32 || directory_at >= MAX32 {
            let end64_at = directory_at + directory_len;
            tail.u32(END64);
            tail.u64(44);
            tail.u16(MADE_BY);
            tail.u16(45);
            tail.u32(0);
            tail.u32(0);
            tail.u64(count);
            tail.u64(count);
            tail.u64(directory_len);
            tail.u64(directory_at);
            tail.u32(LOCATOR64);
            tail.u32(0);
            tail.u64(end64_at);
            tail.u32(1);
        }
        tail.u32(END);
        tail.u16(0);
        tail.u16(0);
        let count16 = count.min(MAX16) as u16;
        tail.u16(count16);
        tail.u16(count16);
        tail.u32(field32(directory_len));
        tail.u32(field32(directory_at));
        tail.u16(0);
        let tail_len = tail.0.len() as u64;
        segments.push((offset, Kind::Meta(tail.0)));
        Layout {
            segments,
            len: offset + tail_len,
        }
    }

    /// The archive's exact length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The pieces that make up `range` of the archive, in order (clipped
    /// to the archive).
    pub fn pieces(&self, range: Range<u64>) -> Vec<Piece<'_>> {
        let end = range.end.min(self.len);
        let mut out = Vec::new();
        if range.start >= end {
            return out;
        }
        // The segment holding the first byte.
        let first = self
            .segments
            .partition_point(|(start, _)| *start <= range.start)
            .saturating_sub(1);
        for (start, kind) in &self.segments[first..] {
            if *start >= end {
                break;
            }
            let from = range.start.max(*start) - start;
            let to = (end - start).min(kind.len());
            if from >= to {
                continue;
            }
            out.push(match kind {
                Kind::Meta(bytes) => Piece::Meta(&bytes[from as usize..to as usize]),
                Kind::Content { entry, .. } => Piece::Content {
                    entry: *entry,
                    range: from..to,
                },
            });
        }
        out
    }
}

/// Unix seconds as an MS-DOS (time, date) in UTC, clamped to 1980–2107.
fn dos_time(unix: i64) -> (u16, u16) {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if year < 1980 {
        return (0, (1 << 5) | 1);
    }
    if year > 2107 {
        return ((23 << 11) | (59 << 5) | 29, (127 << 9) | (12 << 5) | 31);
    }
    let time = ((secs / 3600) << 11) | (((secs / 60) % 60) << 5) | ((secs % 60) / 2);
    let date = ((year - 1980) << 9) | (month << 5) | day;
    (time as u16, date as u16)
}

/// Names that are safe to extract, in the same order: each `/`-separated
/// part loses `.`/`..` and empty parts, control characters, `\` and the
/// characters Windows refuses become `_`, a part is cut to 255 bytes, and
/// a name that repeats another (ignoring case) gets " (2)", " (3)"…
/// before its extension.
pub fn safe_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut taken = std::collections::HashSet::new();
    let mut out = Vec::new();
    for name in names {
        let parts: Vec<String> = name
            .split('/')
            .filter(|p| !p.is_empty() && *p != "." && *p != "..")
            .map(safe_part)
            .filter(|p| !p.is_empty())
            .collect();
        let clean = if parts.is_empty() {
            "file".to_string()
        } else {
            parts.join("/")
        };
        let mut candidate = clean.clone();
        let mut n = 2;
        while !taken.insert(candidate.to_lowercase()) {
            candidate = numbered(&clean, n);
            n += 1;
        }
        out.push(candidate);
    }
    out
}

fn safe_part(part: &str) -> String {
    let mut s: String = part
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    // Windows drops trailing dots and spaces; ".." made of them would be back.
    while s.ends_with(['.', ' ']) {
        s.pop();
    }
    let mut cut = s.len().min(255);
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    s
}

/// `dir/name (n).ext`
fn numbered(name: &str, n: u32) -> String {
    let (dir, base) = match name.rfind('/') {
        Some(i) => (&name[..=i], &name[i + 1..]),
        None => ("", name),
    };
    match base.rfind('.').filter(|&i| i > 0) {
        Some(i) => format!("{dir}{} ({n}){}", &base[..i], &base[i..]),
        None => format!("{dir}{base} ({n})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crc(bytes: &[u8]) -> u32 {
        let mut h = crc32fast::Hasher::new();
        h.update(bytes);
        h.finalize()
    }

    fn entry(name: &str, bytes: &[u8]) -> Entry {
        Entry {
            name: name.into(),
            size: bytes.len() as u64,
            crc32: crc(bytes),
            modified: 1_764_800_000,
        }
    }

    /// The archive's bytes in `range`, contents taken from `files`.
    fn bytes(layout: &Layout, files: &[&[u8]], range: Range<u64>) -> Vec<u8> {
        let mut out = Vec::new();
        for piece in layout.pieces(range) {
            match piece {
                Piece::Meta(b) => out.extend_from_slice(b),
                Piece::Content { entry, range } => {
                    out.extend_from_slice(&files[entry][range.start as usize..range.end as usize])
                }
            }
        }
        out
    }

    #[test]
    fn a_small_archive_reads_back_with_its_names_dates_and_bytes() {
        let files: [&[u8]; 3] = [b"hello\n", b"", &[7u8; 70_000]];
        let entries = [
            entry("a.txt", files[0]),
            entry("folder/empty", files[1]),
            entry("folder/Grüße.bin", files[2]),
        ];
        let layout = Layout::new(&entries);
        let all = bytes(&layout, &files, 0..layout.len());
        assert_eq!(all.len() as u64, layout.len());
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(all.clone())).expect("zip");
        assert_eq!(zip.len(), 3);
        for (i, e) in entries.iter().enumerate() {
            let mut f = zip.by_index(i).expect("entry");
            assert_eq!(f.name(), e.name);
            assert_eq!(f.compression(), zip::CompressionMethod::Stored);
            let mut got = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut got).expect("read (checks the CRC)");
            assert_eq!(got, files[i]);
            assert_eq!(f.unix_mode(), Some(0o100_644));
            let t = f.last_modified().expect("date");
            // 2025-12-03 22:13:20 UTC
            assert_eq!((t.year(), t.month(), t.day()), (2025, 12, 3));
            assert_eq!((t.hour(), t.minute(), t.second()), (22, 13, 20));
        }
        // Any range is the same bytes as the slice of the whole.
        for (a, b) in [
            (0, 1),
            (3, 40),
            (29, 31),
            (50, 70_100),
            (70_050, layout.len()),
        ] {
            assert_eq!(bytes(&layout, &files, a..b), all[a as usize..b as usize]);
        }
        assert!(layout.pieces(layout.len()..layout.len() + 5).is_empty());
    }

    #[test]
    fn every_cut_of_an_archive_joins_back_to_it() {
        let files: [&[u8]; 2] = [b"abc", b"defghij"];
        let layout = Layout::new(&[entry("x", files[0]), entry("y/z", files[1])]);
        let all = bytes(&layout, &files, 0..layout.len());
        for cut in 0..=layout.len() {
            let mut joined = bytes(&layout, &files, 0..cut);
            joined.extend(bytes(&layout, &files, cut..layout.len()));
            assert_eq!(joined, all, "cut at {cut}");
        }
    }

    #[test]
    fn files_over_4_gib_get_zip64_fields() {
        let big = 5u64 << 30;
        let entries = [
            Entry {
                name: "big.img".into(),
                size: big,
                crc32: 0x1234_5678,
                modified: 0,
            },
            entry("after.txt", b"after"),
        ];
        let layout = Layout::new(&entries);
        // Read the directory without the 5 GiB: the content is never asked.
        let head = 30 + 7 + 20 + 9;
        let tail_start = head + big;
        assert_eq!(
            layout.pieces(head..tail_start),
            vec![Piece::Content {
                entry: 0,
                range: 0..big
            }]
        );
        let tail: Vec<u8> = layout
            .pieces(tail_start..layout.len())
            .into_iter()
            .flat_map(|p| match p {
                Piece::Meta(b) => b.to_vec(),
                Piece::Content { .. } => b"after".to_vec(),
            })
            .collect();
        // A reader that seeks: zeros stand in for the big file's content.
        let reader = Sparse {
            head: bytes(&layout, &[&[], b""], 0..head),
            gap: big,
            tail,
            pos: 0,
        };
        let mut zip = zip::ZipArchive::new(reader).expect("zip64 archive");
        assert_eq!(zip.len(), 2);
        assert_eq!(zip.by_index(0).expect("big").size(), big);
        let mut after = zip.by_index(1).expect("after");
        assert!(after.data_start() > big);
        let mut got = String::new();
        std::io::Read::read_to_string(&mut after, &mut got).expect("read");
        assert_eq!(got, "after");
    }

    /// `head`, then `gap` zero bytes, then `tail`, seekable.
    struct Sparse {
        head: Vec<u8>,
        gap: u64,
        tail: Vec<u8>,
        pos: u64,
    }

    impl std::io::Read for Sparse {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let head = self.head.len() as u64;
            let n = if self.pos < head {
                let src = &self.head[self.pos as usize..];
                let n = src.len().min(buf.len());
                buf[..n].copy_from_slice(&src[..n]);
                n
            } else if self.pos < head + self.gap {
                let n = ((head + self.gap - self.pos) as usize).min(buf.len());
                buf[..n].fill(0);
                n
            } else {
                let at = (self.pos - head - self.gap) as usize;
                let src = self.tail.get(at..).unwrap_or_default();
                let n = src.len().min(buf.len());
                buf[..n].copy_from_slice(&src[..n]);
                n
            };
            self.pos += n as u64;
            Ok(n)
        }
    }

    impl std::io::Seek for Sparse {
        fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
            let len = self.head.len() as u64 + self.gap + self.tail.len() as u64;
            self.pos = match to {
                std::io::SeekFrom::Start(p) => p,
                std::io::SeekFrom::End(d) => len.saturating_add_signed(d),
                std::io::SeekFrom::Current(d) => self.pos.saturating_add_signed(d),
            };
            Ok(self.pos)
        }
    }

    #[test]
    fn more_than_65535_entries_get_a_zip64_end() {
        let n = 70_000;
        let entries: Vec<Entry> = (0..n).map(|i| entry(&format!("{i}"), b"")).collect();
        let layout = Layout::new(&entries);
        let all = bytes(&layout, &[], 0..layout.len());
        let zip = zip::ZipArchive::new(std::io::Cursor::new(all)).expect("zip");
        assert_eq!(zip.len(), n);
    }

    #[test]
    fn names_are_made_safe_and_unique() {
        let got = safe_names([
            "../../etc/passwd",
            "/abs/path.txt",
            "a\\b:c*d?.txt",
            "Report.pdf",
            "report.PDF",
            "report.pdf",
            "",
            "./..",
            "dir/./x\u{7}y",
            "trailing. ",
            "noext",
            "noext",
        ]);
        assert_eq!(
            got,
            vec![
                "etc/passwd",
                "abs/path.txt",
                "a_b_c_d_.txt",
                "Report.pdf",
                "report (2).PDF",
                "report (3).pdf",
                "file",
                "file (2)",
                "dir/x_y",
                "trailing",
                "noext",
                "noext (2)",
            ]
        );
        let long = "é".repeat(200);
        assert!(safe_names([long.as_str()])[0].len() <= 255);
    }

    #[test]
    fn dos_times_clamp_to_what_they_can_hold() {
        assert_eq!(dos_time(0), (0, (1 << 5) | 1));
        // 2000-02-29 12:34:56 UTC
        assert_eq!(
            dos_time(951_827_696),
            ((12 << 11) | (34 << 5) | 28, (20 << 9) | (2 << 5) | 29)
        );
        assert_eq!(dos_time(i64::MAX / 2).1 >> 9, 127);
    }
}
