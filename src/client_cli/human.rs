//! Figures as people read them: `1.5 MiB`, `7 days`, `block downloads`,
//! `2025-06-08 14:03 UTC`. Only the text output uses these; `--json` keeps
//! the exact numbers.

use dropspace_client::FileInfo;

/// `512 B`, `1.5 KiB`, `2.4 MiB`, `1.0 GiB` (powers of 1024).
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    // Round first, so 1023.96 KiB reads 1.0 MiB, not 1024.0 KiB.
    while (value * 10.0).round() / 10.0 >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A byte figure of the API where -1 means no limit.
pub fn amount(bytes: i64) -> String {
    if bytes < 0 {
        "unlimited".into()
    } else {
        size(bytes as u64)
    }
}

/// `1 file`, `2 files`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `90 s`, `30 min`, `3 h`, `1 day 12 h`, `7 days`: the largest unit and,
/// when not whole, the next one.
pub fn duration(secs: u64) -> String {
    const UNITS: [(u64, &str, &str); 4] = [
        (86_400, "day", "days"),
        (3600, "h", "h"),
        (60, "min", "min"),
        (1, "s", "s"),
    ];
    if secs == 0 {
        return "0 s".into();
    }
    for (i, &(unit, one, many)) in UNITS.iter().enumerate() {
        if secs < unit {
            continue;
        }
        let (n, rest) = (secs / unit, secs % unit);
        let mut text = count(n, one, many);
        if let Some(&(next, one, many)) = UNITS.get(i + 1) {
            if rest / next > 0 {
                text.push(' ');
                text.push_str(&count(rest / next, one, many));
            }
        }
        return text;
    }
    format!("{secs} s")
}

/// Unix seconds as `2025-06-08 14:03 UTC`.
pub fn date(unix: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| format!("{unix} (unix time)"))
}

/// Now, in unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// What happens when a limit is reached, in words (the API's
/// `limit_action`: 0 none chosen and 1 block downloads, 2 delete the
/// file, 3 move it to `limit_action_to_folder`).
pub fn action(f: &FileInfo) -> String {
    match f.limit_action {
        2 => "delete the file".into(),
        3 => format!("move it to folder {}", f.limit_action_to_folder),
        _ => "block downloads".into(),
    }
}

/// A file's limits in one line — `3 downloads (1 done) or 7 days, then
/// delete the file` — or None without limits. `expires`: when the time
/// limit runs out (unix seconds), when known: the API tells the duration
/// as set, so only the command that sets it knows the moment.
pub fn limits(f: &FileInfo, expires: Option<i64>) -> Option<String> {
    let mut parts = Vec::new();
    if f.download_limit > 0 {
        let n = f.download_limit as u64;
        parts.push(format!(
            "{} ({} done)",
            count(n, "download", "downloads"),
            f.downloads
        ));
    }
    if f.time_limit > 0 {
        let span = duration(f.time_limit as u64);
        parts.push(match expires {
            Some(at) => format!("until {} ({span})", date(at)),
            None => format!("{span} from when it was set"),
        });
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!("{}, then {}", parts.join(" or "), action(f)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(size(0), "0 B");
        assert_eq!(size(1023), "1023 B");
        assert_eq!(size(1024), "1.0 KiB");
        assert_eq!(size(1536 * 1024), "1.5 MiB");
        assert_eq!(size(2_500_000), "2.4 MiB");
        assert_eq!(size((1 << 20) - 1), "1.0 MiB");
        assert_eq!(size(u64::MAX), "16.0 EiB");
        assert_eq!(amount(-1), "unlimited");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(0), "0 s");
        assert_eq!(duration(90), "1 min 30 s");
        assert_eq!(duration(1800), "30 min");
        assert_eq!(duration(3 * 3600), "3 h");
        assert_eq!(duration(86_400), "1 day");
        assert_eq!(duration(36 * 3600), "1 day 12 h");
        assert_eq!(duration(604_800), "7 days");
        assert_eq!(duration(7 * 86_400 * 2), "14 days");
        assert_eq!(duration(10 * 86_400), "10 days");
    }

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01 00:00 UTC");
        assert_eq!(date(1_750_000_000), "2025-06-15 15:06 UTC");
    }
}
