"""
Top-level await
===============

A cell awaits a coroutine, as in a notebook.
"""

import asyncio


async def answer():
    await asyncio.sleep(0)
    return 42


value = await answer()
print(value)
