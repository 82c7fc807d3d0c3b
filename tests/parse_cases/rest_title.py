"""
===================
Hidden states, reST
===================

An introduction written for sphinx-gallery,
over two lines.
"""
import numpy as np

# sphinx_gallery_thumbnail_number = 2

##############################################################################
# Old-style separator with prose.

np.zeros(2)
