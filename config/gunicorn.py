"""gunicorn's settings for every server this project starts: the demo (scripts/demo.sh), the flash bench
(bench/flash_booking.py) and a deployment (`gunicorn -c config/gunicorn.py config.wsgi:application`).

Processes rather than threads (decision 0032): each worker is one Python process with one GIL, and the booking button
waits twice on the network (Redis, PostgreSQL) in every press; with many threads per process those waits turn into GIL
hand-overs that cost CPU of their own. Two processes per core with two threads each keep a core busy while a request
waits, and keep workers × threads (the most database connections at once) far under PostgreSQL's 100.
"""
import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", 2 * len(os.sched_getaffinity(0))))
threads = int(os.environ.get("WEB_THREADS", 2))
