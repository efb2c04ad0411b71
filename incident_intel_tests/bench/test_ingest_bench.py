from incident_intel.bench.ingest_bench import run_ingest_bench


def test_the_ingest_bench_times_every_stage_on_a_small_day():
    figures = run_ingest_bench(incidents=150, histories=[150, 300], repeats=1)
    assert figures["records"] > 0 and figures["audit_rows"] > figures["records"]
    assert figures["versions"] > figures["records"]
    for name in (
        "http_records_per_s_cold",
        "http_records_per_s_warm",
        "audit_http_rows_per_s_cold",
        "audit_http_rows_per_s_warm",
        "silver_records_per_s",
        "silver_audit_rows_per_second",
        "silver_versions_per_second",
        "raw_parse_records_per_s",
        "silver_vs_raw_parse",
        "merge_records_per_second",
    ):
        assert figures[name] > 0, name
    assert len(figures["daily_partition_seconds_by_history"]) == 2
    assert figures["history_cost_ratio"] > 0
