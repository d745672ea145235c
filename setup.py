"""Build hook: the wheel carries the current built package, so `timeline.load()` works without a checkout.

All other project metadata lives in pyproject.toml. This gives the distribution the data version
(``datapackage.json``'s ``version``: a 2.0.0 data release is the 2.0.0 wheel, a build after it
``2.1.0.dev0``) and extends ``build_py`` to copy ``datapackage.json`` and the Parquet tables it
lists into ``timeline/_package/`` of the build, checking each file's sha256 against the descriptor
on the way (paths.BUNDLED).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def data_version() -> str:
    descriptor = HERE / "datapackage.json"
    if not descriptor.exists():
        raise SystemExit("datapackage.json is missing: run `timeline build` before building the wheel")
    return str(json.loads(descriptor.read_text(encoding="utf-8"))["version"])


class BuildPyWithPackage(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # a checkout loads its own package (paths.default_package)
            return
        descriptor = HERE / "datapackage.json"
        if not descriptor.exists():
            raise SystemExit("datapackage.json is missing: the wheel carries the committed package (the last "
                             "release's); restore it with git checkout")
        target = Path(self.build_lib) / "timeline" / "_package"
        files = ["datapackage.json"]
        for resource in json.loads(descriptor.read_text(encoding="utf-8"))["resources"]:
            rel = resource["path"]
            data = (HERE / rel).read_bytes()
            if resource.get("hash") and hashlib.sha256(data).hexdigest() != resource["hash"].rpartition(":")[2]:
                raise SystemExit(f"{rel} does not match datapackage.json: restore the committed package "
                                 "with git checkout")
            files.append(rel)
        for rel in files:
            out = target / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes((HERE / rel).read_bytes())


setup(version=data_version(), cmdclass={"build_py": BuildPyWithPackage})
