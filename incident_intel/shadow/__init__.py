"""Shadow mode: candidate models scored beside the promoted ones on live requests, and logged."""
