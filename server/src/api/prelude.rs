//! The imports the handler files share (`use super::prelude::*`), so each
//! names what it uses without repeating the list.

pub(super) use axum::Json;
pub(super) use axum::body::Bytes;
pub(super) use axum::extract::{Path, Query, State};
pub(super) use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
pub(super) use axum::response::{IntoResponse, Response};
pub(super) use base64::Engine as _;
pub(super) use hmac::{Hmac, Mac};
pub(super) use serde::Deserialize;
pub(super) use sha2::{Digest, Sha256};
pub(super) use zhifa_protocol::ErrorKind;
pub(super) use zhifa_protocol::sign::{enrol_bytes, push_bytes, refresh_bytes};
pub(super) use zhifa_protocol::wire::{
    self, CaseSummary, CatalogueRelease, EnrolRequest, ErrorBody, InboxPage, LeaseGrant,
    LeaseRequest, PaymentCallback, PushRequest, PushResponse, RefreshRequest, TokenResponse,
    UploadCreate, UploadState,
};

pub(super) use super::state::{
    Auth, St, StaffAuth, blocking, check_protocol, is_sha256, parse_json, verify_sig,
};
pub(super) use crate::error::ApiError;
pub(super) use crate::store::Principal;
