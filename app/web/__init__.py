"""HTTP plumbing: gzip, body limits, JSON responses, ETags and the health check. Nothing here
knows about records or forms."""
