"""gunicorn for `make serve` and the compose web service; every value can be set from the
environment.

Threads, not sync workers: a slow client or a long page then holds one thread, not a whole
worker, so the home page keeps answering while big pages render. With threads the timeout
restarts a worker whose main loop stops answering (stuck in C code), not a slow request.
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
# One process per core (the GIL), plus one, each with a handful of threads for I/O waits.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
# Recycle workers now and then (slow leaks in C extensions); jitter keeps them from all
# restarting at the same moment.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 200))
# The reverse proxy in front sets X-Forwarded-Proto; trust it from these addresses only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# No client address in the access log (the portal keeps IPs only as keyed hashes), and the
# request path without its query; residents' confirm and withdraw tokens are masked.
access_log_format = '%(m)s %(U)s %(s)s %(B)s %(M)sms "%(f)s"'
_production = os.environ.get("DJANGO_ENV") == "production"
_format = os.environ.get("LOG_FORMAT", "json" if _production else "plain")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "portal.logformat.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"mask_tokens": {"()": "portal.logformat.MaskTokensFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": _format,
            "filters": ["mask_tokens"],
            "stream": "ext://sys.stdout",
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
