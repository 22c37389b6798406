"""``python -m benchmarks [--quick] [--only P1,P4,P8] [--scale 0.1] [--out BENCHMARKS.md]``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import report, runner


def main(argv=None):
    """Run the suite and write the report; with ``--quick``, exit 1 if a logreg solver missed f*."""
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--quick", action="store_true", help="small sizes, under a minute; checks every solver reaches f*")
    p.add_argument("--only", default=None, help=f"comma-separated subset of {','.join(runner.PROBLEMS)}")
    p.add_argument("--scale", type=float, default=1.0, help="multiply the number of rows (e.g. 0.1)")
    p.add_argument("--out", default=None, help="report path (default BENCHMARKS.md; none with --quick)")
    p.add_argument("--cache-dir", default=None, help="where the data are cached")
    p.add_argument(
        "--timeout", type=float, default=None, help="seconds per benchmark process (default 180; P8: 1800, quick 600)"
    )
    args = p.parse_args(argv)

    only = {s.strip() for s in args.only.split(",")} if args.only else None
    unknown = (only or set()) - set(runner.PROBLEMS)
    if unknown:
        p.error(f"unknown problem(s) {sorted(unknown)}; choose from {','.join(runner.PROBLEMS)}")
    out = runner.run_suite(
        quick=args.quick, only=only, scale=args.scale, cache_dir=args.cache_dir, timeout=args.timeout
    )
    path = args.out or (None if args.quick else "BENCHMARKS.md")
    if path:
        report.write(out, path)
        Path(path).with_suffix(".json").write_text(json.dumps(out, indent=1, default=str))
        print(f"wrote {path}")
    else:
        print(report.render(out, plot_name=None))
    bad = runner.failures(out)
    for line in bad:
        print(f"NOT AT OPTIMUM: {line}", file=sys.stderr)
    if args.quick:
        print(
            "quick check:", "FAILED" if bad else f"every logreg solver reached rel. suboptimality <= {runner.TARGET:g}"
        )
    return 1 if (bad and args.quick) else 0


if __name__ == "__main__":
    sys.exit(main())
