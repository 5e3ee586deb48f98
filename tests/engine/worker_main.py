"""A real RQ worker process for the engine tests: `python -m tests.engine.worker_main` (burst mode; with
SYNCWIZARD_TEST_WORKER=serve, a long-lived worker with its scheduler until SIGTERM, like `syncwizard worker`
without the periodic dispatcher).

The app is built like the test's: configuration overrides come as JSON in SYNCWIZARD_TEST_OVERRIDES."""
import json
import os

from config import TestingConfig
from wizard import create_app
from wizard.jobs.worker import make_worker, run_worker


def main():
    overrides = json.loads(os.environ["SYNCWIZARD_TEST_OVERRIDES"])
    app = create_app(TestingConfig, **overrides)
    if os.environ.get("SYNCWIZARD_TEST_WORKER") == "serve":
        make_worker(app).work(with_scheduler=True, logging_level="WARNING")
    else:
        run_worker(app, burst=True, with_scheduler=False)


if __name__ == "__main__":
    main()
