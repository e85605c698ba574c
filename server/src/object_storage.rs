//! S3-compatible object storage (AWS S3, MinIO, Ceph, Cloudflare R2, …) through the
//! `object_store` crate: attachments and article images when several instances serve one
//! deployment (`PORTAL_FILES_URL`), and off-machine backups (`PORTAL_BACKUP_URL`). Locations are
//! `s3://bucket/prefix`; credentials and endpoint come from the standard `AWS_*` variables.

use app::files::{BlobError, BlobStore};
use async_trait::async_trait;
use futures_util::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};
use std::sync::Arc;
use tokio::io::AsyncWriteExt;

#[derive(Debug, thiserror::Error)]
pub enum BucketError {
    #[error("'{0}' is not an s3://bucket/prefix URL")]
    Url(String),
    #[error("object storage: {0}")]
    Store(#[from] object_store::Error),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
}

/// A bucket and a key prefix in it.
#[derive(Clone)]
pub struct Bucket {
    store: Arc<dyn ObjectStore>,
    prefix: String,
}

impl std::fmt::Debug for Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bucket({}/{})", self.store, self.prefix)
    }
}

/// Splits `s3://bucket/some/prefix` into the bucket and the prefix (without slashes around it).
pub fn parse_url(url: &str) -> Result<(String, String), BucketError> {
    let rest = url
        .strip_prefix("s3://")
        .ok_or_else(|| BucketError::Url(url.to_owned()))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() || prefix.split('/').any(|p| p == "..") {
        return Err(BucketError::Url(url.to_owned()));
    }
    Ok((bucket.to_owned(), prefix.trim_matches('/').to_owned()))
}

impl Bucket {
    /// Opens `s3://bucket/prefix` with the `AWS_*` environment (key, secret, region, endpoint).
    pub fn open(url: &str) -> Result<Bucket, BucketError> {
        let (bucket, prefix) = parse_url(url)?;
        let store = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()?;
        Ok(Bucket {
            store: Arc::new(store),
            prefix,
        })
    }

    /// The object's location for a key relative to the prefix.
    fn location(&self, key: &str) -> Result<ObjectPath, BucketError> {
        let full = if self.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}/{key}", self.prefix)
        };
        ObjectPath::parse(&full).map_err(|e| BucketError::Store(e.into()))
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), BucketError> {
        self.store
            .put(&self.location(key)?, PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Vec<u8>, BucketError> {
        let got = self.store.get(&self.location(key)?).await?;
        Ok(got.bytes().await?.to_vec())
    }

    pub async fn delete(&self, key: &str) -> Result<(), BucketError> {
        self.store.delete(&self.location(key)?).await?;
        Ok(())
    }

    /// Uploads a local file in parts (archives may be large).
    pub async fn upload(&self, key: &str, file: &std::path::Path) -> Result<(), BucketError> {
        let io = |e| BucketError::Io(file.display().to_string(), e);
        let mut source = tokio::fs::File::open(file).await.map_err(io)?;
        let mut writer =
            object_store::buffered::BufWriter::new(self.store.clone(), self.location(key)?);
        tokio::io::copy(&mut source, &mut writer)
            .await
            .map_err(io)?;
        writer.shutdown().await.map_err(io)?;
        Ok(())
    }

    /// Downloads an object into a local file.
    pub async fn download(&self, key: &str, file: &std::path::Path) -> Result<(), BucketError> {
        let io = |e| BucketError::Io(file.display().to_string(), e);
        let got = self.store.get(&self.location(key)?).await?;
        let mut out = tokio::fs::File::create(file).await.map_err(io)?;
        let mut stream = got.into_stream();
        while let Some(chunk) = stream.next().await {
            out.write_all(&chunk?).await.map_err(io)?;
        }
        out.sync_all().await.map_err(io)?;
        Ok(())
    }

    /// The keys (relative to the prefix) directly under it, sorted.
    pub async fn list(&self) -> Result<Vec<String>, BucketError> {
        let prefix = if self.prefix.is_empty() {
            None
        } else {
            Some(ObjectPath::from(self.prefix.as_str()))
        };
        let mut names = Vec::new();
        let mut stream = self.store.list(prefix.as_ref());
        while let Some(meta) = stream.next().await {
            let location = meta?.location.to_string();
            let relative = match &prefix {
                Some(p) => location
                    .strip_prefix(p.as_ref())
                    .map(|r| r.trim_start_matches('/').to_owned())
                    .unwrap_or(location),
                None => location,
            };
            names.push(relative);
        }
        names.sort();
        Ok(names)
    }
}

/// Attachments and images in a bucket: every instance reads what any instance wrote.
pub struct BucketBlobs(pub Bucket);

#[async_trait]
impl BlobStore for BucketBlobs {
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), BlobError> {
        self.0
            .put(key, bytes.to_vec())
            .await
            .map_err(|e| BlobError(e.to_string()))
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        self.0.get(key).await.map_err(|e| BlobError(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bucket_and_prefix() {
        assert_eq!(
            parse_url("s3://portal/backups/").expect("url"),
            ("portal".to_owned(), "backups".to_owned())
        );
        assert_eq!(
            parse_url("s3://portal").expect("url"),
            ("portal".to_owned(), String::new())
        );
        assert!(parse_url("https://portal/x").is_err());
        assert!(parse_url("s3:///x").is_err());
        assert!(parse_url("s3://b/../x").is_err());
    }
}
