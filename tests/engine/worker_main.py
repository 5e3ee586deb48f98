"""A real RQ worker process for the engine tests: `python -m tests.engine.worker_main` (burst mode).

The app is built like the test's: configuration overrides come as JSON in SYNCWIZARD_TEST_OVERRIDES."""
import json
import os

from config import TestingConfig
from wizard import create_app
from wizard.worker import run_worker


def main():
    overrides = json.loads(os.environ["SYNCWIZARD_TEST_OVERRIDES"])
    app = create_app(TestingConfig, **overrides)
    run_worker(app, burst=True, with_scheduler=False)


if __name__ == "__main__":
    main()
