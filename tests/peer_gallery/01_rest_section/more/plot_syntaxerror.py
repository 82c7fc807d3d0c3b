"""
A syntax error
==============

This script cannot be parsed; the page still shows its title, text and code.
"""

# %%
# The code below is not Python.

x = 1
Invalid Python code!
