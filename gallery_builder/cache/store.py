"""A content-hash cache of script outputs, kept outside docs/ and safe to delete.

An entry is found by its *static key* (keys.py), computed before running. Each entry also holds
the fingerprints of what the run read (deps.py records it): project files and folders, by
content; model snapshots, by what their repository's `refs/` point at and by their files'
content. A look-up uses an entry only while all of those are unchanged, and a file that changed
while the script ran makes its entry unusable from the start.

Entries are written into a staging folder and moved into place with one rename, so a build that
is killed at any moment leaves either a complete entry or none; stray staging folders are swept.

    <cache>/entries/<key>/     result.json (record.py) and the files its outputs name
    <cache>/staging/           runs in progress
    <cache>/hashes.json        content hashes of large files, by path and state
    <cache>/times.json         run times of the last full build (shard.py)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..run.deps import MISSING, file_state
from ..run.execute import PROGRESS_FILE, TIMEOUT_FILE
from ..run.record import Dependencies, RunRecord

STALE_STAGING_SECONDS = 24 * 3600
CHANGED = "changed while the script ran"  # a fingerprint that matches nothing
MEMO_MIN_BYTES = 1 << 20  # smaller files are hashed on every look-up
LISTING_SKIPS = ("__pycache__",)  # and names starting with "."


@dataclass(frozen=True)
class Entry:
    folder: Path
    record: RunRecord


class Fingerprints:
    """Content identities of what runs read, memoised for one build (and across builds for
    large files, in hashes.json, by path, size, mtime, ctime and inode)."""

    def __init__(self, project_root: Path, hf_cache: Path, memo_file: Path) -> None:
        self.project_root = project_root
        self.hf_cache = hf_cache
        self.memo_file = memo_file
        self._memo: dict[str, list[str]] | None = None
        self._models: dict[str, str] = {}

    def of(self, deps: Dependencies) -> dict[str, str]:
        found = {f"file:{name}": self.file(self.project_root / name) for name in deps.files}
        found.update({f"folder:{name}": self.folder(self.project_root / name) for name in deps.folders})
        found.update({f"model:{name}": self.model(name) for name in deps.models})
        return found

    def at_store(self, deps: Dependencies) -> dict[str, str]:
        """Fingerprints for a finished run; a file or folder whose state differs from what the
        script saw was edited during the run, and gets a fingerprint that never matches."""
        found = self.of(deps)
        for kind, states in (("file", deps.files), ("folder", deps.folders)):
            for name, seen in states.items():
                if seen and file_state(str(self.project_root / name)) != seen:
                    found[f"{kind}:{name}"] = CHANGED
        return found

    # -- kinds of dependency ----------------------------------------------------------------
    def file(self, path: Path) -> str:
        if not path.exists():
            return MISSING
        if path.is_dir():
            return "folder"
        return self._content(path)

    def folder(self, path: Path) -> str:
        if not path.is_dir():
            return MISSING
        names = sorted(n for n in os.listdir(path) if n not in LISTING_SKIPS and not n.startswith("."))
        return hashlib.sha256("\n".join(names).encode()).hexdigest()

    def model(self, name: str) -> str:
        """A snapshot by the refs of its repository and its files' content (links followed)."""
        if name not in self._models:
            self._models[name] = self._model(self.hf_cache / name)  # an absolute name stays as is
        return self._models[name]

    def _model(self, snapshot: Path) -> str:
        if not snapshot.is_dir():
            return MISSING
        rows = []
        refs = snapshot.parent.parent / "refs"
        for ref in sorted(refs.rglob("*")) if refs.is_dir() else []:
            if ref.is_file():
                rows.append(f"ref {ref.relative_to(refs).as_posix()} {ref.read_text().strip()}")
        for folder, dirs, files in os.walk(snapshot, followlinks=True):
            dirs.sort()
            for file in sorted(files):
                path = Path(folder) / file
                rows.append(f"file {path.relative_to(snapshot).as_posix()} {self._content(path)}")
        return hashlib.sha256("\n".join(rows).encode()).hexdigest()

    def _content(self, path: Path) -> str:
        try:
            info = path.stat()
        except OSError:
            return MISSING
        if info.st_size < MEMO_MIN_BYTES:
            return _sha256_file(path)
        real = os.path.realpath(path)
        state = [str(info.st_size), str(info.st_mtime_ns), str(info.st_ctime_ns), str(info.st_ino)]
        memo = self._load_memo()
        known = memo.get(real)
        if known is not None and known[:4] == state:
            return known[4]
        digest = _sha256_file(path)
        memo[real] = [*state, digest]
        self._save_memo(memo)
        return digest

    def _load_memo(self) -> dict[str, list[str]]:
        if self._memo is None:
            try:
                loaded = json.loads(self.memo_file.read_text())
                self._memo = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                self._memo = {}
        return self._memo

    def _save_memo(self, memo: dict[str, list[str]]) -> None:
        write_atomically(self.memo_file, json.dumps(memo, indent=0, sort_keys=True))


class ResultCache:
    """Folders of outputs under `root/entries/<key>/`, each with its result.json."""

    def __init__(self, root: Path, project_root: Path, hf_cache: Path) -> None:
        self.root = root
        self.entries = root / "entries"
        self.staging = root / "staging"
        self.fingerprints = Fingerprints(project_root, hf_cache, root / "hashes.json")

    def staging_dir(self) -> Path:
        self.staging.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=self.staging))

    def lookup(self, key: str) -> Entry | None:
        """The entry if it exists, is complete and what its run read is unchanged."""
        folder = self.entries / key
        record = RunRecord.read(folder)
        if record is None:
            return None
        if self.fingerprints.of(record.deps) != record.fingerprints:
            return None
        return Entry(folder, record)

    def store(self, key: str, out_dir: Path, record: RunRecord) -> Path:
        """Move a finished run's folder into the cache as the entry for `key`."""
        record.fingerprints = self.fingerprints.at_store(record.deps)
        for scratch in (TIMEOUT_FILE, PROGRESS_FILE):
            (out_dir / scratch).unlink(missing_ok=True)
        record.write(out_dir)
        return self._install(key, out_dir)

    def merge_from(self, other: Path) -> list[str]:
        """Copy the entries of another cache folder (a shard's) that this one lacks or holds an
        outdated copy of. Returns the keys copied."""
        copied = []
        source_entries = other / "entries"
        for folder in sorted(source_entries.iterdir()) if source_entries.is_dir() else []:
            if RunRecord.read(folder) is None or self.lookup(folder.name) is not None:
                continue
            staged = self.staging_dir() / "entry"
            shutil.copytree(folder, staged)
            self._install(folder.name, staged)
            copied.append(folder.name)
        return copied

    def _install(self, key: str, folder: Path) -> Path:
        target = self.entries / key
        self.entries.mkdir(parents=True, exist_ok=True)
        if target.exists():  # an outdated entry for the same key (what it read changed)
            retired = self.staging_dir()
            os.replace(target, retired / "old")
            shutil.rmtree(retired, ignore_errors=True)
        os.replace(folder, target)
        if folder.parent.parent == self.staging and not any(folder.parent.iterdir()):
            folder.parent.rmdir()  # the now empty folder a merged entry was staged in
        return target

    @staticmethod
    def holds_entries(root: Path) -> bool:
        """Whether the cache folder `root` holds any entry (it may not exist)."""
        entries = root / "entries"
        return entries.is_dir() and next(entries.iterdir(), None) is not None

    def sweep(self) -> None:
        """Remove staging folders left by builds that were killed."""
        if not self.staging.is_dir():
            return
        cutoff = time.time() - STALE_STAGING_SECONDS
        for folder in self.staging.iterdir():
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to a file beside `path`, then rename it into place: a reader sees the old
    file or the new one, never half of one (the folder is made if needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
