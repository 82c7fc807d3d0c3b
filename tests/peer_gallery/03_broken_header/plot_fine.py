"""
# Still builds

The section's header is broken; this script still runs.
"""
print("fine")
