"""Official images whose entrypoint starts as root and switches to an unprivileged user.

`FROM postgres:16.4` with no `USER` does not run the server as root: the image's
`docker-entrypoint.sh` prepares the data directory as root, then re-executes itself through
`gosu`/`su-exec`/`setpriv` as the `postgres` user. It does so only when the entrypoint is the
image's own and the command is the server (or options for it); anything else runs as root.

Every entry was read from the entrypoint script of the official image, and names the file and
the line that drops privileges, so a reviewer can check it again. An image is added only with
that line cited; the tests assert that every entry names its source.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass

from pytest_readiness.checks.operations.images import ImageReference, docker_name


@dataclass(frozen=True)
class PrivilegeDrop:
    image: str
    """The official image, as `docker_name` spells it (`postgres` is `library/postgres`)."""
    user: str
    """The user the entrypoint switches to."""
    commands: tuple[str, ...]
    """Patterns of the first argument that make the entrypoint switch (`-*`: server options)."""
    source: str
    """The repository and file the behaviour was read from."""
    line: str
    """The line of that file that switches user."""

    def triggered_by(self, command: Sequence[str] | None) -> bool:
        """Whether the entrypoint switches for this command (None: the image's CMD, its server)."""
        if not command:
            return True
        return any(fnmatch.fnmatchcase(command[0], pattern) for pattern in self.commands)


PRIVILEGE_DROPS = (
    PrivilegeDrop(
        "postgres",
        "postgres",
        ("postgres", "-*"),
        "docker-library/postgres 15/bookworm/docker-entrypoint.sh",
        'exec gosu postgres "$BASH_SOURCE" "$@"',
    ),
    PrivilegeDrop(
        "redis",
        "redis",
        ("redis-server", "-*", "*.conf"),
        "redis/docker-library-redis debian/docker-entrypoint.sh",
        'exec $SETPRIV ... "$0" "$@"  (SETPRIV="/usr/bin/setpriv --reuid redis --regid redis ...")',
    ),
    PrivilegeDrop(
        "mysql",
        "mysql",
        ("mysqld", "-*"),
        "docker-library/mysql .template.Debian/docker-entrypoint.sh",
        'exec gosu mysql "$BASH_SOURCE" "$@"',
    ),
    PrivilegeDrop(
        "mariadb",
        "mysql",
        ("mariadbd", "mysqld", "-*"),
        "MariaDB/mariadb-docker 11.4/docker-entrypoint.sh",
        'exec gosu mysql "${BASH_SOURCE[0]}" "$@"',
    ),
    PrivilegeDrop(
        "mongo",
        "mongodb",
        ("mongo*", "-*"),
        "docker-library/mongo 4.4/docker-entrypoint.sh",
        'exec gosu mongodb "$BASH_SOURCE" "$@"',
    ),
    PrivilegeDrop(
        "rabbitmq",
        "rabbitmq",
        ("rabbitmq*",),
        "docker-library/rabbitmq 3.13/alpine/docker-entrypoint.sh",
        'exec su-exec rabbitmq "$BASH_SOURCE" "$@"',
    ),
)

_BY_NAME = {docker_name(drop.image): drop for drop in PRIVILEGE_DROPS}


def privilege_drop(image: ImageReference, command: Sequence[str] | None) -> PrivilegeDrop | None:
    """The entry whose entrypoint will leave root for this command, if the image is one.

    The caller has made sure the image's own entrypoint runs (no ENTRYPOINT / `command:` of
    its own). `command` is the CMD or `args` in exec form; None when the image's CMD applies.
    """
    drop = _BY_NAME.get(docker_name(image.name))
    if drop is None or not drop.triggered_by(command):
        return None
    return drop
