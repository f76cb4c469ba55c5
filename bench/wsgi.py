"""The site as the benchmark serves it under gunicorn: the application unchanged, except that the
rate limiter is off (a load generator is one client sending thousands of letters and codes)."""

import os

from akimat_reception import create_app

app = create_app(
    {
        "RATELIMIT_ENABLED": False,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret"),
    }
)
