"""Scoring: the promoted models applied to incidents, for the open-incident view and the API."""
