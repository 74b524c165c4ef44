"""Small shared pieces: types, errors, numbering, jobs, time and masking."""
