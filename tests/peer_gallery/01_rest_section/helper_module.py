"""
A helper module
===============

Not an example: it does not match ``filename_pattern``, so it is shown as code without running.
"""

VALUE = 3
raise RuntimeError("this module must never run")
