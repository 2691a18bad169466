"""gunicorn's settings, read from ./gunicorn.conf.py by every `gunicorn` started in the
project's folder: the image, docker-compose and the benchmarks (bench/bench_scale.py) run the
same server. Command-line flags override them.

Threaded workers keep HTTP connections alive between requests (gunicorn's sync workers close
each one): a client system posting to Open311, or a reverse proxy with upstream keep-alive,
then pays no TCP handshake per request — at 200 requests/s on 2 cores that handshake was a
fifth of the server's CPU (docs/benchmarks.md).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = "gthread"
# One request at a time per process (Python runs one thread at a time anyway); the thread
# pool is what lets the worker keep idle connections open.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
keepalive = 5  # seconds an idle connection stays open
timeout = 60
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # "" turns it off
