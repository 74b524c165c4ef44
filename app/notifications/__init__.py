"""The notification outbox: committed first, sent by a job."""
