"""gunicorn's settings for akimat_reception (docs/deploy.md):

    gunicorn -c deploy/gunicorn.conf.py 'akimat_reception:create_app()'

Every value can be changed from the environment (the systemd unit reads /etc/akimat-reception/env)."""

import multiprocessing
import os

# Only nginx on this host talks to gunicorn. Never bind a public address: the app trusts
# X-Forwarded-For from TRUSTED_PROXY_HOPS proxies, and a client reaching gunicorn directly could
# claim any address (and so any rate limit's count).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers, one request at a time each: nginx buffers slow clients and whole uploads, so a worker
# is busy only while the app works. 2 × cores + 1 is gunicorn's own advice; WEB_CONCURRENCY wins.
# Each worker holds at most one PostgreSQL connection at a time (see the sizing in docs/deploy.md).
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"

# A request that takes longer than this is stuck (the slowest page, the journal check of a large
# akimat, stays well under it): the worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On stop or reload, a worker finishes the request in hand within this time (an upload, a letter).
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5  # nginx keeps connections to us open (upstream keepalive)

# No preload: each worker imports the app itself after the fork. Then no database connection, Redis
# socket or random state made at import is shared by several processes, and `systemctl reload`
# (SIGHUP: new workers, the old ones finish their requests) starts the new code after an upgrade.
# What it costs: each worker imports on its own (a second or two at start, some more memory).
preload_app = False

# gunicorn reads X-Forwarded-Proto only from these addresses. The app itself decides the resident's
# address and the scheme with werkzeug's ProxyFix (TRUSTED_PROXY_HOPS=1 for one nginx); this must
# name the same proxy, or the two disagree about HTTPS: nginx on this host is 127.0.0.1.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stdout and stderr: systemd keeps them in the journal (journalctl -u akimat-reception-web).
# The access log names the resident's address as nginx saw it, not nginx's.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(L)ss "%(a)s"'

# gunicorn's control socket (gunicornc) would live in the user's home, which the systemd unit hides
# (ProtectHome), and its default path is shared by every gunicorn of the machine: nothing here uses it.
control_socket_disable = True
# Heartbeat files of the workers in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
