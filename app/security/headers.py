"""Security headers on every response (OWASP ASVS 14.4): a nonce-based Content-Security-Policy
(FAB's templates put `baselib.get_nonce()`, i.e. our `csp_nonce()`, on inline scripts), no sniffing,
no framing, a strict referrer policy, no storing of pages and downloads that show a user's data,
and HSTS in production (served over HTTPS only)."""

import secrets

from flask import current_app, g

CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP.format(nonce=csp_nonce()))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if response.mimetype == "text/html" or "Content-Disposition" in headers:
        # Set, not defaulted: send_file's own `no-cache` (store, then revalidate) would win and
        # leave a member's or an employee's file in the browser's and proxies' caches.
        headers["Cache-Control"] = "no-store"
    if current_app.config.get("PORTAL_ENV") == "production":
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app) -> None:
    app.after_request(set_security_headers)
    # A global, not a context processor: FAB imports its macro libraries without context, and
    # `baselib.get_nonce()` must still find it there.
    app.jinja_env.globals["csp_nonce"] = csp_nonce
