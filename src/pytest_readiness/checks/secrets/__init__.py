"""The `secrets` check: no credential committed to the repository, now or in its history.

One module per job: `rules` (what a credential looks like), `validation` (entropy and
checksums), `filters` (what only looks like one), `scanner` (text and files to matches),
`allowlist`, `baseline`, `history` and `check` (the `SecretsCheck` the gate runs).
"""
