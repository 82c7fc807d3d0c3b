"""Underlined title
==================

Intro text.
"""

# %% Cell titles after the marker are ignored
# gallery_timeout = 600
# gallery_expect_failure = True
raise ValueError("on purpose")
