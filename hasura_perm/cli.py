"""Command-line entry point: argument parsing and exit codes only; no logic."""

from __future__ import annotations

import argparse
import errno
import gc
import os
import sys
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from typing import NoReturn

from hasura_perm import __version__
from hasura_perm import commands
from hasura_perm.core.errors import ExitCode
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.terminal import visible

DESCRIPTION = """\
Hasura permissions as code. Business roles written once in permissions/ compile into
Hasura metadata (metadata/), are applied through the metadata API, and checked for drift.

exit codes: 0 success, 1 error, 2 differences found, 3 checks failed
output: --format F (text by default) and --out FILE mean the same in every command
"""


class _Parser(argparse.ArgumentParser):
    """Usage mistakes exit 1 (error), not argparse's 2, which means "differences found"."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(ExitCode.ERROR, f"{self.prog}: error: {message}\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only`, other commands are bare names whose modules are not imported."""
    parser = _Parser(
        prog="hasura-perm",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"hasura-perm {__version__}")
    parser.add_argument(
        "--project",
        metavar="DIR",
        help="project folder (default: the nearest folder upwards holding hasura-perm.yaml)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in commands.MODULES:
        if only is not None and name != only:
            sub.add_parser(name)  # never chosen in this run: `only` is the command
            continue
        command = commands.load(name)
        command_parser = sub.add_parser(
            command.NAME,
            help=command.HELP,
            description=getattr(command, "DESCRIPTION", command.HELP),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_arguments(command_parser)
        command_parser.set_defaults(command_module=command)
    return parser


def _chosen_command(argv: Sequence[str]) -> str | None:
    """The command named in `argv` when only --project and --debug precede it; else None
    (help, --version or a mistake: then every command is loaded, for complete messages)."""
    position = 0
    while position < len(argv):
        word = argv[position]
        if word == "--project":
            position += 2
        elif word.startswith("--project=") or word == "--debug":
            position += 1
        else:
            return word if word in commands.MODULES else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            with fewer_collections():
                return _main(argv)
        finally:
            sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
    except BrokenPipeError:
        # The reader went away (`... | head -3`): nothing to say, nobody to say it to.
        _silence_stdout()
        return int(ExitCode.ERROR)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run with the garbage collector's first generation at 100,000 objects, not 700.

    A command builds a large tree of plain values that live until it ends, and the default
    thresholds made the collector re-scan it again and again: at 1,000 tables, `compile
    --check` took 2.2 s instead of 1.7 s. Plain values hold no cycles, so little waits for
    a collection. The thresholds are restored afterwards (tests call `main` in-process)."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _main(argv: Sequence[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_chosen_command(argv))
    args = parser.parse_args(argv)
    try:
        return int(args.command_module.run(args))
    except HasuraPermError as e:
        message = visible(str(e), keep="\n")  # may quote names from files or a server
        print(f"error: {message}" if "\n" not in message else f"error:\n{message}", file=sys.stderr)
        return int(e.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a bug in hasura-perm, not the user's fault
        if isinstance(e, OSError) and e.errno == errno.EPIPE:
            raise BrokenPipeError(*e.args) from e
        if isinstance(e, OSError) and e.filename is not None and not args.debug:
            print(visible(f"error: {_os_error(e)}"), file=sys.stderr)  # a path may hold anything
            return int(ExitCode.ERROR)
        if args.debug:
            raise
        print(
            f"internal error: {type(e).__name__}; run again with --debug and report it",
            file=sys.stderr,
        )
        return int(ExitCode.ERROR)


def _os_error(error: OSError) -> str:
    """An OS error on a file the user named (--out, --report...), said plainly."""
    path = str(error.filename2 or error.filename)  # a rename names its target second
    if isinstance(error, FileExistsError) and not os.path.isdir(path):
        return f"cannot write under {path}: it exists and is not a folder"
    reason = (error.strerror or type(error).__name__).lower()
    return f"cannot use {path}: {reason}"


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (tests capture output in memory)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
