//! S3 multipart uploads that outlive a request: a resumable upload's parts
//! are sent one at a time, by whichever node takes its next chunk, and the
//! upload is completed or aborted later (docs/resumable.md). OpenDAL keeps
//! its multipart uploads inside one writer, so these requests are signed
//! with rusty-s3 and sent with reqwest.

use std::time::Duration;

use bytes::Bytes;
use rusty_s3::actions::{
    AbortMultipartUpload, CompleteMultipartUpload, CreateMultipartUpload, S3Action, UploadPart,
};
use rusty_s3::{Bucket, Credentials, UrlStyle};

use super::StorageError;
use crate::config::S3Config;

/// How long a signed request stays valid: it is sent at once.
const SIGNED_FOR: Duration = Duration::from_secs(600);

pub struct Multipart {
    bucket: Bucket,
    credentials: Option<Credentials>,
    http: reqwest::Client,
}

fn failed(what: &str, e: impl std::fmt::Display) -> StorageError {
    StorageError(format!("{what}: {e}"))
}

/// The store's answer, or its status and body as the error.
async fn answered(what: &str, resp: reqwest::Response) -> Result<reqwest::Response, StorageError> {
    if resp.status().is_success() {
        return Ok(resp);
    }
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    Err(StorageError(format!(
        "{what}: HTTP {status}: {}",
        body.chars().take(300).collect::<String>()
    )))
}

/// Sends a request and reads the store's successful answer's body.
async fn body_of(what: &str, req: reqwest::RequestBuilder) -> Result<String, StorageError> {
    let resp = req.send().await.map_err(|e| failed(what, e))?;
    answered(what, resp)
        .await?
        .text()
        .await
        .map_err(|e| failed(what, e))
}

impl Multipart {
    pub fn new(s3: &S3Config) -> anyhow::Result<Multipart> {
        let region = s3.region.clone().unwrap_or_else(|| "us-east-1".into());
        let endpoint = s3
            .endpoint
            .clone()
            .unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"));
        let style = if s3.virtual_host_style {
            UrlStyle::VirtualHost
        } else {
            UrlStyle::Path
        };
        let bucket = Bucket::new(endpoint.parse()?, style, s3.bucket.clone(), region)?;
        let credentials = match (&s3.access_key_id, &s3.secret_access_key) {
            (Some(k), Some(s)) => Some(Credentials::new(k.clone(), s.clone())),
            _ => None,
        };
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .build()?;
        Ok(Multipart {
            bucket,
            credentials,
            http,
        })
    }

    /// Starts a multipart upload of `key`; its id.
    pub async fn create(&self, key: &str) -> Result<String, StorageError> {
        let url = CreateMultipartUpload::new(&self.bucket, self.credentials.as_ref(), key)
            .sign(SIGNED_FOR);
        let what = "creating a multipart upload";
        let body = body_of(what, self.http.post(url)).await?;
        let created = CreateMultipartUpload::parse_response(&body).map_err(|e| failed(what, e))?;
        Ok(created.upload_id().to_string())
    }

    /// Sends part `number` (from 1); its ETag.
    pub async fn put_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u16,
        bytes: Bytes,
    ) -> Result<String, StorageError> {
        let url = UploadPart::new(
            &self.bucket,
            self.credentials.as_ref(),
            key,
            number,
            upload_id,
        )
        .sign(SIGNED_FOR);
        let what = "sending a part";
        let resp = self
            .http
            .put(url)
            .body(bytes)
            .send()
            .await
            .map_err(|e| failed(what, e))?;
        let resp = answered(what, resp).await?;
        resp.headers()
            .get(reqwest::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or_else(|| StorageError(format!("{what}: no ETag in the answer")))
    }

    /// Copies the object `source` (or its byte `range`) into part `number`
    /// of a multipart upload, on the store itself; the part's ETag.
    pub async fn copy_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u16,
        (source, range): (&str, std::ops::Range<u64>),
    ) -> Result<String, StorageError> {
        // Blob keys are lower-case letters, digits and slashes: nothing to
        // escape in the copy source.
        let from = format!("/{}/{source}", self.bucket.name());
        let span = format!("bytes={}-{}", range.start, range.end.saturating_sub(1));
        let mut action = UploadPart::new(
            &self.bucket,
            self.credentials.as_ref(),
            key,
            number,
            upload_id,
        );
        action
            .headers_mut()
            .insert("x-amz-copy-source", from.clone());
        action
            .headers_mut()
            .insert("x-amz-copy-source-range", span.clone());
        let url = action.sign(SIGNED_FOR);
        let what = "copying a part";
        let req = self
            .http
            .put(url)
            .header("x-amz-copy-source", from)
            .header("x-amz-copy-source-range", span);
        let body = body_of(what, req).await?;
        body.split_once("<ETag>")
            .and_then(|(_, rest)| rest.split_once("</ETag>"))
            .map(|(etag, _)| etag.replace("&quot;", "\""))
            .ok_or_else(|| StorageError(format!("{what}: no ETag in {body}")))
    }

    /// Makes the parts (their ETags, in order) the object `key`.
    pub async fn complete(
        &self,
        key: &str,
        upload_id: &str,
        etags: &[String],
    ) -> Result<(), StorageError> {
        let action = CompleteMultipartUpload::new(
            &self.bucket,
            self.credentials.as_ref(),
            key,
            upload_id,
            etags.iter().map(String::as_str),
        );
        let url = action.sign(SIGNED_FOR);
        let what = "completing a multipart upload";
        let body = body_of(what, self.http.post(url).body(action.body())).await?;
        // S3 may answer 200 with an error document once the parts are joined.
        if body.contains("<Error>") {
            return Err(StorageError(format!("{what}: {body}")));
        }
        Ok(())
    }

    /// Gives a multipart upload up: the store drops its parts. One that is
    /// gone already is not an error.
    pub async fn abort(&self, key: &str, upload_id: &str) -> Result<(), StorageError> {
        let url =
            AbortMultipartUpload::new(&self.bucket, self.credentials.as_ref(), key, upload_id)
                .sign(SIGNED_FOR);
        let what = "aborting a multipart upload";
        let resp = self
            .http
            .delete(url)
            .send()
            .await
            .map_err(|e| failed(what, e))?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(());
        }
        answered(what, resp).await.map(|_| ())
    }
}
