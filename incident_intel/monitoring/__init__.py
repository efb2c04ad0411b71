"""Watching the models in use: drift of what they score against what they learnt from, and
when to retrain. Pure logic over frames and numbers; Dagster wraps it elsewhere."""
