"""Where generated files go in the site. Cached views link to the vendored libraries by these
names, so this module is part of the cache key (keys.py): change the layout and every view is
made again.

    gallery/                      GALLERY_DIR
        _vendor/                  SITE_VENDOR_DIR: vendored JavaScript libraries, once per site
        <section>/<example>/      one example: index.md, its images, views and downloads
        <section>/<sub>/<example>/  one example of a sub-section
"""

from __future__ import annotations

GALLERY_DIR = "gallery"
SITE_VENDOR_DIR = "_vendor"


def view_vendor_href(section_depth: int) -> str:
    """How a view, in its example's folder, links to the vendored libraries: an example of a
    section is at gallery/<section>/<example>/, of a sub-section one folder deeper."""
    return "../" * (section_depth + 1) + SITE_VENDOR_DIR + "/"


VIEW_VENDOR_HREF = view_vendor_href(1)
