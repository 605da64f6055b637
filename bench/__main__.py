"""`python -m bench --scale small`: run the benchmarks (see bench/run.py and the Makefile)."""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", choices=["smoke", "small", "full"], default="small")
    parser.add_argument(
        "--only",
        default="pages,dispatch,load,import",
        help="comma-separated: pages,dispatch,load,import",
    )
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument(
        "--check",
        action="store_true",
        help="fail on errors or query counts that change with the data (never on time)",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from bench import report, run

    results = run.run_all(args.scale, only=set(args.only.split(",")))
    path = run.write(results, results_dir=args.results, docs=args.docs)
    print(report.markdown(results))
    print(f"Results: {path}; table: {args.docs}")
    found = run.problems(results)
    for problem in found:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if args.check and found else 0


if __name__ == "__main__":
    sys.exit(main())
