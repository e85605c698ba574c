//! Backups of an SQLite deployment: a consistent online snapshot of the database (`VACUUM INTO`,
//! which reads one transaction's view while the portal keeps serving) plus the attachments,
//! in a timestamped `.tar.gz` with a manifest of SHA-256 digests and a `.sha256` file beside
//! it. `verify` checks both; `restore` verifies first and never overwrites a database unless
//! forced. PostgreSQL deployments use continuous archiving instead (see the README).

use crate::storage::Db;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const DB_ENTRY: &str = "portal.db";
const FILES_DIR: &str = "files";
const MANIFEST: &str = "manifest.json";
const PREFIX: &str = "portal-backup-";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "backups of PostgreSQL are taken with pg_basebackup and WAL archiving (see the README)"
    )]
    Postgres,
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("database snapshot failed: {0}")]
    Snapshot(#[from] sqlx::Error),
    #[error("{0} does not match its checksum: the archive is damaged or was changed")]
    Checksum(String),
    #[error("the archive has no valid manifest: {0}")]
    Manifest(String),
    #[error("{0} already exists; stop the portal and pass --force to replace it")]
    Exists(String),
    #[error("DATABASE_URL is not an SQLite file: restore needs one")]
    NotSqlite,
    #[error(transparent)]
    Bucket(#[from] crate::object_storage::BucketError),
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let what = what.into();
    move |e| BackupError::Io(what, e)
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ManifestEntry {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    pub created_at: DateTime<Utc>,
    pub entries: Vec<ManifestEntry>,
}

fn digest_file(path: &Path) -> Result<(u64, String), BackupError> {
    let mut file = File::open(path).map_err(io(path.display().to_string()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .map_err(io(path.display().to_string()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((total, hex::encode(hasher.finalize())))
}

/// Every regular file under `dir`, as paths relative to it (sorted, `/`-separated).
fn files_under(dir: &Path) -> Result<Vec<String>, BackupError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = match std::fs::read_dir(&current) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(BackupError::Io(current.display().to_string(), e)),
        };
        for entry in entries {
            let entry = entry.map_err(io(current.display().to_string()))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(io(path.display().to_string()))?;
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                if let Ok(rel) = path.strip_prefix(dir) {
                    out.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Archive name for a backup taken at `at`.
pub fn archive_name(at: DateTime<Utc>) -> String {
    format!("{PREFIX}{}.tar.gz", at.format("%Y%m%dT%H%M%SZ"))
}

fn sidecar(archive: &Path) -> PathBuf {
    let mut name = archive.as_os_str().to_owned();
    name.push(".sha256");
    PathBuf::from(name)
}

/// Takes a backup into `dest`: returns the archive's path.
pub async fn create(
    db: &Db,
    data_dir: &Path,
    dest: &Path,
    now: DateTime<Utc>,
) -> Result<PathBuf, BackupError> {
    let Db::Sqlite(pool) = db else {
        return Err(BackupError::Postgres);
    };
    std::fs::create_dir_all(dest).map_err(io(dest.display().to_string()))?;
    let staging = tempfile::Builder::new()
        .prefix(".staging-")
        .tempdir_in(dest)
        .map_err(io(dest.display().to_string()))?;
    let snapshot = staging.path().join(DB_ENTRY);
    sqlx::query("VACUUM INTO $1")
        .bind(snapshot.display().to_string())
        .execute(pool)
        .await?;
    let files = data_dir.join(FILES_DIR);
    let archive = dest.join(archive_name(now));
    let target = archive.clone();
    tokio::task::spawn_blocking(move || write_archive(&snapshot, &files, &target, now))
        .await
        .map_err(|e| BackupError::Io("backup task".into(), std::io::Error::other(e)))??;
    drop(staging);
    Ok(archive)
}

fn write_archive(
    snapshot: &Path,
    files: &Path,
    archive: &Path,
    now: DateTime<Utc>,
) -> Result<(), BackupError> {
    let mut entries = Vec::new();
    let (bytes, sha256) = digest_file(snapshot)?;
    entries.push(ManifestEntry {
        path: DB_ENTRY.into(),
        bytes,
        sha256,
    });
    let attachments = files_under(files)?;
    for rel in &attachments {
        let (bytes, sha256) = digest_file(&files.join(rel))?;
        entries.push(ManifestEntry {
            path: format!("{FILES_DIR}/{rel}"),
            bytes,
            sha256,
        });
    }
    let manifest = Manifest {
        format: 1,
        created_at: now,
        entries,
    };
    let manifest_json =
        serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Manifest(e.to_string()))?;
    let partial = archive.with_extension("partial");
    {
        let out = File::create(&partial).map_err(io(partial.display().to_string()))?;
        let gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
        let mut tar = tar::Builder::new(gz);
        let mut header = tar::Header::new_gnu();
        header.set_size(manifest_json.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(now.timestamp().max(0) as u64);
        header.set_cksum();
        tar.append_data(&mut header, MANIFEST, manifest_json.as_slice())
            .map_err(io("archive"))?;
        tar.append_path_with_name(snapshot, DB_ENTRY)
            .map_err(io("archive"))?;
        for rel in &attachments {
            tar.append_path_with_name(files.join(rel), format!("{FILES_DIR}/{rel}"))
                .map_err(io("archive"))?;
        }
        let gz = tar.into_inner().map_err(io("archive"))?;
        let mut out = gz.finish().map_err(io("archive"))?;
        out.flush().map_err(io("archive"))?;
        out.sync_all().map_err(io("archive"))?;
    }
    let (_, digest) = digest_file(&partial)?;
    std::fs::rename(&partial, archive).map_err(io(archive.display().to_string()))?;
    let name = archive
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    std::fs::write(sidecar(archive), format!("{digest}  {name}\n")).map_err(io("checksum file"))?;
    Ok(())
}

/// Checks the archive against its `.sha256` file and every entry against the manifest.
pub fn verify(archive: &Path) -> Result<Manifest, BackupError> {
    let expected = std::fs::read_to_string(sidecar(archive))
        .map_err(io(sidecar(archive).display().to_string()))?;
    let expected = expected.split_whitespace().next().unwrap_or_default();
    let (_, actual) = digest_file(archive)?;
    if expected != actual {
        return Err(BackupError::Checksum(archive.display().to_string()));
    }
    let mut manifest = None;
    let mut seen: Vec<(String, u64, String)> = Vec::new();
    each_entry(archive, |path, reader| {
        if path == MANIFEST {
            let mut text = Vec::new();
            reader.read_to_end(&mut text).map_err(io("manifest"))?;
            manifest = Some(
                serde_json::from_slice::<Manifest>(&text)
                    .map_err(|e| BackupError::Manifest(e.to_string()))?,
            );
        } else {
            let mut hasher = Sha256::new();
            let n = std::io::copy(reader, &mut HashWriter(&mut hasher)).map_err(io(path))?;
            seen.push((path.to_owned(), n, hex::encode(hasher.finalize())));
        }
        Ok(())
    })?;
    let manifest = manifest.ok_or_else(|| BackupError::Manifest("missing".into()))?;
    for entry in &manifest.entries {
        let ok = seen
            .iter()
            .any(|(p, n, d)| *p == entry.path && *n == entry.bytes && *d == entry.sha256);
        if !ok {
            return Err(BackupError::Checksum(entry.path.clone()));
        }
    }
    if seen.len() != manifest.entries.len() {
        return Err(BackupError::Manifest("entries not in the manifest".into()));
    }
    Ok(manifest)
}

struct HashWriter<'a>(&'a mut Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn each_entry(
    archive: &Path,
    mut visit: impl FnMut(&str, &mut dyn Read) -> Result<(), BackupError>,
) -> Result<(), BackupError> {
    let file = File::open(archive).map_err(io(archive.display().to_string()))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    for entry in tar.entries().map_err(io("archive"))? {
        let mut entry = entry.map_err(io("archive"))?;
        let path = entry
            .path()
            .map_err(io("archive"))?
            .to_string_lossy()
            .into_owned();
        // Only the names the portal writes: nothing may land outside the data folder.
        let safe = path == MANIFEST
            || path == DB_ENTRY
            || (path.starts_with("files/") && !path.split('/').any(|p| p == ".." || p.is_empty()));
        if !safe {
            return Err(BackupError::Manifest(format!("unexpected entry {path}")));
        }
        visit(&path, &mut entry)?;
    }
    Ok(())
}

/// The SQLite file behind `database_url`.
pub fn sqlite_path(database_url: &str) -> Result<PathBuf, BackupError> {
    let rest = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .ok_or(BackupError::NotSqlite)?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Err(BackupError::NotSqlite);
    }
    Ok(PathBuf::from(path))
}

/// Restores `archive` into `db_file` and `data_dir/files`, after verifying it. Refuses to
/// replace an existing database unless `force` (the portal must be stopped first).
pub fn restore(
    archive: &Path,
    db_file: &Path,
    data_dir: &Path,
    force: bool,
) -> Result<Manifest, BackupError> {
    let manifest = verify(archive)?;
    if db_file.exists() && !force {
        return Err(BackupError::Exists(db_file.display().to_string()));
    }
    if let Some(parent) = db_file.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io(parent.display().to_string()))?;
    }
    std::fs::create_dir_all(data_dir).map_err(io(data_dir.display().to_string()))?;
    let incoming = tempfile::Builder::new()
        .prefix(".restore-")
        .tempdir_in(data_dir)
        .map_err(io(data_dir.display().to_string()))?;
    each_entry(archive, |path, reader| {
        if path == MANIFEST {
            return Ok(());
        }
        let target = incoming.path().join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent.display().to_string()))?;
        }
        let mut out = File::create(&target).map_err(io(target.display().to_string()))?;
        std::io::copy(reader, &mut out).map_err(io(target.display().to_string()))?;
        out.sync_all().map_err(io(target.display().to_string()))?;
        Ok(())
    })?;
    // The old write-ahead log belongs to the old database.
    for suffix in ["-wal", "-shm"] {
        let mut stale = db_file.as_os_str().to_owned();
        stale.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(stale));
    }
    std::fs::rename(incoming.path().join(DB_ENTRY), db_file)
        .map_err(io(db_file.display().to_string()))?;
    let files = data_dir.join(FILES_DIR);
    let restored_files = incoming.path().join(FILES_DIR);
    if restored_files.exists() {
        if files.exists() {
            std::fs::remove_dir_all(&files).map_err(io(files.display().to_string()))?;
        }
        std::fs::rename(&restored_files, &files).map_err(io(files.display().to_string()))?;
    }
    Ok(manifest)
}

/// Deletes all but the newest `keep` archives in `dir`.
pub fn prune(dir: &Path, keep: usize) -> Result<usize, BackupError> {
    let mut archives: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir.display().to_string()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(".tar.gz"))
        })
        .collect();
    archives.sort();
    let excess = archives.len().saturating_sub(keep);
    for old in &archives[..excess] {
        std::fs::remove_file(old).map_err(io(old.display().to_string()))?;
        let _ = std::fs::remove_file(sidecar(old));
    }
    Ok(excess)
}

/// Where archives are kept: a local folder, or a bucket (each archive is written to the local
/// folder first, uploaded with its checksum file, then removed locally).
#[derive(Clone, Debug)]
pub enum Destination {
    Folder(PathBuf),
    Bucket {
        bucket: crate::object_storage::Bucket,
        url: String,
        staging: PathBuf,
    },
}

impl Destination {
    /// `url` (`PORTAL_BACKUP_URL`) when set, else the folder.
    pub fn from_config(folder: &Path, url: Option<&str>) -> Result<Destination, BackupError> {
        Ok(match url {
            Some(url) => Destination::Bucket {
                bucket: crate::object_storage::Bucket::open(url)?,
                url: url.trim_end_matches('/').to_owned(),
                staging: folder.to_path_buf(),
            },
            None => Destination::Folder(folder.to_path_buf()),
        })
    }
}

/// Takes a backup into `dest`; returns where the archive is (a path or an `s3://` URL).
pub async fn take(
    db: &Db,
    data_dir: &Path,
    dest: &Destination,
    now: DateTime<Utc>,
) -> Result<String, BackupError> {
    match dest {
        Destination::Folder(dir) => Ok(create(db, data_dir, dir, now).await?.display().to_string()),
        Destination::Bucket {
            bucket,
            url,
            staging,
        } => {
            let archive = create(db, data_dir, staging, now).await?;
            let name = archive_name(now);
            let uploaded = async {
                bucket.upload(&name, &archive).await?;
                bucket
                    .upload(&format!("{name}.sha256"), &sidecar(&archive))
                    .await
            }
            .await;
            let _ = std::fs::remove_file(&archive);
            let _ = std::fs::remove_file(sidecar(&archive));
            uploaded?;
            Ok(format!("{url}/{name}"))
        }
    }
}

/// Deletes all but the newest `keep` archives at `dest`.
pub async fn prune_destination(dest: &Destination, keep: usize) -> Result<usize, BackupError> {
    match dest {
        Destination::Folder(dir) => prune(dir, keep),
        Destination::Bucket { bucket, .. } => {
            let archives: Vec<String> = bucket
                .list()
                .await?
                .into_iter()
                .filter(|n| n.starts_with(PREFIX) && n.ends_with(".tar.gz"))
                .collect();
            let excess = archives.len().saturating_sub(keep);
            for old in &archives[..excess] {
                bucket.delete(old).await?;
                bucket.delete(&format!("{old}.sha256")).await?;
            }
            Ok(excess)
        }
    }
}

/// A local copy of the archive named by a path or an `s3://bucket/prefix/name.tar.gz` URL (with
/// its checksum file), downloaded into `scratch` when remote.
pub async fn fetch(archive: &str, scratch: &Path) -> Result<PathBuf, BackupError> {
    if !archive.starts_with("s3://") {
        return Ok(PathBuf::from(archive));
    }
    let (parent, name) = archive
        .rsplit_once('/')
        .filter(|(p, n)| !n.is_empty() && p.len() > "s3://".len())
        .ok_or_else(|| crate::object_storage::BucketError::Url(archive.to_owned()))?;
    let bucket = crate::object_storage::Bucket::open(parent)?;
    let local = scratch.join(name);
    bucket.download(name, &local).await?;
    bucket
        .download(&format!("{name}.sha256"), &sidecar(&local))
        .await?;
    Ok(local)
}

/// When the last good automatic backup was taken, for `/readyz`.
#[derive(Debug)]
pub struct BackupStatus {
    every: std::time::Duration,
    started: i64,
    last_ok: std::sync::atomic::AtomicI64,
}

impl BackupStatus {
    pub fn new(every: std::time::Duration, now: DateTime<Utc>) -> Self {
        BackupStatus {
            every,
            started: now.timestamp(),
            last_ok: std::sync::atomic::AtomicI64::new(0),
        }
    }

    pub fn succeeded(&self, at: DateTime<Utc>) {
        self.last_ok
            .store(at.timestamp(), std::sync::atomic::Ordering::Relaxed);
    }

    /// Seconds since the last good backup (since the start while there is none yet).
    pub fn age_seconds(&self, now: DateTime<Utc>) -> i64 {
        let last = self.last_ok.load(std::sync::atomic::Ordering::Relaxed);
        now.timestamp() - if last > 0 { last } else { self.started }
    }

    /// Degraded once no backup succeeded for twice the interval.
    pub fn degraded(&self, now: DateTime<Utc>) -> bool {
        self.age_seconds(now) > 2 * self.every.as_secs() as i64
    }
}

/// Takes a backup every `every` while serving, keeping the newest `keep`.
pub async fn run(
    db: Db,
    (data_dir, dest, keep): (PathBuf, Destination, usize),
    status: std::sync::Arc<BackupStatus>,
    lease: std::sync::Arc<crate::job_lease::JobLease>,
    clock: app::kernel::Clock,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let (db, data_dir, dest, status_ref, clock) = (&db, &data_dir, &dest, &status, &clock);
    let work = move || async move {
        let started = std::time::Instant::now();
        let archive = take(db, data_dir, dest, clock.now()).await?;
        status_ref.succeeded(clock.now());
        tracing::info!(archive = %archive, ms = started.elapsed().as_millis() as u64, "backup taken");
        match prune_destination(dest, keep).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "old backups removed"),
            Err(e) => tracing::warn!(error = %e, "pruning backups failed"),
        }
        Ok::<_, BackupError>(())
    };
    lease
        .every("backup", status.every, shutdown, work, |_| {})
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_come_from_the_url() {
        assert_eq!(
            sqlite_path("sqlite://data/portal.db").ok(),
            Some(PathBuf::from("data/portal.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:///var/lib/p.db?mode=rwc").ok(),
            Some(PathBuf::from("/var/lib/p.db"))
        );
        assert!(sqlite_path("postgres://x/y").is_err());
        assert!(sqlite_path("sqlite::memory:").is_err());
    }

    #[test]
    fn degraded_after_two_missed_intervals() {
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let status = BackupStatus::new(std::time::Duration::from_secs(300), start);
        assert!(!status.degraded(start + chrono::Duration::seconds(600)));
        assert!(status.degraded(start + chrono::Duration::seconds(601)));
        status.succeeded(start + chrono::Duration::seconds(590));
        assert_eq!(
            status.age_seconds(start + chrono::Duration::seconds(600)),
            10
        );
        assert!(!status.degraded(start + chrono::Duration::seconds(1000)));
    }

    #[test]
    fn archive_names_sort_by_time() {
        let a = archive_name(DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default());
        let b = archive_name(DateTime::from_timestamp(1_800_000_300, 0).unwrap_or_default());
        assert!(a < b, "{a} {b}");
        assert!(a.starts_with(PREFIX) && a.ends_with(".tar.gz"));
    }
}
