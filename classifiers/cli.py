"""Command line: ``train``, ``eval``, ``import-directory`` (``python -m classifiers -h``)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import modelfile
from .datasets import SHARED_DATA, read_corrections, read_tsv, shared_files
from .directory import (
    DEPARTMENTS_FILE,
    DISTRICTS_FILE,
    DirectoryError,
    import_departments,
    load_directory,
)
from .metrics import Progress
from .router import DEFAULT_THRESHOLD, load_router
from .text import TextAnalyzer
from .training import Example, directory_examples, fit_models, tokenize_rows


def cmd_train(args: argparse.Namespace) -> int:
    directory = load_directory()
    analyzer = TextAnalyzer(directory)
    files = [] if args.no_shared else shared_files(Path(args.shared))
    examples: list[Example] = []
    inputs: dict[str, object] = {
        "directory": modelfile.file_digest(DEPARTMENTS_FILE)
        + modelfile.file_digest(DISTRICTS_FILE)[:4],
        "files": {},
    }
    for path in files:
        rows = read_tsv(path)
        bar = Progress(len(rows), f"tokenize {path.name}")
        ex, unknown = [], []
        for r in rows:  # one at a time for the progress bar
            e, u = tokenize_rows(analyzer, directory, [r])
            ex += e
            unknown += u
            bar.step()
        if unknown:
            print(
                f"{path.name}: {len(unknown)} rows with labels not in the directory skipped "
                f"({', '.join(sorted(set(unknown))[:8])})",
                file=sys.stderr,
            )
        examples += ex
        inputs["files"][path.name] = modelfile.file_digest(path)  # type: ignore[index]
    if args.corrections:
        cpath = Path(args.corrections)
        ex, unknown = tokenize_rows(analyzer, directory, read_corrections(cpath), "correction")
        if unknown:
            print(f"corrections: {len(unknown)} unknown department codes skipped", file=sys.stderr)
        examples += ex
        inputs["corrections"] = modelfile.file_digest(cpath)
    examples += directory_examples(analyzer, directory)
    inputs["examples"] = len(examples)
    bar = Progress(1, "train")
    pair = fit_models(examples, directory, progress=bar.note)
    bar.step()
    out = Path(args.out) if args.out else modelfile.SHIPPED_MODEL
    version = modelfile.save(pair, inputs, out)
    size = out.stat().st_size
    print(f"wrote {out} ({size / 1024:.0f} KiB), version {version}, {len(examples)} examples")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .cv import run_eval

    t0 = time.perf_counter()
    if args.cv and args.cv > 1:
        directory = load_directory()
        analyzer = TextAnalyzer(directory)
        scorer = None
    else:
        router = load_router(Path(args.model) if args.model else None, args.threshold)
        directory, analyzer, scorer = router.directory, router.analyzer, router.scorer
        print(f"model {router.version}")
    report = run_eval(
        Path(args.file), directory, analyzer, scorer, args.cv or 1, args.baseline, args.threshold
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
    ev.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    ev.add_argument("--model", help="model file (default: the newest)")
    ev.set_defaults(func=cmd_eval)
    im = sub.add_parser("import-directory", help="validate and install a departments JSON")
    im.add_argument("file")
    im.set_defaults(func=cmd_import)
    args = parser.parse_args(argv)
    return int(args.func(args))
