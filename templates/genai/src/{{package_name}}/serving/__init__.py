"""HTTP service for the search index."""
