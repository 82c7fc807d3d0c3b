"""Command line: `python -m gallery_builder {build,merge,new,models,live}` (also installed as `gallery`)."""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

from .build import build_gallery, build_shard
from .cache.shard import Shard
from .cache.store import ResultCache
from .live.publish import LIVE_DIR as LIVE_SITE_DIR
from .live.publish import VENDOR_DIR, live_files
from .live.store import LiveStore, ensure_all, live_cache_dir
from .options import BuildOptions, log_to_stderr
from .page.render import Files, file_bytes
from .run.embedded_models import ensure_embedded_models
from .sources.headers import header_file
from .sources.project import slugify

TEMPLATE = Path(__file__).parent / "templates" / "example.py.txt"


def write_new_example(source_dir: Path, section: str, title: str) -> Path:
    """Create a numbered script from the template in `section` (a folder of `source_dir`)."""
    if not title.strip():
        raise ValueError('give the example a title, e.g. make new TITLE="Attention entropy" SECTION=01_attention')
    folder = source_dir / section
    if not folder.is_dir() or header_file(folder) is None:
        sections = ", ".join(sorted(p.name for p in source_dir.iterdir() if p.is_dir() and header_file(p)))
        raise ValueError(f"no section {section!r} in {source_dir} (a folder with a README.md); sections: {sections}")
    numbers = [int(m.group(1)) for p in folder.glob("*.py") if (m := re.match(r"(\d+)_", p.name))]
    name = f"{max(numbers, default=0) + 1:02d}_{slugify(title).replace('-', '_')}.py"
    target = folder / name
    if target.exists():
        raise ValueError(f"{target} already exists")
    target.write_text(TEMPLATE.read_text().replace("{title}", title.strip()))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gallery", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="run the scripts and write the gallery's pages to a folder")
    build.add_argument("--project", type=Path, default=Path("."), help="project root (holds gallery_src/)")
    build.add_argument("--out", type=Path, help="folder to write the generated pages into (not with --shard)")
    build.add_argument("--shard", type=Shard.parse, metavar="I/N",
                       help="run only the I-th of N shares of the scripts into the cache; write no pages")
    build.add_argument("--export", type=Path, metavar="DIR",
                       help="with --shard: also copy the entries this shard made into DIR, for `merge`")
    merge = commands.add_parser("merge", help="copy the entries of shard caches (DIR/entries/...) into the cache")
    merge.add_argument("folders", type=Path, nargs="+", metavar="DIR")
    merge.add_argument("--project", type=Path, default=Path("."))
    new = commands.add_parser("new", help="write a new example script from the template")
    new.add_argument("--title", required=True)
    new.add_argument("--section", required=True, help="section folder, e.g. 01_attention")
    new.add_argument("--project", type=Path, default=Path("."))
    models = commands.add_parser("models", help="prepare the embedded models in the project's HF cache")
    models.add_argument("--project", type=Path, default=Path("."))
    live = commands.add_parser("live", help="export the in-browser models; write just the _live/ files")
    live.add_argument("--out", type=Path, required=True, help="folder to write _live/ into")
    live.add_argument("--project", type=Path, default=Path("."))
    args = parser.parse_args(argv)

    if args.command == "new":
        try:
            path = write_new_example(args.project / "gallery_src", args.section, args.title)
        except ValueError as error:
            print(f"gallery new: {error}", file=sys.stderr)
            return 2
        print(f"wrote {path}; preview it with `make serve`")
        return 0
    options = BuildOptions.for_project(args.project)
    if args.command == "models":
        ensure_embedded_models(options.hf_cache)
        return 0
    if args.command == "merge":
        return merge_caches(options, args.folders)
    if args.command == "live":
        return write_live(options, args.out)
    if (args.shard is None) == (args.out is None):
        parser.error("build needs --out DIR, or --shard I/N to fill the cache only")
    if args.export is not None and args.shard is None:
        parser.error("--export goes with --shard")
    if args.shard is not None:
        report = build_shard(options, args.shard)
        if args.export is not None:
            export_entries([r.files_dir for r in report.results if r.status == "ran" and r.files_dir], args.export)
    else:
        files, report = build_gallery(options)
        write_files(files, args.out)
    return 1 if report.failures else 0


def write_files(files: Files, out: Path) -> None:
    for name, value in files.items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        data = file_bytes(value)
        if not target.exists() or target.read_bytes() != data:  # write only what changed
            target.write_bytes(data)


def write_live(options: BuildOptions, out: Path) -> int:
    """Export (or reuse) the live models and write out/_live/ (and the libraries, out/_vendor/):
    for developing the live pages without building the site."""
    ensure_embedded_models(options.hf_cache)
    store = LiveStore(live_cache_dir(options.cache_dir), options.project_root, options.hf_cache)
    exports = ensure_all(store, log_to_stderr)
    files = live_files(exports, prefix=LIVE_SITE_DIR, vendor=VENDOR_DIR)
    for export in exports:  # files an earlier export wrote and this one does not
        folder = out / LIVE_SITE_DIR / export.model.name
        for stale in folder.iterdir() if export.folder is not None and folder.is_dir() else ():
            if f"{LIVE_SITE_DIR}/{export.model.name}/{stale.name}" not in files and stale.is_file():
                stale.unlink()
    write_files(dict(files), out)
    for export in exports:
        if export.error:
            print(f"gallery {export.error}", file=sys.stderr)
        else:
            print(f"gallery: live: {export.model.name}: {out / LIVE_SITE_DIR / export.model.name}"
                  + (" (cached)" if export.cached else ""), file=sys.stderr)
    return 1 if any(export.error for export in exports) else 0


def export_entries(entries: list[Path], target: Path) -> None:
    """Copy cache entries into `target/entries/`, the layout `merge` reads."""
    (target / "entries").mkdir(parents=True, exist_ok=True)
    for entry in entries:
        shutil.copytree(entry, target / "entries" / entry.name, dirs_exist_ok=True)
    print(f"gallery: exported {len(entries)} entries to {target}", file=sys.stderr)


def merge_caches(options: BuildOptions, folders: list[Path]) -> int:
    store = ResultCache(options.cache_dir, options.project_root, options.hf_cache)
    for folder in folders:
        if not (folder / "entries").is_dir():
            print(f"gallery merge: {folder} holds no entries/ folder", file=sys.stderr)
            return 2
        copied = store.merge_from(folder)
        print(f"gallery: merged {len(copied)} entries from {folder}", file=sys.stderr)
    return 0
