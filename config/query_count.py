"""Query counts and server time on every response, for the benchmarks in bench/.

Installed only when TEND_QUERY_COUNT_HEADER=1 (see settings): the benchmarks read the
figures from the real server over HTTP instead of guessing them from a test client.
"""

import time

from django.db import connection


class QueryCountMiddleware:
    """Adds `X-Query-Count` and a `Server-Timing` entry covering everything below it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        response["X-Query-Count"] = str(count)
        response["Server-Timing"] = f"app;dur={elapsed_ms:.2f}"
        return response
