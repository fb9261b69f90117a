"""Benchmarks, side by side with the peers: run each as `python -m benchmarks.NAME` from the
repository root. """
