"""Settings for a worker process in the import tests, while the real parsers are missing."""

from config.settings import *  # noqa: F403

IMPORT_PARSER = "tests.connections.import_standin"
