"""`python -m wizard.emulator [--host H] [--port P] [--state-file F]`: the same server as
`syncwizard emulator`, without loading the product's CLI (starts faster, e.g. under `syncwizard run --demo`)."""
import argparse
import os

from . import serve


def main():
    parser = argparse.ArgumentParser(prog="python -m wizard.emulator", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("EMULATOR_HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("EMULATOR_PORT") or 8765))
    parser.add_argument("--state-file", default=os.environ.get("EMULATOR_STATE_FILE") or None)
    args = parser.parse_args()
    print(f"Google emulator on http://{args.host}:{args.port}/ (console at /, data at /_emulator/ui)", flush=True)
    serve(args.host, args.port, args.state_file)


if __name__ == "__main__":
    main()
