"""A helper module: not an example, but a dependency of one."""

GREETING = "hello from a helper"
