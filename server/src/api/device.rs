//! The device endpoints of docs/PROTOCOL.md: enrolment and token refresh
//! (signed by the device key), push and inbox (streams A and B), number
//! leases, the payment platform's callback, and a device's case list.

use super::prelude::*;

/// `POST /v1/enrol`
#[utoipa::path(post, path = "/v1/enrol", request_body = EnrolRequest,
    responses((status = 200, body = TokenResponse), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(super) async fn enrol(
    State(s): State<St>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<TokenResponse>, ApiError> {
    check_protocol(&headers)?;
    let req: EnrolRequest = parse_json(&body)?;
    crate::edges::check_device_id(&req.device_id)?;
    verify_sig(
        &req.public_key,
        &enrol_bytes(&req.code, &req.device_id, &req.public_key),
        &req.signature,
    )?;
    let store = s.store.clone();
    let now = s.clock.now();
    let id = req.device_id.clone();
    let mut out = blocking(move || store.enrol(&req, now)).await?;
    tracing::info!(officer = %out.officer.id, "device enrolled");
    with_certificate(&s, &mut out, id, now).await?;
    Ok(Json(out))
}

/// `POST /v1/token/refresh`
#[utoipa::path(post, path = "/v1/token/refresh", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn refresh(
    State(s): State<St>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<TokenResponse>, ApiError> {
    check_protocol(&headers)?;
    let req: RefreshRequest = parse_json(&body)?;
    let store = s.store.clone();
    let id = req.device_id.clone();
    let key = blocking(move || store.device_key(&id))
        .await?
        .ok_or_else(|| ApiError::new(ErrorKind::RefreshInvalid, "未知设备"))?;
    verify_sig(
        &key,
        &refresh_bytes(&req.device_id, &req.refresh_token),
        &req.signature,
    )?;
    let store = s.store.clone();
    let now = s.clock.now();
    let id = req.device_id.clone();
    let mut out = blocking(move || store.refresh(&req, now)).await?;
    with_certificate(&s, &mut out, id, now).await?;
    Ok(Json(out))
}

/// Adds the device's 亮码 certificate to a token answer, when its officer
/// has a credential on record.
pub(super) async fn with_certificate(
    s: &St,
    out: &mut TokenResponse,
    device_id: String,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ApiError> {
    let store = s.store.clone();
    let dev = blocking(move || store.badge_subject(&device_id)).await?;
    out.badge_certificate = dev
        .and_then(|d| d.subject)
        .map(|subject| s.badge.certify(&subject, now));
    Ok(())
}

/// `POST /v1/sync/push`
#[utoipa::path(post, path = "/v1/sync/push", request_body = PushRequest,
    responses((status = 200, body = PushResponse), (status = 409, description = "seq_gap with expected_seq", body = ErrorBody),
              (status = 413, description = "batch too large: halve it"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(super) async fn push(
    State(s): State<St>,
    Auth(who): Auth,
    body: Bytes,
) -> Result<Json<PushResponse>, ApiError> {
    let req: PushRequest = parse_json(&body)?;
    if req.device_id != who.device_id {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "批次的设备与令牌的设备不符",
        ));
    }
    verify_sig(&who.public_key, &push_bytes(&req), &req.signature)?;
    crate::edges::check_push_seqs(&req)?;
    let store = s.store.clone();
    let now = s.clock.now();
    let device = who.device_id.clone();
    let n = req.mutations.len();
    let out = blocking(move || store.push(&who, &req, now)).await;
    match &out {
        Ok(r) => {
            let rejected = r
                .results
                .iter()
                .filter(|x| x.status == wire::MutationStatus::Rejected)
                .count();
            tracing::info!(%device, mutations = n, acked_through = r.acked_through, rejected, "push");
        }
        Err(e) => tracing::info!(%device, mutations = n, code = e.kind.code(), "push refused"),
    }
    Ok(Json(out?))
}

/// Inbox query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct InboxQuery {
    /// The cursor of the last event applied (0 at first).
    #[serde(default)]
    cursor: i64,
    /// Page size (1–1000, default 200).
    limit: Option<i64>,
}

/// `GET /v1/sync/inbox`
#[utoipa::path(get, path = "/v1/sync/inbox", params(InboxQuery),
    responses((status = 200, body = InboxPage), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub(super) async fn inbox(
    State(s): State<St>,
    Auth(who): Auth,
    Query(q): Query<InboxQuery>,
) -> Result<Json<InboxPage>, ApiError> {
    let store = s.store.clone();
    Ok(Json(
        blocking(move || store.inbox(&who, q.cursor, q.limit.unwrap_or(200))).await?,
    ))
}

/// `POST /v1/leases`
#[utoipa::path(post, path = "/v1/leases", request_body = LeaseRequest,
    responses((status = 200, body = LeaseGrant), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub(super) async fn leases(
    State(s): State<St>,
    Auth(who): Auth,
    body: Bytes,
) -> Result<Json<LeaseGrant>, ApiError> {
    let req: LeaseRequest = parse_json(&body)?;
    let store = s.store.clone();
    let now = s.clock.now();
    let quota = s.limits.lease;
    Ok(Json(
        blocking(move || store.grant_lease_within(&who, &req, quota, now)).await?,
    ))
}

/// `POST /v1/finance/payments`: HMAC-signed payment confirmation.
#[utoipa::path(post, path = "/v1/finance/payments", request_body = PaymentCallback,
    params(("x-zhifa-signature" = String, Header, description = "hex HMAC-SHA256 of the body")),
    responses((status = 200, description = "recorded (or already recorded)"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn finance_payment(
    State(s): State<St>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let sig = headers
        .get(wire::FINANCE_SIGNATURE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| hex::decode(v).ok())
        .ok_or_else(|| ApiError::new(ErrorKind::FinanceSignatureInvalid, "缺少签名"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&s.finance_secret)
        .map_err(|_| ApiError::new(ErrorKind::Internal, "HMAC 密钥无效"))?;
    mac.update(&body);
    mac.verify_slice(&sig)
        .map_err(|_| ApiError::new(ErrorKind::FinanceSignatureInvalid, "签名无效"))?;
    let cb: PaymentCallback = parse_json(&body)?;
    crate::edges::check_payment(&cb)?;
    let store = s.store.clone();
    let now = s.clock.now();
    let new = blocking(move || store.payment(&cb, now)).await?;
    Ok(Json(serde_json::json!({ "recorded": true, "new": new })))
}

/// `GET /v1/cases`: the cases in the caller's jurisdiction.
#[utoipa::path(get, path = "/v1/cases",
    responses((status = 200, body = Vec<CaseSummary>), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub(super) async fn cases(
    State(s): State<St>,
    Auth(who): Auth,
) -> Result<Json<Vec<CaseSummary>>, ApiError> {
    let store = s.store.clone();
    let now = s.clock.now();
    Ok(Json(blocking(move || store.device_cases(&who, now)).await?))
}
