"""The app for gunicorn in the HTTP benchmark: `BENCH_DATABASE_URL` names the database.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \
        gunicorn -w 4 -b 127.0.0.1:8765 "benchmarks.wsgi:app"
"""

from __future__ import annotations

import os

from benchmarks.bench_app import bench_app

app = bench_app(os.environ["BENCH_DATABASE_URL"])
