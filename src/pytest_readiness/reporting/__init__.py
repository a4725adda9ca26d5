"""Writers of the gate's result: terminal, JSON, Markdown, SARIF, CI annotations.

Each reads the same JSON-able report built by `json_report.build_report`.
"""
