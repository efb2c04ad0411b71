"""A ServiceNow Table API simulator for the `incident` table, serving on loopback.

Stores (`synthetic.SyntheticIncidentStore`, `replay.ReplayIncidentStore`) hold a version log;
`app` speaks the Table API over it, `server.SimulatorServer` runs it in a background thread and
`cli` runs it in the foreground.
"""
