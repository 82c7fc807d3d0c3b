"""
An expected failure
===================

This script fails on purpose; the settings list it as an expected failure.
"""

import matplotlib.pyplot as plt

plt.plot([0, 1])


def fail():
    return 1 / 0


fail()
