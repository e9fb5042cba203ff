"""`python -m towersim`: run one simulated tower until SIGINT or SIGTERM."""

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from towersim.app import tower_start
from towersim.config import ConfigError, load_config


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m towersim", description=__doc__)
    parser.add_argument("--config", required=True, help="tower JSON (see towersim/configs/)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--webhook", help="URL our side receives events on (omit: poll /v1/events)")
    parser.add_argument("--secret", default=os.environ.get("TOWERSIM_SECRET", ""), help="HMAC secret")
    parser.add_argument("--speed", type=float, default=1.0, help="time scale: 50 runs 50× faster")
    parser.add_argument("--state-dir", help="where state persists (default var/towersim/<tower>)")
    parser.add_argument(
        "--operator-token",
        default=os.environ.get("TOWERSIM_OPERATOR_TOKEN"),
        help="token for /v1/clear and PUT /v1/inventory (default: the secret)",
    )
    parser.add_argument("--max-backoff", type=float, default=30.0, help="webhook retry cap, seconds")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        config = load_config(args.config)
    except (OSError, ValueError) as error:
        print(f"towersim: bad config {args.config}: {error}", file=sys.stderr)
        return 2
    if args.webhook and not args.secret:
        print("towersim: --webhook needs --secret (or TOWERSIM_SECRET)", file=sys.stderr)
        return 2
    if not (args.operator_token or args.secret):
        print("towersim: give --operator-token or --secret, or nobody can clear a hold", file=sys.stderr)
        return 2
    state_dir = Path(args.state_dir or f"var/towersim/{config.tower}")
    try:
        app = tower_start(
            config=config,
            state_dir=state_dir,
            host=args.host,
            port=args.port,
            speed=args.speed,
            webhook_url=args.webhook,
            secret=args.secret,
            operator_token=args.operator_token,
            max_backoff_s=args.max_backoff,
        )
    except (ConfigError, ValueError, OSError) as error:
        print(f"towersim: cannot start: {error}", file=sys.stderr)
        return 2
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    print(
        f"towersim {config.tower} listening on {app.url} (speed {args.speed}, state {state_dir})", flush=True
    )
    done.wait()
    app.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
