//! Catalogue: a release as a delta against a kept base, or the
//! content-addressed snapshot downloaded in digest-checked ranges into a
//! partial file (resumed after a crash), verified whole, imported
//! atomically by the core importer.

use super::*;

impl<'a, T: Transport, C: Clock> Engine<'a, T, C> {
    /// Pulls the latest catalogue release if the device lacks it.
    pub(super) async fn pull_catalogue(
        &mut self,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let resp = self
            .call(HttpRequest {
                method: Method::Get,
                path: "/v1/catalogue/latest".into(),
                headers: vec![],
                body: vec![],
            })
            .await?;
        if resp.status == 404 {
            return Ok(());
        }
        if resp.status != 200 {
            return Err(server_error(&resp));
        }
        let rel: CatalogueRelease = parse(&resp)?;
        let have: bool = self
            .store
            .conn()
            .query_row(
                "SELECT 1 FROM catalogue_release WHERE id = ?1",
                [&rel.release_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        let seen: i64 = self
            .cursor("catalogue")?
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        if rel.publication < seen {
            return Err(SyncError::Protocol("目录发布序号倒退".into()));
        }
        if !have {
            let (bytes, via) = match self.try_delta(&rel).await? {
                Some(b) => (b, "delta"),
                None => (self.download_snapshot(&rel).await?, "snapshot"),
            };
            let outcome = zhifa_core::catalogue::import(self.store, &bytes, self.clock.now())?;
            self.emit(
                "catalogue",
                outcome.matters as u64,
                bytes.len() as u64,
                Some(rel.size),
            );
            self.keep_base(&rel.sha256, &bytes)?;
            report.catalogue_via = Some(via.to_owned());
        }
        let mut cursors = vec![("catalogue", rel.publication.to_string())];
        if self.base_path(&rel.sha256).exists() {
            cursors.push(("catalogue_base", rel.sha256.clone()));
        }
        let now = ts(self.clock.now());
        for (stream, value) in cursors {
            self.store.conn().execute(
                "INSERT INTO sync_cursor (stream, cursor, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (stream) DO UPDATE SET cursor = ?2, updated_at = ?3",
                params![stream, value, now],
            )?;
        }
        report.catalogue_release = Some(rel.release_id);
        Ok(())
    }

    /// The snapshot of the release last applied, kept as the base of the
    /// next delta.
    pub(super) fn base_path(&self, sha: &str) -> PathBuf {
        self.cfg.work_dir.join(format!("catalogue-base-{sha}.json"))
    }

    /// Keeps `bytes` (the snapshot just imported) as the delta base: the
    /// verified partial download renamed, or (from a delta) written to a
    /// temporary file, fsynced and renamed; older bases are removed.
    pub(super) fn keep_base(&self, sha: &str, bytes: &[u8]) -> Result<(), SyncError> {
        let dest = self.base_path(sha);
        let part = self.partial_path(sha);
        if part.exists() {
            // The verified, fsynced snapshot download: keep it as it is.
            fs::rename(&part, &dest)?;
        } else {
            let tmp = dest.with_extension("json.tmp");
            {
                let mut f = File::create(&tmp)?;
                f.write_all(bytes)?;
                f.sync_all()?;
            }
            fs::rename(&tmp, &dest)?;
        }
        if let Ok(d) = File::open(&self.cfg.work_dir) {
            let _ = d.sync_all();
        }
        let keep = dest.file_name().map(|n| n.to_os_string());
        for entry in fs::read_dir(&self.cfg.work_dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let stale = name.to_str().is_some_and(|n| {
                n.starts_with("catalogue-base-") && Some(entry.file_name()) != keep
            });
            if stale {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(())
    }

    /// Fetches and applies the delta from the release last applied to
    /// `rel`. `None` means "take the snapshot": no base, no delta on the
    /// server, or a delta refused because its body or its result does not
    /// match the published digests (nothing reaches the store in any of
    /// these cases). Transport and transient server errors end the session.
    pub(super) async fn try_delta(
        &mut self,
        rel: &CatalogueRelease,
    ) -> Result<Option<Vec<u8>>, SyncError> {
        if !self.cfg.catalogue_delta {
            return Ok(None);
        }
        let Some(base_sha) = self.cursor("catalogue_base")? else {
            return Ok(None);
        };
        let base = match fs::read(self.base_path(&base_sha)) {
            Ok(b) if hex::encode(Sha256::digest(&b)) == base_sha => b,
            Ok(_) => {
                tracing::warn!("catalogue delta base damaged; taking the snapshot");
                let _ = fs::remove_file(self.base_path(&base_sha));
                return Ok(None);
            }
            Err(_) => return Ok(None),
        };
        let resp = self
            .call(HttpRequest {
                method: Method::Get,
                path: format!("/v1/catalogue/delta?from={base_sha}"),
                headers: vec![],
                body: vec![],
            })
            .await;
        let resp = match resp {
            Err(SyncError::Transport(TransportError::Damaged(why))) => {
                tracing::warn!(%why, "catalogue delta damaged on the way; taking the snapshot");
                return Ok(None);
            }
            other => other?,
        };
        if resp.status != 200 {
            let e = server_error(&resp);
            if e.is_transient() {
                return Err(e);
            }
            return Ok(None);
        }
        let digest = hex::encode(Sha256::digest(&resp.body));
        if resp.header(wire::DELTA_TO) != Some(rel.sha256.as_str())
            || resp.header(wire::DELTA_FROM) != Some(base_sha.as_str())
            || resp.header(wire::DELTA_SHA256) != Some(digest.as_str())
        {
            tracing::warn!("catalogue delta does not match its digests; taking the snapshot");
            return Ok(None);
        }
        self.emit("catalogue", 0, resp.body.len() as u64, Some(rel.size));
        match crate::delta::apply(&base, &resp.body, &rel.sha256, rel.size) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) => {
                tracing::warn!(
                    code = e.code(),
                    "catalogue delta refused; taking the snapshot"
                );
                Ok(None)
            }
        }
    }

    pub(super) fn partial_path(&self, sha: &str) -> PathBuf {
        self.cfg.work_dir.join(format!("catalogue-{sha}.part"))
    }

    /// Downloads a snapshot by ranges into a partial file (fsynced after
    /// each range), resuming from its length; verifies the whole digest.
    pub(super) async fn download_snapshot(
        &mut self,
        rel: &CatalogueRelease,
    ) -> Result<Vec<u8>, SyncError> {
        fs::create_dir_all(&self.cfg.work_dir)?;
        let path = self.partial_path(&rel.sha256);
        let mut f = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)?;
        let mut have = f.metadata()?.len().min(rel.size);
        f.set_len(have)?;
        let mut failures = 0;
        while have < rel.size {
            let end = (have + self.cfg.page_size as u64).min(rel.size) - 1;
            let resp = self
                .call(HttpRequest {
                    method: Method::Get,
                    path: rel.snapshot_path.clone(),
                    headers: vec![("range".into(), format!("bytes={have}-{end}"))],
                    body: vec![],
                })
                .await;
            // A range damaged on the way is refetched alone, like one that
            // fails its own range digest below.
            let damaged = matches!(resp, Err(SyncError::Transport(TransportError::Damaged(_))));
            let resp = match resp {
                Err(_) if damaged => None,
                other => Some(other?),
            };
            if let Some(r) = &resp
                && r.status != 206
                && r.status != 200
            {
                return Err(server_error(r));
            }
            let expected_len = end - have + 1;
            let bad = resp.as_ref().is_none_or(|r| {
                r.header(RANGE_SHA256) != Some(hex::encode(Sha256::digest(&r.body)).as_str())
                    || (r.status == 206 && r.body.len() as u64 != expected_len)
            });
            let Some(resp) = resp.filter(|_| !bad) else {
                failures += 1;
                tracing::warn!(
                    offset = have,
                    failures,
                    "catalogue range digest mismatch; refetching it"
                );
                if failures > 5 {
                    return Err(SyncError::Protocol("目录快照分段反复校验失败".into()));
                }
                continue;
            };
            let body = if resp.status == 200 {
                // A server that ignored Range sent everything: keep our part.
                resp.body
                    .get(usize::try_from(have).unwrap_or(0)..)
                    .unwrap_or(&[])
                    .to_vec()
            } else {
                resp.body
            };
            f.seek(SeekFrom::Start(have))?;
            f.write_all(&body)?;
            f.sync_all()?;
            have += body.len() as u64;
            self.emit("catalogue", 0, have, Some(rel.size));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(rel.size).unwrap_or(0));
        f.seek(SeekFrom::Start(0))?;
        f.read_to_end(&mut bytes)?;
        if hex::encode(Sha256::digest(&bytes)) != rel.sha256 {
            drop(f);
            fs::remove_file(&path)?;
            return Err(SyncError::Server {
                status: 502,
                code: "snapshot_digest_mismatch".into(),
                message: "目录快照摘要不符，已丢弃并将重新下载".into(),
            });
        }
        Ok(bytes)
    }
}
