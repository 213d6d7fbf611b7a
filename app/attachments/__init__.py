"""Attachments: content-addressed files (photos, signatures) that records name by SHA-256."""
