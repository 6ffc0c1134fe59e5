//! Evidence and document blobs: `HEAD` for dedupe, then a resumable
//! chunked upload with per-chunk SHA-256, resumed from the server's offset.

use super::*;

impl<'a, T: Transport, C: Clock> Engine<'a, T, C> {
    pub(super) fn set_blob(
        &mut self,
        sha: &str,
        size: u64,
        upload: Option<&str>,
        offset: u64,
        state: &str,
    ) -> Result<(), SyncError> {
        self.store.conn().execute(
            "INSERT INTO blob_upload (sha256, upload_id, size, offset, state, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (sha256) DO UPDATE SET upload_id = ?2, offset = ?4, state = ?5, updated_at = ?6",
            params![sha, upload, i64::try_from(size).unwrap_or(0), i64::try_from(offset).unwrap_or(0), state, ts(self.clock.now())],
        )?;
        Ok(())
    }

    /// Whether the server already holds blob `sha` (`HEAD`; then it is
    /// marked verified here and counted); `false` on 404.
    async fn server_has(
        &mut self,
        sha: &str,
        size: u64,
        report: &mut SyncReport,
    ) -> Result<bool, SyncError> {
        let head = self
            .call(HttpRequest {
                method: Method::Head,
                path: format!("/v1/blobs/{sha}"),
                headers: vec![],
                body: vec![],
            })
            .await?;
        match head.status {
            200 => {
                self.set_blob(sha, size, None, size, "verified")?;
                report.blobs_uploaded += 1;
                Ok(true)
            }
            404 => Ok(false),
            _ => Err(server_error(&head)),
        }
    }

    /// Uploads every original the server has not verified.
    pub(super) async fn upload_blobs(&mut self, report: &mut SyncReport) -> Result<(), SyncError> {
        let pending: Vec<(String, i64, String, String)> = {
            let mut st = self.store.conn().prepare(
                "SELECT e.sha256, max(e.size), min(e.ext), min(e.media_type) FROM evidence e
                 LEFT JOIN blob_upload b ON b.sha256 = e.sha256
                 WHERE b.state IS NULL OR b.state <> 'verified'
                 GROUP BY e.sha256 ORDER BY min(e.seq)",
            )?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        for (sha, size, ext, media) in pending {
            let size = u64::try_from(size).unwrap_or(0);
            if self.server_has(&sha, size, report).await? {
                continue;
            }
            let path = zhifa_core::evidence::EvidenceDir::new(&self.cfg.evidence_dir)
                .original_path(&sha, &ext);
            // The server receives (and re-hashes) the ORIGINAL bytes: a
            // sealed file is decrypted while it is read.
            let key = zhifa_core::sealed::FileKey::for_reading(self.store)
                .map_err(|e| SyncError::Store(format!("[{}] {e}", e.code())))?;
            self.upload_one(&sha, size, &media, &path, &key, report)
                .await?;
        }
        self.upload_documents(report).await
    }

    /// Uploads every issued document the server has not verified (the
    /// same resumable upload as evidence originals; sealed files are
    /// decrypted while read, the server re-hashes the original bytes).
    pub(super) async fn upload_documents(
        &mut self,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        use zhifa_core::case::archive;
        let announced = archive::announced_documents(self.store)
            .map_err(|e| SyncError::Store(format!("[{}] {e}", e.code())))?;
        for (sha, size) in announced {
            let state: Option<String> = self
                .store
                .conn()
                .query_row(
                    "SELECT state FROM blob_upload WHERE sha256 = ?1",
                    [&sha],
                    |r| r.get(0),
                )
                .optional()?;
            if state.as_deref() == Some("verified") {
                continue;
            }
            if self.server_has(&sha, size, report).await? {
                continue;
            }
            let path = archive::document_path(&self.cfg.documents_dir, &sha);
            let key = zhifa_core::sealed::FileKey::for_reading(self.store)
                .map_err(|e| SyncError::Store(format!("[{}] {e}", e.code())))?;
            self.upload_one(&sha, size, archive::PDF, &path, &key, report)
                .await?;
        }
        Ok(())
    }

    pub(super) async fn upload_one(
        &mut self,
        sha: &str,
        size: u64,
        media: &str,
        path: &Path,
        key: &zhifa_core::sealed::FileKey,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let create = UploadCreate {
            sha256: sha.to_owned(),
            size,
            media_type: media.to_owned(),
        };
        let resp = self
            .call(json_req(Method::Post, "/v1/uploads", &create)?)
            .await?;
        if resp.status != 200 && resp.status != 201 {
            return Err(server_error(&resp));
        }
        let mut st: UploadState = parse(&resp)?;
        let mut file =
            zhifa_core::sealed::open(path, key).map_err(|_| SyncError::EvidenceCorrupt {
                sha256: sha.to_owned(),
            })?;
        let mut chunk_failures = 0;
        let mut sent = 0u64;
        while !st.verified {
            self.set_blob(sha, size, Some(&st.upload_id), st.offset, "uploading")?;
            let len = (size - st.offset).min(self.cfg.chunk_size as u64);
            let mut buf = vec![0u8; usize::try_from(len).unwrap_or(0)];
            file.seek(SeekFrom::Start(st.offset))?;
            file.read_exact(&mut buf)
                .map_err(|_| SyncError::EvidenceCorrupt {
                    sha256: sha.to_owned(),
                })?;
            let sum = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&buf));
            let resp = self
                .call(HttpRequest {
                    method: Method::Patch,
                    path: format!("/v1/uploads/{}", st.upload_id),
                    headers: vec![
                        (
                            "content-type".into(),
                            "application/offset+octet-stream".into(),
                        ),
                        (wire::UPLOAD_OFFSET.into(), st.offset.to_string()),
                        (wire::UPLOAD_CHECKSUM.into(), format!("sha256 {sum}")),
                    ],
                    body: buf,
                })
                .await;
            let resp = match resp {
                Ok(r) => r,
                Err(SyncError::Transport(e)) => {
                    // The chunk may or may not have landed: the server's
                    // offset decides where to resume (F13).
                    tracing::info!(error = %e, "chunk lost; asking the server for its offset");
                    return Err(SyncError::Transport(e));
                }
                Err(e) => return Err(e),
            };
            match resp.status {
                200 => {
                    let next: UploadState = parse(&resp)?;
                    let acked = next.offset.saturating_sub(st.offset);
                    sent += acked;
                    report.bytes_uploaded += acked;
                    st = next;
                    chunk_failures = 0;
                    self.emit("blobs", report.blobs_uploaded, sent, Some(size));
                }
                409 | 422 | 404 => {
                    let b = server_error(&resp);
                    let code = match &b {
                        SyncError::Server { code, .. } => code.clone(),
                        _ => String::new(),
                    };
                    // Another uploader of the same hash moving the offset
                    // (409) is progress, not failure; anything else counts.
                    if code != ErrorKind::OffsetMismatch.code() {
                        chunk_failures += 1;
                        if chunk_failures > 5 {
                            return Err(b);
                        }
                    }
                    if code == ErrorKind::BlobHashMismatch.code() || resp.status == 404 {
                        // The server discarded the upload: check our file, start over.
                        let (local, _) = zhifa_core::evidence::hash_file(path, key)
                            .ok()
                            .flatten()
                            .ok_or_else(|| SyncError::EvidenceCorrupt {
                                sha256: sha.to_owned(),
                            })?;
                        if local != sha {
                            return Err(SyncError::EvidenceCorrupt {
                                sha256: sha.to_owned(),
                            });
                        }
                        let resp = self
                            .call(json_req(Method::Post, "/v1/uploads", &create)?)
                            .await?;
                        if resp.status != 200 && resp.status != 201 {
                            return Err(server_error(&resp));
                        }
                        st = parse(&resp)?;
                    } else if code == ErrorKind::OffsetMismatch.code() {
                        st = self.upload_state(&st.upload_id).await?;
                    }
                    // chunk_checksum_mismatch: resend the same chunk.
                }
                _ => return Err(server_error(&resp)),
            }
        }
        self.set_blob(sha, size, None, size, "verified")?;
        report.blobs_uploaded += 1;
        Ok(())
    }

    pub(super) async fn upload_state(&mut self, id: &str) -> Result<UploadState, SyncError> {
        let resp = self
            .call(HttpRequest {
                method: Method::Get,
                path: format!("/v1/uploads/{id}"),
                headers: vec![],
                body: vec![],
            })
            .await?;
        if resp.status != 200 {
            return Err(server_error(&resp));
        }
        parse(&resp)
    }
}
