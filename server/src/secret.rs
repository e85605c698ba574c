//! The signing secret: from `PORTAL_SECRET`, or generated once and kept under the data folder.

use rand::RngCore;
use std::io::Write;
use std::path::Path;

pub fn load_or_create(data_dir: &Path) -> Result<Vec<u8>, String> {
    let path = data_dir.join("secret");
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().len() >= 64 => return Ok(text.trim().as_bytes().to_vec()),
        Ok(_) => {
            return Err(format!(
                "PORTAL_SECRET: {} is too short; delete it to generate a new one",
                path.display()
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(format!(
                "PORTAL_SECRET: cannot read {}: {e}",
                path.display()
            ))
        }
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| format!("PORTAL_DATA_DIR: cannot create {}: {e}", data_dir.display()))?;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let text = hex::encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&path)
        .map_err(|e| format!("PORTAL_SECRET: cannot create {}: {e}", path.display()))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("PORTAL_SECRET: cannot write {}: {e}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a new signing secret");
    Ok(text.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_once_then_reuses() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = load_or_create(dir.path()).expect("created");
        let second = load_or_create(dir.path()).expect("read back");
        assert_eq!(first, second);
        assert_eq!(first.len(), 64);
    }
}
