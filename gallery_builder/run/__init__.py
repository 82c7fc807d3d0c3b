"""Running the scripts: isolated worker processes (workers.py, warmed by warmup.py) that execute
a script's cells (execute.py), record what it read (deps.py) and which models it used
(provenance.py, embedded_models.py), and write a RunRecord (record.py); the build turns each into
an ExampleResult (results.py)."""
