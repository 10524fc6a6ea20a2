"""Command line: ``train``, ``eval``, ``import-directory`` (``python -m classifiers -h``)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import modelfile
from .catalogue import load_catalogue
from .datasets import SHARED_DATA, read_tsv, shared_files
from .directory import (
    DirectoryError,
    import_departments,
    load_directory,
)
from .router import DEFAULT_THRESHOLD, load_router
from .text import TextAnalyzer


def cmd_train(args: argparse.Namespace) -> int:
    from .build import train

    directory = load_directory()
    catalogue = load_catalogue(directory)
    analyzer = TextAnalyzer(directory)
    files = [] if args.no_shared else shared_files(Path(args.shared))
    out = Path(args.out) if args.out else modelfile.SHIPPED_MODEL
    corrections = Path(args.corrections) if args.corrections else None
    version, n, how = train(analyzer, directory, catalogue, files, corrections, out)
    size = out.stat().st_size
    print(f"wrote {out} ({size / 1024:.0f} KiB), version {version}, {n} examples")
    print(f"auto-route threshold: {how}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .cv import run_eval
    from .evaluate import is_department_file, route_report

    t0 = time.perf_counter()
    if not args.cv or args.cv < 2:
        router = load_router(Path(args.model) if args.model else None, args.threshold)
        if is_department_file(router.directory, read_tsv(Path(args.file))):
            print(route_report(router, Path(args.file)))
            print(f"\n(total {time.perf_counter() - t0:.1f}s)")
            return 0
    if args.cv and args.cv > 1:
        directory = load_directory()
        analyzer = TextAnalyzer(directory)
        scorer = None
    else:
        router = load_router(Path(args.model) if args.model else None, args.threshold)
        directory, analyzer, scorer = router.directory, router.analyzer, router.scorer
        print(f"model {router.version}")
    threshold = DEFAULT_THRESHOLD if args.threshold is None else args.threshold
    report = run_eval(
        Path(args.file), directory, analyzer, scorer, args.cv or 1, args.baseline, threshold
    )
    print(report)
    print(f"\n(total {time.perf_counter() - t0:.1f}s)")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    try:
        directory = import_departments(Path(args.file))
    except (DirectoryError, ValueError, KeyError) as exc:
        print(f"rejected, nothing changed: {exc}", file=sys.stderr)
        return 1
    print(f"imported {len(directory.departments)} departments; run `train` to refresh weights")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classifiers")
    sub = parser.add_subparsers(dest="command", required=True)
    tr = sub.add_parser("train", help="rebuild the model file from data and corrections")
    tr.add_argument("--corrections", help="JSONL or TSV of (text, department_code[, title])")
    tr.add_argument("--out", help=f"model file to write (default {modelfile.SHIPPED_MODEL})")
    tr.add_argument("--shared", default=str(SHARED_DATA), help="labelled data directory")
    tr.add_argument("--no-shared", action="store_true", help="ignore the shared data")
    tr.set_defaults(func=cmd_train)
    ev = sub.add_parser("eval", help="evaluate on FILE.tsv (id, label, title, text)")
    ev.add_argument("file")
    ev.add_argument("--cv", type=int, default=0, help="K-fold cross-validation on FILE")
    ev.add_argument("--baseline", action="store_true", help="also jieba+TF-IDF+LinearSVC")
    ev.add_argument(
        "--threshold",
        type=float,
        default=None,
        help=f"auto-route threshold (default: the model's calibrated one, or {DEFAULT_THRESHOLD})",
    )
    ev.add_argument("--model", help="model file (default: the newest)")
    ev.set_defaults(func=cmd_eval)
    im = sub.add_parser("import-directory", help="validate and install a departments JSON")
    im.add_argument("file")
    im.set_defaults(func=cmd_import)
    args = parser.parse_args(argv)
    return int(args.func(args))
