"""Settings of the portal: flat UPPERCASE names, secrets and URLs from the environment.

`create_app(overrides)` applies test overrides on top of these, then `check()`. Development
generates a secret once and keeps it in `instance/`; production (`PORTAL_ENV=production`) refuses
to start without a strong `SECRET_KEY` (issue 8 item 7: at least 32 bytes, not a repeated
pattern). `TRUSTED_PROXIES` is the number of reverse proxies in front of the application, whose
`X-Forwarded-For`/`-Proto` are believed (0: none, the client's own address counts).
"""

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


class ConfigError(RuntimeError):
    """A setting is missing or wrong: the application must not start."""


def _development_secret() -> str:
    """A random secret generated on first run and kept in instance/ (never committed)."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


MIN_SECRET_BYTES = 32
LOG_FORMATS = ("json", "text")
MIN_SECRET_DISTINCT = 8


def _secret_key(env: str) -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if env == "production":
        raise ConfigError("SECRET_KEY must be set in production (PORTAL_ENV=production).")
    return _development_secret()


def weak_secret(key: str) -> bool:
    """Too short to sign sessions safely, or obviously not random: few distinct characters, or
    one piece repeated (`aaaa…`, `abcabc…`)."""
    periodic = (key + key).find(key, 1) < len(key)
    return len(key.encode()) < MIN_SECRET_BYTES or len(set(key)) < MIN_SECRET_DISTINCT or periodic


def _trusted_proxies() -> int:
    value = os.environ.get("TRUSTED_PROXIES", "0").strip()
    if not value.isdigit():
        raise ConfigError(f"TRUSTED_PROXIES must be a number (0 or more), not {value!r}.")
    return int(value)


def check(settings: dict) -> None:
    """Refuse to start on settings that would be unsafe in production."""
    if settings.get("PORTAL_ENV") == "production" and weak_secret(settings.get("SECRET_KEY", "")):
        raise ConfigError(
            f"SECRET_KEY is too weak for production: use at least {MIN_SECRET_BYTES} random "
            "bytes, e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    _check_colour(settings)
    proxies = settings.get("TRUSTED_PROXIES", 0)
    if not isinstance(proxies, int) or isinstance(proxies, bool) or proxies < 0:
        raise ConfigError("TRUSTED_PROXIES must be a number (0 or more).")
    if settings.get("LOG_FORMAT", "text") not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be json or text, not {settings.get('LOG_FORMAT')!r}.")


def database_url(url: str | None = None) -> str:
    """The SQLAlchemy URL: DATABASE_URL, or SQLite in instance/portal.db."""
    url = url or os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'portal.db'}"
    # psycopg 3 is the driver we pin; accept the usual postgres:// spellings.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _flag(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _megabytes(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default))) * 1024 * 1024


COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
MIN_CONTRAST = 4.5  # WCAG 2.1 AA (RGAA 3.2) for normal text: white text on the primary colour


def identity() -> dict:
    """Who runs the portal (issue 9, "Identity"): shown on every page, never written in a
    template. The defaults are the demo's service."""
    env = os.environ.get
    name = env("SERVICE_NAME", "ASMIS")
    address = env("SERVICE_ADDRESS", "77, rue Debaussaux CS 60132 80001 AMIENS CEDEX 1")
    return {
        "SERVICE_NAME": name,
        "SERVICE_LEGAL_NAME": env(
            "SERVICE_LEGAL_NAME", f"{name}, service de prévention et de santé au travail"
        ),
        "SERVICE_ADDRESS": address,
        "SERVICE_PHONE": env("SERVICE_PHONE", "03 22 54 58 00"),
        "SERVICE_EMAIL": env("SERVICE_EMAIL", "contact@asmis.net"),
        "SERVICE_SUPPORT_EMAIL": env("SERVICE_SUPPORT_EMAIL", "hotline@asmis.net"),
        "SERVICE_WEBSITE": env("SERVICE_WEBSITE", "https://www.asmis.net"),
        # A file under app/static/ (img/logo.svg) or an absolute URL (https://..., /...)
        "SERVICE_LOGO": env("SERVICE_LOGO", "img/logo.svg"),
        "SERVICE_FAVICON": env("SERVICE_FAVICON", "img/favicon.svg"),
        "SERVICE_PRIMARY_COLOUR": env("SERVICE_PRIMARY_COLOUR", "#00587a"),
        # Legal notice (LCEN art. 6): publication director and host
        "SERVICE_PUBLICATION_DIRECTOR": env(
            "SERVICE_PUBLICATION_DIRECTOR", "Le directeur du service"
        ),
        "SERVICE_HOST": env("SERVICE_HOST", name),
        "SERVICE_HOST_ADDRESS": env("SERVICE_HOST_ADDRESS", address),
        "DPO_EMAIL": env("DPO_EMAIL", "dpo@asmis.example"),
    }


def billing() -> dict:
    """What the invoices print and how they are computed (issue 11). The defaults are the demo
    service's (a fictitious SIRET and bank account)."""
    env = os.environ.get
    return {
        "SERVICE_SIRET": env("SERVICE_SIRET", "78045612500019"),
        # Intra-community VAT number; by default the one derived from the SIREN.
        "SERVICE_VAT_ID": env("SERVICE_VAT_ID", ""),
        "SERVICE_IBAN": env("SERVICE_IBAN", "FR76 3000 6000 0112 3456 7890 189"),
        "SERVICE_BIC": env("SERVICE_BIC", "AGRIFRPPXXX"),
        "SERVICE_BANK": env("SERVICE_BANK", "Crédit Agricole Brie Picardie"),
        # Days between the invoice's date and its due date.
        "INVOICE_PAYMENT_DAYS": int(env("INVOICE_PAYMENT_DAYS", "30")),
        # VAT rate of the fees in percent: an SPST's membership fee is usually exempt (0), with
        # the wording printed on the invoice.
        "INVOICE_VAT_RATE": env("INVOICE_VAT_RATE", "0"),
        "INVOICE_VAT_EXEMPTION": env(
            "INVOICE_VAT_EXEMPTION", "Exonération de TVA, article 261-7-1° du CGI"
        ),
        # The national average cost per employee of each year (published yearly), which bounds
        # the base fee (80 % to 120 %): "2025:115.50,2026:..." adds or replaces years.
        "NATIONAL_AVERAGE_COSTS": _yearly_amounts(env("NATIONAL_AVERAGE_COSTS", "")),
    }


def contact() -> dict:
    """Contactez-nous and the notices (issue 12)."""
    env = os.environ.get
    support = env("SERVICE_SUPPORT_EMAIL", "hotline@asmis.net")
    return {
        # Where each type of request is announced, by type code ("facture=compta@x.fr;..."); a
        # type without one goes to SERVICE_EMAIL; staff may also set one per type.
        "CONTACT_ADDRESSES": _pairs(env("CONTACT_ADDRESSES", f"support={support}")),
        # Messages a user may send per hour (a flood is refused with a 429).
        "CONTACT_RATE_LIMIT": env("CONTACT_RATE_LIMIT", "10 per hour"),
        # The attestation de non contre-indication: validity, and how long before its end the
        # member is told (exam_types.csv: valid 5 years, décret 2025-355).
        "NCI_EXAM_CODE": env("NCI_EXAM_CODE", "NCI"),
        "NCI_VALIDITY_MONTHS": int(env("NCI_VALIDITY_MONTHS", "60")),
        "NCI_NOTICE_MONTHS": int(env("NCI_NOTICE_MONTHS", "3")),
    }


def _pairs(text: str) -> dict[str, str]:
    pairs = (item.split("=", 1) for item in text.split(";") if "=" in item)
    return {key.strip(): value.strip() for key, value in pairs if key.strip() and value.strip()}


def _yearly_amounts(text: str) -> dict[int, str]:
    amounts = {2025: "115.50"}
    for part in filter(None, (p.strip() for p in text.split(","))):
        year, _, amount = part.partition(":")
        if not (year.strip().isdigit() and re.fullmatch(r"\d+(\.\d{1,2})?", amount.strip())):
            raise ConfigError(f"NATIONAL_AVERAGE_COSTS: {part!r} is not like 2026:118.20.")
        amounts[int(year)] = amount.strip()
    return amounts


def contrast(colour: str, other: str = "#ffffff") -> float:
    """WCAG contrast ratio of two #rrggbb colours."""

    def luminance(value: str) -> float:
        channels = [int(value[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(colour), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _check_colour(settings: dict) -> None:
    colour = settings.get("SERVICE_PRIMARY_COLOUR", "#00587a")
    if not isinstance(colour, str) or not COLOUR.fullmatch(colour):
        raise ConfigError(f"SERVICE_PRIMARY_COLOUR must be a colour like #00587a, not {colour!r}.")
    if contrast(colour) < MIN_CONTRAST:
        raise ConfigError(
            f"SERVICE_PRIMARY_COLOUR {colour} is too light for white text (contrast "
            f"{contrast(colour):.1f}, at least {MIN_CONTRAST} required): choose a darker colour."
        )


def load() -> dict:
    """The settings for the current environment, read when the app is created (not at import)."""
    env = os.environ.get("PORTAL_ENV", "development")
    settings = _settings(env)
    check(settings)
    return settings


def _settings(env: str) -> dict:
    production = env == "production"
    return {
        "PORTAL_ENV": env,
        "SECRET_KEY": _secret_key(env),
        # Reverse proxies in front (README, "Production serving"): their X-Forwarded-* are used.
        "TRUSTED_PROXIES": _trusted_proxies(),
        "SQLALCHEMY_DATABASE_URI": database_url(),
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Flask-AppBuilder
        "APP_NAME": "Portail adhérent",
        "FAB_SECURITY_MANAGER_CLASS": "app.security.manager.PortalSecurityManager",
        "FAB_INDEX_VIEW": "app.views.home.HomeView",
        "FAB_BASE_TEMPLATE": "layout.html",
        "FAB_CREATE_DB": False,  # the schema belongs to Alembic
        "FAB_UPDATE_PERMS": False,  # roles are regex built-ins (app.permissions), nothing to sync
        "FAB_ADD_SECURITY_API": False,
        "FAB_API_SWAGGER_UI": False,
        "FAB_ADD_MENU_API": False,
        # Roles are built-in patterns (app/permissions.py): FAB's permission tables stay unused.
        "FAB_ADD_SECURITY_PERMISSION_VIEW": False,
        "FAB_ADD_SECURITY_VIEW_MENU_VIEW": False,
        "FAB_ADD_SECURITY_PERMISSION_VIEWS_VIEW": False,
        "FAB_ADD_OPENAPI_VIEWS": False,
        "AUTH_TYPE": 1,  # AUTH_DB
        "AUTH_USER_REGISTRATION": False,
        "AUTH_ROLE_ADMIN": "Admin",
        "AUTH_ROLE_PUBLIC": "Public",
        "AUTH_RATE_LIMITED": True,
        "AUTH_RATE_LIMIT": os.environ.get("AUTH_RATE_LIMIT", "10 per minute"),
        "AUTH_ACCOUNT_RATE_LIMIT": os.environ.get("AUTH_ACCOUNT_RATE_LIMIT", "10 per 15 minutes"),
        "ACCESS_RATE_LIMIT": os.environ.get("ACCESS_RATE_LIMIT", "10 per minute"),
        "ACCESS_ACCOUNT_RATE_LIMIT": os.environ.get(
            "ACCESS_ACCOUNT_RATE_LIMIT", "10 per 15 minutes"
        ),
        "AUTH_LOCK_THRESHOLD": int(os.environ.get("AUTH_LOCK_THRESHOLD", "5")),
        "AUTH_LOCK_MINUTES": int(os.environ.get("AUTH_LOCK_MINUTES", "15")),
        "FAB_PASSWORD_HASH_METHOD": "scrypt",
        # Rate limiting (shared storage in production: redis://host:6379/0)
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        # Background jobs (issue 13): RQ on this Redis, run by `flask worker`; without it, jobs
        # run in the web process once the response is out (development, tests).
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "JOB_TIMEOUT": int(os.environ.get("JOB_TIMEOUT", "3600")),  # seconds, per job
        # Language: French first, English on the switch
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "BABEL_TRANSLATION_DIRECTORIES": str(BASE_DIR / "translations"),
        "LANGUAGES": {
            "fr": {"flag": "fr", "name": "Français"},
            "en": {"flag": "gb", "name": "English"},
        },
        # Sessions and cookies
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(os.environ.get("SESSION_HOURS", "8"))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_DURATION": timedelta(hours=8),
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,  # bound to the session, which has its own lifetime
        # Documents exchanged with the service (issue 10): PDFs up to DOCUMENT_MAX_MB; a request
        # may carry the form around the file, and a bigger one is cut short with a 413.
        "DOCUMENT_MAX_BYTES": _megabytes("DOCUMENT_MAX_MB", 20),
        "MAX_CONTENT_LENGTH": _megabytes("DOCUMENT_MAX_MB", 20) + 1024 * 1024,
        # Sending a document to more members than this is a background job (issue 13).
        "DOCUMENT_SEND_INLINE_MAX": int(os.environ.get("DOCUMENT_SEND_INLINE_MAX", "50")),
        # Employees in bulk (issue 14): the largest file and row count an import accepts.
        "IMPORT_MAX_BYTES": _megabytes("IMPORT_MAX_MB", 20),
        "IMPORT_MAX_ROWS": int(os.environ.get("IMPORT_MAX_ROWS", "30000")),
        # The DUERP question at login is not asked for this long after a deposit.
        "DUERP_RECENT_MONTHS": int(os.environ.get("DUERP_RECENT_MONTHS", "12")),
        # Whether the DUERP question is shown at login at all (a service may pause it).
        "DUERP_ASK_AT_LOGIN": _flag("DUERP_ASK_AT_LOGIN", True),
        # Mail (used from the account issue on)
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "portail@asmis.example"),
        # The service: letters, e-mails, the pages' header and footer, the legal pages
        **identity(),
        **billing(),
        **contact(),
        "PORTAL_URL": os.environ.get("PORTAL_URL", "http://127.0.0.1:5000"),
        "PAGE_SIZE": 25,
        # One line per request (app/request_log.py): json or text; the client's address only
        # when asked (it is personal data).
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "json" if production else "text").lower(),
        "LOG_CLIENT_IP": _flag("LOG_CLIENT_IP", False),
    }
