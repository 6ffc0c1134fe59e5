/**
 * The server's stable error codes in plain Chinese for the console's
 * people. The server's own message (already Chinese) is shown when a code
 * is not listed; the code is always shown beside it, so a call to the
 * help desk can name it.
 */
export const ERROR_MESSAGES: Record<string, string> = {
  signin_failed: '用户名、密码或动态验证码不正确。',
  sso_disabled: '本系统未启用政务统一身份认证登录。',
  sso_state_invalid: '登录请求已失效，请重新发起统一身份认证登录。',
  sso_denied: '统一身份认证平台未完成登录，请重新发起。',
  sso_provider: '统一身份认证平台暂时无法访问，请稍后再试。',
  sso_code_rejected: '统一身份认证平台拒绝了本次登录的授权码，请重新登录。',
  sso_signature_invalid: '统一身份认证平台返回的身份令牌签名无法验证。',
  sso_issuer_invalid: '身份令牌的签发方不是本系统配置的统一身份认证平台。',
  sso_audience_invalid: '身份令牌不是签发给本系统的。',
  sso_token_expired: '统一身份认证平台返回的身份令牌已过期，请重新登录。',
  sso_token_invalid: '统一身份认证平台返回的身份令牌无效。',
  sso_nonce_invalid: '统一身份认证平台返回的身份令牌与本次登录不符。',
  sso_unlinked: '此统一身份认证账号尚未关联本系统的工作人员账号，请联系系统管理员。',
  sso_account_disabled: '关联的工作人员账号已停用，请联系系统管理员。',
  sso_subject_taken: '该统一身份认证账号已关联本辖区以外的工作人员账号。',
  account_locked: '连续登录失败次数过多，账号已临时锁定。',
  session_invalid: '登录已失效，请重新登录。',
  session_expired: '长时间未操作，登录已过期，请重新登录。',
  csrf_missing: '页面校验信息缺失，请刷新页面后重试。',
  csrf_invalid: '页面校验信息已失效，请刷新页面后重试。',
  unauthorized: '尚未登录，请先登录。',
  forbidden: '本账号无权进行此操作或查看此内容。',
  not_found: '没有找到要查看的内容，可能不在本账号辖区或尚未同步到中心。',
  bad_request: '请求的条件有误，请检查筛选条件。',
  rate_limited: '操作过于频繁，请稍后再试。',
  unavailable: '服务器暂时繁忙，请稍后再试。',
  internal: '服务器出现内部错误，请联系管理员。',
  network: '无法连接服务器，请检查网络后重试。',
}

/** An error answered by the server (or the network), with its stable code. */
export class ApiError extends Error {
  readonly code: string
  readonly status: number
  /** The server's own message, if it sent one. */
  readonly serverMessage: string

  constructor(code: string, status: number, serverMessage: string) {
    super(`${code}: ${serverMessage}`)
    this.code = code
    this.status = status
    this.serverMessage = serverMessage
  }

  /** What the screen shows: the server's Chinese message (it carries
   * details such as the lock-out's end), else the plain words for the
   * code, with the code after it. */
  get display(): string {
    const words = this.serverMessage || ERROR_MESSAGES[this.code] || '操作失败。'
    return `${words}（错误代码：${this.code}）`
  }

  /** Whether the person must sign in again. */
  get needsSignIn(): boolean {
    return ['unauthorized', 'session_invalid', 'session_expired'].includes(this.code)
  }
}

/** Turns a failed response's body into an [`ApiError`]. */
export function errorFrom(status: number, body: unknown): ApiError {
  if (body && typeof body === 'object' && 'code' in body && typeof body.code === 'string') {
    const message = 'message' in body && typeof body.message === 'string' ? body.message : ''
    return new ApiError(body.code, status, message)
  }
  const code = status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status === 404 ? 'not_found' : 'internal'
  return new ApiError(code, status, ERROR_MESSAGES[code] ?? '')
}
