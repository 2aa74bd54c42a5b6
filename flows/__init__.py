"""Orchestration and all I/O. Importing this package sets quiet defaults for a local Prefect run
(no telemetry, warnings only) before Prefect itself is imported; a user's environment wins."""

import logging
import os

for _key, _value in {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_SERVER_LEVEL": "ERROR",
    "PREFECT_SERVER_LOGGING_LEVEL": "ERROR",
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_UI_ENABLED": "false",
    # A loaded 2-core machine can take longer than the default 20 s to boot the local server.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
}.items():
    os.environ.setdefault(_key, _value)

# trafilatura warns about the markup it reads ("empty link", "discarding data"): nothing a user
# can act on, and dozens of lines before a run's progress; its errors still show.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
