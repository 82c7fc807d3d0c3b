"""
An animation
============

A ``FuncAnimation`` held by a variable becomes a player that works offline.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation

fig, ax = plt.subplots(figsize=(4, 2.5))
x = np.linspace(0, 2 * np.pi, 60)
(line,) = ax.plot(x, np.sin(x), color="tab:red")
ax.set_title("A travelling wave")


def step(frame):
    line.set_ydata(np.sin(x + frame / 2))
    return (line,)


wave = FuncAnimation(fig, step, frames=8, interval=150, blit=True)
plt.show()
