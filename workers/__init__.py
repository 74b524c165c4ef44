"""RQ worker entry point and job class."""
