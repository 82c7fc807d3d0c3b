"""Interactive HTML views as standalone, offline documents: bertviz's fragments made stable and
themed (bertviz_fixups.py), kept to the site's own files (safety.py, vendored.py), wrapped into
a page of their own (standalone.py), and where they and the vendored libraries go (layout.py)."""
