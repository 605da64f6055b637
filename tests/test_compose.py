import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def procfile() -> dict[str, list[str]]:
    processes = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            processes[name.strip()] = shlex.split(command)
    return processes


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def entry_point(command: list[str]) -> list[str]:
    """The program and what it runs: `gunicorn config.wsgi`, `celery -A config worker`."""
    if command[0] == "celery":
        return command[:4]
    return command[:2]


def test_compose_runs_the_same_processes_as_make_run():
    services = compose()["services"]
    for name, command in procfile().items():
        assert name in services, f"docker-compose.yml has no {name} service"
        assert entry_point(services[name]["command"]) == entry_point(command)


def test_compose_has_the_production_services_with_healthchecks():
    services = compose()["services"]
    assert {"postgres", "redis", "web", "worker", "beat", "mailpit"} <= set(services)
    for name in ("postgres", "redis", "web", "worker", "mailpit"):
        assert "healthcheck" in services[name], f"{name} has no healthcheck"
    assert services["web"]["environment"]["DATABASE_URL"].startswith("postgres://")
    assert services["worker"]["environment"]["CELERY_BROKER_URL"].startswith("redis://")
    assert services["web"]["environment"]["DEBUG"] == "false"


def test_compose_keeps_data_in_volumes():
    document = compose()
    assert {"postgres-data", "redis-data", "tend-data"} <= set(document["volumes"])
    assert "postgres-data:/var/lib/postgresql/data" in document["services"]["postgres"]["volumes"]


def test_web_healthcheck_uses_healthz():
    test = compose()["services"]["web"]["healthcheck"]["test"]
    assert any("/healthz" in part for part in test)
