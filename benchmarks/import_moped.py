"""Benchmark `hasura-perm import` on the Moped corpus (70 tables, 306 permission blocks).

    python benchmarks/import_moped.py [--repeat 5] [--corpus ../shared/corpus/moped]

Each round times the stages of one import (read the metadata directory, check and plan,
compile the planned files back and compare: the round trip, lay out and write the files),
as `hasura-perm import --metadata ... --out DIR` does, into a fresh temporary folder. The
schema snapshot is read from the corpus's schema.sql once, outside the timings (a real
import reads a snapshot file written by `hasura-perm schema pull`). Figures are the best
round and the median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hasura_perm.importer import read_metadata_dir  # noqa: E402
from hasura_perm.importer.run import import_permissions  # noqa: E402
from hasura_perm.metadata.directory import write_files  # noqa: E402
from hasura_perm.schema.files import sql_schema  # noqa: E402
from hasura_perm.schema.snapshot import snapshot_from_data  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "moped"


def one_round(corpus: Path, snapshot: object) -> dict[str, float]:
    times: dict[str, float] = {}
    started = time.perf_counter()
    read = read_metadata_dir(corpus / "metadata")
    times["read"] = time.perf_counter() - started
    mark = time.perf_counter()
    result = import_permissions(read, snapshot)  # type: ignore[arg-type]
    times["check, plan and round trip"] = time.perf_counter() - mark
    mark = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        write_files({Path(tmp) / rel: text for rel, text in result.files.items()})
    times["write"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - started
    times["lines in"] = read.permission_lines
    times["lines out"] = result.report.lines_out
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    schema = args.corpus / "schema.sql"
    if not schema.is_file():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 1
    snapshot = snapshot_from_data(sql_schema(schema).document)
    rounds = [one_round(args.corpus, snapshot) for _ in range(args.repeat)]
    first = rounds[0]
    print(
        f"Moped: {int(first['lines in'])} lines of permission blocks in, "
        f"{int(first['lines out'])} lines out ({first['lines out'] / first['lines in']:.1%})"
    )
    for stage in ("read", "check, plan and round trip", "write", "total"):
        values = [r[stage] for r in rounds]
        print(
            f"  {stage:28} best {min(values) * 1000:7.1f} ms   "
            f"median {statistics.median(values) * 1000:7.1f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
