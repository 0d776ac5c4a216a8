"""HTTP service for the trained model."""
