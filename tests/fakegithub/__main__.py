"""Run the fake GitHub standalone, e.g. for a manual demo against a lab server:

    python -m tests.fakegithub --port 8443 --certdir DIR --seed demo
    SSL_CERT_FILE=DIR/ca.pem jupyter lab \\
        --NotebookSkills.github_url=https://localhost:8443 \\
        --NotebookSkills.github_api_url=https://localhost:8443/api/v3
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

import trustme

from .fake import FakeGitHub
from .seed import seed_demo

SEEDS = {"demo": seed_demo, "none": lambda fake: None}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m tests.fakegithub", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=8443)
    p.add_argument("--certdir", type=Path, required=True, help="where ca.pem is written")
    p.add_argument("--seed", choices=sorted(SEEDS), default="demo")
    args = p.parse_args(argv)
    ca = trustme.CA()
    args.certdir.mkdir(parents=True, exist_ok=True)
    ca.cert_pem.write_to_path(str(args.certdir / "ca.pem"))
    with FakeGitHub(ca, port=args.port) as fake:
        SEEDS[args.seed](fake)
        print(f"fake GitHub at {fake.url} (API {fake.api_url}); CA: {args.certdir / 'ca.pem'}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
