"""Keeping outputs between builds: a script's key (keys.py, with the environment settings of
environment.py), the entries and their fingerprints (store.py), and split builds (shard.py)."""
