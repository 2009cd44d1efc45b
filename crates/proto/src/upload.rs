//! The field handling of the upload form (`POST /upload/…`): the bounds on
//! the form and the pure decisions made on its parts. The streaming itself
//! (multer, blobs, quota) is in src/transfer/ingest.rs; the fuzz target
//! `upload_form` drives multer the same way and calls these.

/// Largest text field of the form (description, recipients …).
pub const MAX_FIELD: usize = 64 * 1024;
/// Most parts one form may have.
pub const MAX_PARTS: usize = 64;

/// A text field's bytes as stored: invalid UTF-8 is replaced, not refused.
pub fn field_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Whether a file part is the upload: the part a text field `userfile`
/// names (`userfile` is that field's value, if it came), else the first
/// file part of any name with a file chosen.
pub fn wants(userfile: Option<&str>, part: &str, file_name: &str) -> bool {
    match userfile {
        Some(named) => part == named.trim(),
        // A browser sends an empty name when no file was chosen.
        None => !file_name.is_empty(),
    }
}

/// The size limit after a `MAX_FILE_SIZE` field: it can only lower the
/// server's `limit` (-1 = none); a value that is no positive number is
/// ignored, as browsers treat it.
pub fn lower_limit(limit: i64, value: &str) -> i64 {
    match value.trim().parse::<i64>() {
        Ok(n) if n > 0 && (limit < 0 || n < limit) => n,
        _ => limit,
    }
}

/// Control characters (CR, LF, NUL …) as spaces, so a value stays on one
/// line of a mail header or a `key=value` answer.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The stored name of an uploaded file (docs/api-notes.md): the last path
/// component of the name as sent (browsers and old Windows uploaders sent
/// whole paths; `/` and `\` both count), control characters removed, at
/// most `max_bytes` bytes cut at a character boundary, `file` if nothing is
/// left. It is only ever data (escaped wherever it is shown), never part of
/// a path.
pub fn clean_name(raw: &str, max_bytes: usize) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let kept: String = last.chars().filter(|c| !c.is_control()).collect();
    let kept = kept.trim();
    let mut end = kept.len().min(max_bytes);
    while !kept.is_char_boundary(end) {
        end -= 1;
    }
    let name = kept[..end].trim_end();
    if name.is_empty() || name == "." || name == ".." {
        "file".into()
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_last_component() {
        assert_eq!(clean_name("../../etc/passwd", 255), "passwd");
        assert_eq!(clean_name("C:\\Users\\me\\report.pdf", 255), "report.pdf");
        assert_eq!(clean_name("a/b\\c/", 255), "file");
        assert_eq!(clean_name("///", 255), "file");
        assert_eq!(clean_name("dir/..", 255), "file");
        assert_eq!(clean_name("a\nb\r\"c\".txt", 255), "ab\"c\".txt");
        assert_eq!(clean_name("<script>.html", 255), "<script>.html");
        assert_eq!(clean_name("..", 255), "file");
        assert_eq!(clean_name(" \u{0} ", 255), "file");
        assert_eq!(clean_name("tab\there.txt", 255), "tabhere.txt");
        // 255 bytes, cut before a character that would not fit whole.
        let long = "é".repeat(150);
        assert_eq!(clean_name(&long, 255), "é".repeat(127));
        assert_eq!(clean_name(&"a".repeat(300), 255).len(), 255);
        assert_eq!(clean_name(&format!("x{}", "€".repeat(100)), 255).len(), 253);
    }

    #[test]
    fn which_part_is_the_file() {
        assert!(wants(None, "anything", "a.txt"));
        assert!(!wants(None, "userfile", ""));
        assert!(wants(Some(" second "), "second", ""));
        assert!(!wants(Some("second"), "userfile", "a.txt"));
    }

    #[test]
    fn max_file_size_only_lowers() {
        assert_eq!(lower_limit(-1, "100"), 100);
        assert_eq!(lower_limit(50, " 100 "), 50);
        assert_eq!(lower_limit(500, "100"), 100);
        assert_eq!(lower_limit(500, "0"), 500);
        assert_eq!(lower_limit(500, "-3"), 500);
        assert_eq!(lower_limit(500, "1e9"), 500);
        assert_eq!(field_text(b"a\xffb"), "a\u{fffd}b");
    }
}
