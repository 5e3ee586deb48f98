"""A real RQ worker process for the engine tests: `python -m tests.engine.worker_main` (burst mode).

The app is built like the test's: configuration overrides come as JSON in SYNCWIZARD_TEST_OVERRIDES.
SYNCWIZARD_WORKER_BURST=0 keeps it running like `syncwizard worker` (the soak kills and restarts such workers)."""
import json
import os

from config import TestingConfig
from wizard import create_app
from wizard.worker import run_worker


def main():
    overrides = json.loads(os.environ["SYNCWIZARD_TEST_OVERRIDES"])
    app = create_app(TestingConfig, **overrides)
    burst = os.environ.get("SYNCWIZARD_WORKER_BURST", "1") != "0"
    run_worker(app, burst=burst, with_scheduler=False)


if __name__ == "__main__":
    main()
