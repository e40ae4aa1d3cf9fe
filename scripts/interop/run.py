"""`make interop`: the real Python tools (transformers, PEFT, gguf) against Quench's inputs and outputs.

  <venv>/bin/python scripts/interop/run.py [--quench .build/release/quench] [--work DIR] [--only TEXT ...]

Prints one line per check: PASS or FAIL, the measured difference and its tolerance (or what was compared),
then `N passed, N failed`; exits 1 when a check failed.
The files (imported and merged models, adapters, tiny models) go to --work, a temporary folder by default.
Never part of `make test`: it needs the venv scripts/interop/setup-venv.sh makes.
"""
import argparse
import os
import pathlib
import shutil
import sys
import tempfile
import traceback
import warnings

sys.dont_write_bytecode = True  # no __pycache__ in the repository
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TQDM_DISABLE", "1")

import torch  # noqa: E402
import transformers  # noqa: E402

import checks_adapters  # noqa: E402
import checks_architectures  # noqa: E402
import checks_exports  # noqa: E402
import checks_gguf  # noqa: E402
import checks_per_token  # noqa: E402
from common import Context, Result  # noqa: E402
from quench_cli import Quench  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]


def run_check(check, context):
    """The check's Result; an exception is a FAIL with its message."""
    try:
        return check(context)
    except Exception as error:  # noqa: BLE001 - a check that raises has failed; the run goes on
        if os.environ.get("QUENCH_INTEROP_TRACE"):
            traceback.print_exc()
        return Result("FAIL", note=f"{type(error).__name__}: {error}".replace("\n", " ")[:400])


def line(name, result):
    """`STATUS name: difference (tolerance) note`."""
    measured = ""
    if result.difference is not None:
        measured = f"max diff {result.difference:.2e} (tolerance {result.tolerance:.0e})"
    detail = "; ".join(part for part in (measured, result.note) if part)
    return f"{result.status} {name}" + (f": {detail}" if detail else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quench", default=str(REPO / ".build/release/quench"))
    parser.add_argument("--model", default=str(pathlib.Path.home() / ".cache/quench/models/SmolLM2-135M-Instruct.Q4_1.gguf"),
                        help="the demo GGUF the checks import (make setup fetches it)")
    parser.add_argument("--work", help="folder for the files, kept (default: a temporary folder, removed)")
    parser.add_argument("--only", action="append", default=[],
                        help="run only the checks whose name contains this text (repeatable)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    transformers.utils.logging.disable_progress_bar()
    warnings.filterwarnings("ignore", category=FutureWarning)
    work = pathlib.Path(args.work or tempfile.mkdtemp(prefix="quench-interop-"))
    work.mkdir(parents=True, exist_ok=True)
    # A copy of the binary, so a rebuild during the run cannot mix two builds.
    binary = work / "quench"
    shutil.copy2(args.quench, binary)
    context = Context(Quench(binary), work, args.model, REPO)
    print(f"interop: {args.quench} ({Quench(binary).run('--version').strip()}), files in {work}", flush=True)

    counts = {"PASS": 0, "FAIL": 0}
    for module in (checks_adapters, checks_exports, checks_architectures, checks_per_token, checks_gguf):
        for name, check in module.checks():
            if args.only and not any(text.lower() in name.lower() for text in args.only):
                continue
            result = run_check(check, context)
            counts[result.status] += 1
            print(line(name, result), flush=True)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    print(f"interop: {counts['PASS']} passed, {counts['FAIL']} failed")
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
