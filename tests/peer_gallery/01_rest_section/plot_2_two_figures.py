"""
Two figures
===========

The second figure is the thumbnail, chosen with the mkdocs-gallery prefix.
"""
# mkdocs_gallery_thumbnail_number = 2

import matplotlib.pyplot as plt

for colour in ("tab:blue", "tab:orange"):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar([0, 1], [1, 2], color=colour)
    ax.set_title(colour)
plt.show()
