"""`cognito lambda build`: the two handlers and the compiled mapping, as a folder or a zip.

The zip is reproducible: same input, same bytes (entries sorted, fixed timestamps and
permissions, fixed compression level), so a deploy pipeline can tell a real change by hash.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

from hasura_perm.cognito.handler.pre_token import MAPPING_FILE
from hasura_perm.core.errors import HasuraPermError

HANDLERS = ("pre_token.py", "user_sync.py")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date zip can store
FILE_MODE = 0o100644  # regular file, rw-r--r--


def lambda_files(mapping: dict[str, Any]) -> dict[str, bytes]:
    """Archive name -> content."""
    package = resources.files("hasura_perm.cognito.handler")
    files = {name: package.joinpath(name).read_bytes() for name in HANDLERS}
    files[MAPPING_FILE] = (json.dumps(mapping, indent=2, sort_keys=True) + "\n").encode()
    return dict(sorted(files.items()))


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so external_attr means the mode on every OS
            info.external_attr = FILE_MODE << 16
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def write_package(files: dict[str, bytes], out: Path) -> tuple[Path, int, str]:
    """Write a zip (when `out` ends in .zip) or a folder; returns (path, bytes, sha256)."""
    if out.suffix.lower() == ".zip":
        data = zip_bytes(files)
        _parent(out).mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        return out, len(data), hashlib.sha256(data).hexdigest()
    if out.exists() and not out.is_dir():
        raise HasuraPermError(f"{out} exists and is not a folder; pass a folder or a .zip path")
    out.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    for name, data in files.items():
        (out / name).write_bytes(data)
        digest.update(name.encode() + b"\0" + data)
    return out, sum(len(d) for d in files.values()), digest.hexdigest()


def _parent(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")
