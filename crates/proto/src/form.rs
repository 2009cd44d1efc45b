//! The multipart/form-data body of a `/rest/` call: text fields only, read
//! whole under a size limit (multer enforces it on the stream and on each
//! field). The server maps a `multer::Error` to error 6.

use bytes::Bytes;
use futures_util::Stream;

/// Reads every field of a multipart body as text, in order. Fields without
/// a name are dropped; the caller lets a later field win over an earlier
/// one of the same name.
pub async fn read_text_fields<S, O, E>(
    stream: S,
    boundary: String,
    limit: u64,
) -> Result<Vec<(String, String)>, multer::Error>
where
    S: Stream<Item = Result<O, E>> + Send + 'static,
    O: Into<Bytes> + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    let constraints = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .whole_stream(limit)
            .per_field(limit),
    );
    let mut mp = multer::Multipart::with_constraints(stream, boundary, constraints);
    let mut fields = Vec::new();
    while let Some(field) = mp.next_field().await? {
        let name = field.name().unwrap_or("").to_string();
        let text = field.text().await?;
        if !name.is_empty() {
            fields.push((name, text));
        }
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;
    use futures::stream;

    fn body(chunks: Vec<&'static [u8]>) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
        stream::iter(chunks.into_iter().map(|c| Ok(Bytes::from_static(c))))
    }

    const FORM: &[u8] = b"--XyZ\r\nContent-Disposition: form-data; name=\"method\"\r\n\r\nfiles.getinfo\r\n--XyZ\r\nContent-Disposition: form-data; name=\"\"\r\n\r\ndropped\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file_id\"\r\n\r\nab12cd\r\n--XyZ--\r\n";

    #[test]
    fn fields_in_order_nameless_dropped() {
        let (a, b) = FORM.split_at(37);
        let fields =
            block_on(read_text_fields(body(vec![a, b]), "XyZ".into(), 1024)).expect("form");
        assert_eq!(
            fields,
            vec![
                ("method".to_string(), "files.getinfo".to_string()),
                ("file_id".to_string(), "ab12cd".to_string()),
            ]
        );
    }

    #[test]
    fn over_the_limit_and_truncated_fail() {
        assert!(block_on(read_text_fields(body(vec![FORM]), "XyZ".into(), 64)).is_err());
        assert!(block_on(read_text_fields(
            body(vec![&FORM[..60]]),
            "XyZ".into(),
            1024
        ))
        .is_err());
    }
}
