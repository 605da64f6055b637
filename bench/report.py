"""The Markdown table for docs/benchmarks.md, one section per scale, replaced on each run."""

from pathlib import Path

PAGE_LABELS = {
    "floor": "floor: login-required base page",
    "dashboard": "dashboard",
    "people": "people list, page 1",
    "people_search": "people search (a word from interactions)",
    "people_by_value": "people filtered by a value",
    "person": "person page (500 interactions)",
    "insights": "insights",
}


def _n(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def markdown(results: dict) -> str:
    scale, m, d = results["scale"], results["machine"], results["dataset"]
    lines = [
        f"### Scale `{scale}` — {results['date']} (commit {results['commit']})",
        "",
        f"Machine: {m['cores']} cores, {m['memory_gb']} GB, {m['cpu']}; PostgreSQL "
        f"{m['postgresql']}, Redis {m['redis']}, Python {m['python']}. Shared and noisy: read "
        "the ratios, not the milliseconds.",
        "",
        f"Data: `bench@example.com` with {_n(d['people'])} people, {_n(d['interactions'])} "
        f"interactions, {_n(d['nudges'])} nudges ({_n(d['open_nudges'])} open); "
        f"{_n(d['other_users'])} other users with {_n(d['other_people'])} people between them.",
        "",
    ]
    if "pages" in results:
        p = results["pages"]
        lines += [
            f"**Pages** ({p['server']}; server time from the `Server-Timing` header; medians of "
            f"{p['runs']} runs × {p['requests_per_run']} requests, interleaved with the floor)",
            "",
            "| page | p50 ms | p95 ms | p50 × floor | queries | queries, a smaller user |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, page in p["pages"].items():
            label = PAGE_LABELS.get(name, name)
            lines.append(
                f"| {label} | {page['p50_ms']} | {page['p95_ms']} | {page['ratio_p50']} | "
                f"{page['queries']} | {page['queries_other_user']} |"
            )
        first = p.get("dashboard_first_look")
        if first and first["p50_ms"]:
            floor_ms = p["pages"]["floor"]["p50_ms"]
            lines += [
                "",
                f"The first dashboard of a week also chooses the week's three (kept for the "
                f"week; the figures above are the later looks): p50 {first['p50_ms']} ms, "
                f"{round(first['p50_ms'] / floor_ms, 2)} × the floor, "
                f"{', '.join(str(q) for q in first['queries'])} queries.",
            ]
        lines.append("")
    if "dispatch" in results:
        x = results["dispatch"]
        two, floor = x["two_workers_seconds"], x["floor_seconds"]
        lines += [
            f"**Dispatch** ({_n(x['emails'])} users due in the same hour, one tick to the last "
            f"email at the sink; emails of {_n(x['email_bytes'])} bytes; medians of {x['runs']} "
            "runs)",
            "",
            "| | seconds | emails/s | × floor |",
            "|---|---:|---:|---:|",
            f"| floor: smtplib loop | {x['floor_seconds']} | "
            f"{round(x['emails'] / x['floor_seconds'], 1) if x['floor_seconds'] else '–'} | 1 |",
            f"| 1 worker (tick itself {x['tick_seconds_one_worker']} s) | "
            f"{x['one_worker_seconds']} | {x['emails_per_second_one_worker']} | "
            f"{x['ratio_one_worker']} |",
            f"| 2 workers (speed-up {x['speedup_two_workers']}×) | {x['two_workers_seconds']} | "
            f"{round(x['emails'] / two, 1) if two else '–'} | "
            f"{round(two / floor, 2) if floor else '–'} |",
            "",
        ]
    if "load" in results:
        lo = results["load"]
        lines += [
            f"**Load** (gunicorn with {lo['workers']} workers, {lo['clients']} clients for "
            f"{lo['seconds']} s each; {lo['mix']})",
            "",
            "| | requests/s | p50 ms | p95 ms | errors |",
            "|---|---:|---:|---:|---:|",
        ]
        for label, key in (("floor page", "floor"), ("page mix", "pages")):
            row = lo[key]
            lines.append(
                f"| {label} | {row['requests_per_second']} | {row['p50_ms']} | {row['p95_ms']} | "
                f"{row['errors']} |"
            )
        lines += ["", f"Throughput: the floor serves {lo['ratio_throughput']}× the page mix.", ""]
    if "import" in results:
        lines += _import_lines(results["import"])
    lines += [
        "Reproduce:",
        "",
        "```sh",
        "DATABASE_URL=postgres://postgres@127.0.0.1:5432/tend_bench \\",
        f"CELERY_BROKER_URL=redis://127.0.0.1:6379/3 make bench BENCH_SCALE={scale}",
        "```",
    ]
    return "\n".join(lines) + "\n"


def _import_lines(im: dict) -> list[str]:
    lines = [
        "**Import** (each file handed over as the Import page does, previewed and imported by "
        "one Celery worker, `--pool solo`, a fresh one per file; seconds from hand-over to "
        '"done"; floor: the import\'s parser alone on the same file, nothing written, median '
        f"of {im['floor_runs']} runs. The job parses the file once, so 1 × is its least)",
        "",
        "| file | records | MB | floor s | preview s | import s | total s | × floor | "
        "again, all skipped: s | × floor | worker peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in im["files"]:
        first, again = f["first"], f["again"]
        lines.append(
            f"| {f['label']} | {_n(f['records'])} | {round(f['bytes'] / 1e6, 1)} | "
            f"{f['floor_seconds']} | {first['preview_seconds']} | {first['import_seconds']} | "
            f"{first['seconds']} | {first['ratio']} | {again['seconds']} | {again['ratio']} | "
            f"{f['worker_peak_mb_again']} |"
        )
    lines.append("")
    for kind, label in (("vcard", "vCard"), ("google_csv", "Google CSV")):
        m = im["memory"].get(kind)
        if m:
            (small, large), (small_mb, large_mb) = m["records"], m["peak_mb"]
            lines.append(
                f"- Worker peak memory after the first import, {label}: {small_mb} MB for "
                f"{_n(small)} records, {large_mb} MB for {_n(large)} ({m['growth_mb']:+} MB)."
            )
    ready = [f["worker_ready_mb"] for f in im["files"]]
    lines += [f"- A worker uses {min(ready)}–{max(ready)} MB when ready.", ""]
    return lines


def update_docs(path: Path, results: dict) -> None:
    """Replace this scale's section (between its markers), or add it at the end."""
    start, end = f"<!-- results:{results['scale']} -->", f"<!-- /results:{results['scale']} -->"
    section = f"{start}\n{markdown(results)}{end}"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
