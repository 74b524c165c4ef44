"""Demo data for a fictional county."""
