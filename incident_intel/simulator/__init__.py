"""A ServiceNow Table API simulator for `incident`, `sys_audit` and `sys_audit_delete`, on loopback.

Stores (`synthetic.SyntheticIncidentStore`, `replay.ReplayIncidentStore`) hold a version log and
derive the tables from it; `tables` describes each table, `app` speaks the Table API over them,
`server.SimulatorServer` runs it in a background thread and `cli` runs it in the foreground.
"""
