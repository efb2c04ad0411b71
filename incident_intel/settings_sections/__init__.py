"""The sections of config/config.yaml by concern, loaded by `incident_intel.settings`."""
