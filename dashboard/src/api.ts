// The admin API from the browser. The token lives in sessionStorage (gone when the tab closes) and
// goes out as a Bearer header on every call; never a cookie, so no other site can ride on it (no CSRF).
const KEY = 'sluice.adminToken'
/** Dispatched on window when the stored token stops working; detail is the reason. */
export const SIGNED_OUT = 'sluice:signed-out'

export type Role = 'viewer' | 'operator' | 'admin'
export interface Session {
  readonly name: string
  readonly role: Role
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export const storedToken = (): string | null => sessionStorage.getItem(KEY)
export const storeToken = (value: string | null): void => (value === null ? sessionStorage.removeItem(KEY) : sessionStorage.setItem(KEY, value))

export async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${init.token ?? storedToken() ?? ''}` }
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) })
  const body = (await response.json().catch(() => ({}))) as T & { code?: string; message?: string }
  if (!response.ok) {
    const error = new ApiError(response.status, body.code ?? `HTTP ${response.status}`, body.message ?? response.statusText)
    // The stored token no longer signs in (removed from admin.tokens and reloaded): back to the sign-in form.
    if (response.status === 401 && init.token === undefined && storedToken() !== null) {
      storeToken(null)
      dispatchEvent(new CustomEvent(SIGNED_OUT, { detail: `${error.code}: ${error.message}` }))
    }
    throw error
  }
  return body
}

/** Operators and admins act; viewers only read. The server checks again on every call. */
export const canAct = (session: Session, needs: Role = 'operator'): boolean => session.role === 'admin' || (needs === 'operator' && session.role === 'operator')

export const enc = encodeURIComponent
