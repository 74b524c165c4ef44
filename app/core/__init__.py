"""Small shared pieces: types, constraints, errors, numbering, jobs, time and masking."""
