"""The scoring API: `incident-intel serve`, a FastAPI app over the promoted models."""
