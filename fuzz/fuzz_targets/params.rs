//! `/rest/` parameters: a query string and an urlencoded body (split at the
//! first newline), merged as `Params::read` does, then every typed accessor.
#![no_main]

use std::collections::HashMap;

use dropspace_proto::params::{comma_list, opt_flag, opt_u64, parse_urlencoded};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (query, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let mut map: HashMap<String, String> = HashMap::new();
    for source in [query, body] {
        let pairs: Vec<(String, String)> = parse_urlencoded(source).collect();
        // Encoding the decoded pairs again gives them back exactly.
        let mut enc = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &pairs {
            enc.append_pair(k, v);
        }
        let again: Vec<(String, String)> = parse_urlencoded(enc.finish().as_bytes()).collect();
        assert_eq!(pairs, again);
        map.extend(pairs);
    }
    for value in map.values() {
        let v = Some(value.as_str());
        match opt_u64(v) {
            Ok(Some(n)) => {
                assert!(n >= 0);
                assert_eq!(value.trim().parse::<u64>().ok(), Some(n as u64));
            }
            Ok(None) => assert!(value.trim().is_empty()),
            Err(_) => assert!(!value.trim().is_empty()),
        }
        match opt_flag(v) {
            Ok(Some(b)) => assert_eq!(value.trim(), if b { "1" } else { "0" }),
            Ok(None) => assert!(value.trim().is_empty()),
            Err(_) => assert!(!matches!(value.trim(), "" | "0" | "1")),
        }
        for item in comma_list(value) {
            assert!(!item.is_empty() && !item.contains(','));
            assert_eq!(item.trim(), item);
        }
    }
});
