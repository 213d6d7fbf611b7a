"""Reading the audit log (mosvy, admin): a keyset-paged list and a streamed CSV."""
