"""The JSON API over the Ambidex model (FastAPI)."""
