//! Request parameters of `/rest/`: urlencoded pairs and the value checks of
//! the typed accessors. The server's `Params` (src/api/params.rs) merges the
//! sources and maps `BadValue` to error 21.

/// A value that is present but malformed (error 21 for the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadValue;

/// Decodes `application/x-www-form-urlencoded` pairs (a query string or a
/// body); invalid UTF-8 and percent escapes are replaced, never refused.
pub fn parse_urlencoded(bytes: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
    form_urlencoded::parse(bytes).map(|(k, v)| (k.into_owned(), v.into_owned()))
}

/// An optional non-negative integer that fits an `i64`. Empty (after
/// trimming) counts as absent.
pub fn opt_u64(value: Option<&str>) -> Result<Option<i64>, BadValue> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| *n <= i64::MAX as u64)
            .map(|n| Some(n as i64))
            .ok_or(BadValue),
    }
}

/// An optional 0/1 flag; anything else is a bad value.
pub fn opt_flag(value: Option<&str>) -> Result<Option<bool>, BadValue> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some("0") => Ok(Some(false)),
        Some("1") => Ok(Some(true)),
        Some(_) => Err(BadValue),
    }
}

/// Splits a comma list, trimming blanks and dropping empties.
pub fn comma_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencoded_pairs() {
        let pairs: Vec<_> =
            parse_urlencoded(b"method=files.getinfo&file_id=a%2Cb+c&x&=v").collect();
        assert_eq!(
            pairs,
            vec![
                ("method".to_string(), "files.getinfo".to_string()),
                ("file_id".to_string(), "a,b c".to_string()),
                ("x".to_string(), String::new()),
                (String::new(), "v".to_string()),
            ]
        );
        // Bad escapes and bytes are kept or replaced, not refused.
        let pairs: Vec<_> = parse_urlencoded(b"a=%zz%ff").collect();
        assert_eq!(pairs, vec![("a".to_string(), "%zz\u{fffd}".to_string())]);
    }

    #[test]
    fn numbers_and_flags() {
        assert_eq!(opt_u64(None), Ok(None));
        assert_eq!(opt_u64(Some(" ")), Ok(None));
        assert_eq!(opt_u64(Some(" 42 ")), Ok(Some(42)));
        assert_eq!(opt_u64(Some("9223372036854775807")), Ok(Some(i64::MAX)));
        assert_eq!(opt_u64(Some("9223372036854775808")), Err(BadValue));
        assert_eq!(opt_u64(Some("-1")), Err(BadValue));
        assert_eq!(opt_u64(Some("1e3")), Err(BadValue));
        assert_eq!(opt_flag(Some("1")), Ok(Some(true)));
        assert_eq!(opt_flag(Some(" 0")), Ok(Some(false)));
        assert_eq!(opt_flag(Some("")), Ok(None));
        assert_eq!(opt_flag(Some("yes")), Err(BadValue));
    }

    #[test]
    fn comma_lists() {
        assert_eq!(comma_list(" a, ,b ,,c"), vec!["a", "b", "c"]);
        assert!(comma_list(" , ").is_empty());
    }
}
