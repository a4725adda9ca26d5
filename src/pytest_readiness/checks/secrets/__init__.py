"""The `secrets` check: no credential committed to the repository, now or in its history.

One module per job: `rule` (what a rule is), `rules` and `providers` (what credentials look
like), `names` (whether a variable's name says secret), `validation` (entropy and checksums),
`filters` (what only looks like one), `grading` (severity, lower for fixtures and examples),
`keywords` (which rules a text can match: Hyperscan or one regex), `scanner` (text to
matches), `tree` (files to matches, cached, in parallel), `allowlist`, `baseline`, `history`
and `check` (the `SecretsCheck` the gate runs).
"""
