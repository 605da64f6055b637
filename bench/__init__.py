"""Tend's benchmarks: pages, dispatch and load, each measured beside a floor in the same run.

`make bench` (or `python -m bench --scale small`) runs them against the PostgreSQL and Redis
named by DATABASE_URL and CELERY_BROKER_URL; see docs/benchmarks.md.
"""
