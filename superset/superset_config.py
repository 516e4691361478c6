"""Superset's configuration for Deep Medicare (`SUPERSET_CONFIG_PATH` points here; `make superset` sets it).

Everything Superset keeps (its SQLite metadata, the secret key, logs) lives in DEEP_MEDICARE_SUPERSET_DIR, a
folder under the warehouse directory, so `make clean` removes it with the warehouse. Nothing here reaches the
network: no telemetry pixel, no web fonts, no map tiles.
"""

import os
from pathlib import Path

_STATE_DIR = Path(os.environ["DEEP_MEDICARE_SUPERSET_DIR"]).resolve()

# Written once by `python -m deep_medicare.superset start`, kept with the metadata it encrypts.
SECRET_KEY = (_STATE_DIR / "secret_key").read_text().strip()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{_STATE_DIR / 'superset.db'}?check_same_thread=false"
DATA_DIR = str(_STATE_DIR)

# One process, no Redis: an in-memory cache; chart data is not cached, so a rebuilt warehouse shows at once.
CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
FILTER_STATE_CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 86400}
EXPLORE_FORM_DATA_CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 86400}
RATELIMIT_STORAGE_URI = "memory://"

# The "latest data year" filters of the dashboard are `data_year = (select max(data_year) ...)`.
FEATURE_FLAGS = {"ALLOW_ADHOC_SUBQUERY": True}

# Offline: the content security policy allows this server only, so the browser never requests Superset's
# telemetry pixel (there is no setting to drop it) nor any font, tile or script from elsewhere.
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
CONTENT_SECURITY_POLICY_WARNING = False
