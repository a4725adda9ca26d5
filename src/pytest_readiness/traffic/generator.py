"""The built-in engine: an open or closed model on one asyncio loop with keep-alive connections.

Open model (wrk2, k6's constant-arrival-rate): request `i` is due at `start + i / rate`. A due
request goes out at once on an idle connection, or on a new one while fewer than
`max_in_flight` exist; otherwise it queues, and its latency still counts from when it was due.
A request that could not start within `timeout_s` of being due is dropped (k6's
`dropped_iterations`), as are those still queued when the run ends.

Closed model: `users` connections that each send, wait for the answer, and send again (paced to
`rate` when given, missed ticks counted as dropped). Latency is service time there: this is the
measurement that hides a stall, kept for comparison and for services that are driven that way.

The generator watches itself: how late its scheduler looked at each due request, the CPU it
used, and local resource errors. When it could not keep the schedule for its own reasons the
run's `generator_problems` say so, and the figures must not be held against the service.
"""

from __future__ import annotations

import asyncio
import errno
import os
import ssl
import time
from collections import deque
from collections.abc import Callable

from pytest_readiness.traffic.figures import LoadResult, Tally
from pytest_readiness.traffic.histogram import Histogram
from pytest_readiness.traffic.http1 import Connection
from pytest_readiness.traffic.scenario import Scenario, Target

START_DELAY_S = 0.05
SWEEP_INTERVAL_S = 0.05
DRAIN_POLL_S = 0.005
DEFAULT_LAG_BUDGET_MS = 25.0
LAG_PERCENTILE = 95
"""A generator that falls behind is late for most requests; one hiccup of a busy host is not."""
CPU_SATURATED = 0.9
LOCAL_ERRNOS = {
    errno.EMFILE: "the generator ran out of file descriptors",
    errno.ENFILE: "the system ran out of file descriptors",
    errno.EADDRNOTAVAIL: "the generator ran out of local ports",
    errno.ENOBUFS: "the generator's host ran out of socket buffers",
}

MemorySample = Callable[[], float | None]


class _Engine:
    """State shared by both models: connections, payloads, the window and the tally."""

    def __init__(self, scenario: Scenario, target: Target, start: float) -> None:
        self.scenario = scenario
        self.target = target
        self.tls = ssl.create_default_context() if target.scheme == "https" else None
        self.payloads = [spec.encode(target.host_header) for spec in scenario.requests]
        self.with_body = [spec.method.upper() != "HEAD" for spec in scenario.requests]
        self.measure_from = start + scenario.warmup_s
        self.end = self.measure_from + scenario.duration_s
        self.tally = Tally()
        self.connections: set[Connection] = set()
        self.rss: list[float | None] = []

    def measured(self, scheduled_at: float) -> bool:
        return self.measure_from <= scheduled_at < self.end

    def record(self, connection: Connection, status: int, error: str | None, now: float) -> None:
        if self.measure_from <= now < self.end:
            self.tally.ended_in_window += 1
        if not self.measured(connection.scheduled_at):
            return
        tally = self.tally
        tally.latency_ms.append((now - connection.scheduled_at) * 1000)
        tally.service_ms.append((now - connection.sent_at) * 1000)
        if error is not None:
            tally.errors[error] += 1
        elif status >= 400:
            tally.errors[f"status {status}"] += 1
        else:
            tally.ok += 1

    def fail_unsent(self, scheduled_at: float, error: OSError) -> None:
        """A connection that could not be made: the service's fault unless it was ours."""
        local = LOCAL_ERRNOS.get(error.errno or 0)
        if local is not None:
            problem = f"{local} ({error.strerror})"
            if problem not in self.tally.generator_problems:
                self.tally.generator_problems.append(problem)
        elif self.measured(scheduled_at):
            reason = os.strerror(error.errno) if error.errno else type(error).__name__
            self.tally.errors[f"connect: {reason}"] += 1

    async def connect(self, on_answer: Callable[[Connection, int, str | None], None]) -> Connection:
        loop = asyncio.get_running_loop()
        _, connection = await asyncio.wait_for(
            loop.create_connection(
                lambda: Connection(on_answer), self.target.host, self.target.port, ssl=self.tls
            ),
            self.scenario.timeout_s,
        )
        self.connections.add(connection)
        return connection

    def send(self, connection: Connection, scheduled_at: float, kind: int) -> None:
        connection.scheduled_at = scheduled_at
        connection.kind = kind
        connection.send(self.payloads[kind], expects_body=self.with_body[kind])

    async def sweep(self) -> None:
        """Time out overdue answers; one pass every SWEEP_INTERVAL_S instead of a timer each."""
        while True:
            await asyncio.sleep(SWEEP_INTERVAL_S)
            deadline = time.monotonic() - self.scenario.timeout_s
            for connection in list(self.connections):
                if connection.busy and connection.sent_at < deadline:
                    connection.time_out()
            self.connections = {c for c in self.connections if c.open or c.busy}
            self.after_sweep()

    def after_sweep(self) -> None:
        """Slots may have come free without an answer (connections the service closed)."""

    async def sample_memory(self, sample: MemorySample | None) -> None:
        if sample is not None:
            self.rss.append(await asyncio.to_thread(sample))

    def close(self) -> None:
        for connection in self.connections:
            connection.close()


class OpenModel(_Engine):
    def __init__(self, scenario: Scenario, target: Target, start: float) -> None:
        super().__init__(scenario, target, start)
        assert scenario.rate is not None
        self.start = start
        self.interval = 1 / scenario.rate
        self.total = round((self.end - start) * scenario.rate)
        self.idle: list[Connection] = []
        self.opening = 0
        self.waiting: deque[tuple[float, int]] = deque()

    async def run(self, sample: MemorySample | None) -> None:
        sweeper = asyncio.create_task(self.sweep())
        memory_task: asyncio.Task[None] | None = None
        cycle = self.scenario.schedule
        index = 0
        clock = time.monotonic
        try:
            while index < self.total:
                due = self.start + index * self.interval
                now = clock()
                if due > now:
                    await asyncio.sleep(due - now)
                    continue
                if memory_task is None and due >= self.measure_from:
                    memory_task = asyncio.create_task(self.sample_memory(sample))
                    cpu_from, wall_from = time.process_time(), now
                if self.measured(due):
                    self.tally.lag_ms.append((now - due) * 1000)
                self.dispatch(due, cycle[index % len(cycle)])
                index += 1
            if memory_task is not None:
                self.tally.cpu_ratio = (time.process_time() - cpu_from) / max(
                    clock() - wall_from, 1e-9
                )
                await memory_task
            await self.drain()
        finally:
            sweeper.cancel()
            self.close()

    def dispatch(self, due: float, kind: int) -> None:
        if self.waiting or not self.start_now(due, kind):
            self.waiting.append((due, kind))

    def after_sweep(self) -> None:
        self.next_waiting(None)

    def start_now(self, due: float, kind: int) -> bool:
        while self.idle:
            connection = self.idle.pop()
            if connection.open:
                self.send(connection, due, kind)
                return True
            self.connections.discard(connection)
        if len(self.connections) + self.opening < self.scenario.max_in_flight:
            self.opening += 1
            asyncio.get_running_loop().create_task(self.open_and_send(due, kind))
            return True
        return False

    async def open_and_send(self, due: float, kind: int) -> None:
        try:
            connection = await self.connect(self.on_answer)
        except (OSError, TimeoutError) as error:
            self.opening -= 1
            failure = error if isinstance(error, OSError) else OSError(errno.ETIMEDOUT, "")
            self.fail_unsent(due, failure)
            self.next_waiting(None)
            return
        self.opening -= 1
        self.send(connection, due, kind)

    def on_answer(self, connection: Connection, status: int, error: str | None) -> None:
        self.record(connection, status, error, time.monotonic())
        if not connection.open:
            self.connections.discard(connection)
        self.next_waiting(connection if connection.open else None)

    def next_waiting(self, connection: Connection | None) -> None:
        """A slot is free: hand it the oldest queued request still worth sending."""
        now = time.monotonic()
        while self.waiting:
            due, kind = self.waiting.popleft()
            if now - due > self.scenario.timeout_s:
                self.drop(due)
                continue
            if connection is not None:
                self.send(connection, due, kind)
            elif not self.start_now(due, kind):
                self.waiting.appendleft((due, kind))
            return
        if connection is not None:
            self.idle.append(connection)

    def drop(self, due: float) -> None:
        if self.measured(due):
            self.tally.dropped += 1

    async def drain(self) -> None:
        """Let the answers in flight arrive; what is still queued at the deadline is dropped."""
        deadline = self.end + self.scenario.timeout_s
        while time.monotonic() < deadline:
            busy = any(connection.busy for connection in self.connections)
            if not (busy or self.waiting or self.opening):
                break
            await asyncio.sleep(DRAIN_POLL_S)
        while self.waiting:
            self.drop(self.waiting.popleft()[0])


class ClosedModel(_Engine):
    def __init__(self, scenario: Scenario, target: Target, start: float) -> None:
        super().__init__(scenario, target, start)
        self.answers: dict[Connection, asyncio.Future[None]] = {}
        self.cpu_from = time.process_time()

    async def run(self, sample: MemorySample | None) -> None:
        sweeper = asyncio.create_task(self.sweep())
        users = self.scenario.users or 1
        try:
            loop = asyncio.get_running_loop()
            loop.call_at(self.measure_from, self.window_opens, sample)
            await asyncio.gather(*(self.user(number, users) for number in range(users)))
            wall = time.monotonic() - self.measure_from
            self.tally.cpu_ratio = (time.process_time() - self.cpu_from) / max(wall, 1e-9)
            while len(self.rss) < 1 and sample is not None:
                await asyncio.sleep(DRAIN_POLL_S)
        finally:
            sweeper.cancel()
            self.close()

    def window_opens(self, sample: MemorySample | None) -> None:
        self.cpu_from = time.process_time()
        asyncio.get_running_loop().create_task(self.sample_memory(sample))

    async def user(self, number: int, users: int) -> None:
        pace = users / self.scenario.rate if self.scenario.rate else 0.0
        next_at = self.measure_from - self.scenario.warmup_s + pace * number / users
        cycle = self.scenario.schedule
        sent = number
        connection: Connection | None = None
        while True:
            now = time.monotonic()
            if next_at >= self.end or (not pace and now >= self.end):
                return
            if pace and now < next_at:
                await asyncio.sleep(next_at - now)
            elif pace and now - next_at >= pace:
                missed = int((now - next_at) / pace)
                self.tally.dropped += sum(
                    self.measured(next_at + step * pace) for step in range(missed)
                )
                next_at += missed * pace
            if connection is None or not connection.open:
                try:
                    connection = await self.connect(self.on_answer)
                except (OSError, TimeoutError) as error:
                    failure = error if isinstance(error, OSError) else OSError(errno.ETIMEDOUT, "")
                    self.fail_unsent(time.monotonic(), failure)
                    connection = None
                    next_at += pace
                    await asyncio.sleep(pace or DRAIN_POLL_S)
                    continue
            answered = asyncio.get_running_loop().create_future()
            self.answers[connection] = answered
            started = time.monotonic()
            self.send(connection, started, cycle[sent % len(cycle)])
            await answered
            sent += users
            next_at += pace

    def on_answer(self, connection: Connection, status: int, error: str | None) -> None:
        self.record(connection, status, error, time.monotonic())
        answered = self.answers.pop(connection, None)
        if answered is not None and not answered.done():
            answered.set_result(None)


def run_builtin(scenario: Scenario, url: str, sample: MemorySample | None = None) -> LoadResult:
    """Run the scenario against `url` on a fresh event loop; RSS sampled around the window."""
    target = Target.parse(url)
    engine: OpenModel | ClosedModel

    async def main() -> None:
        nonlocal engine
        start = time.monotonic() + START_DELAY_S
        engine = (OpenModel if scenario.open else ClosedModel)(scenario, target, start)
        await engine.run(sample)
        engine.rss.append(await asyncio.to_thread(sample) if sample is not None else None)

    asyncio.run(main())
    result = LoadResult.from_tally(
        engine.tally,
        engine="builtin",
        model="open" if scenario.open else "closed",
        target_rps=scenario.rate,
        duration_s=scenario.duration_s,
    )
    if len(engine.rss) == 2:
        result.rss_before_mb, result.rss_after_mb = engine.rss
    return result


def judge_generator(result: LoadResult, lag_budget_ms: float = DEFAULT_LAG_BUDGET_MS) -> None:
    """Add to `generator_problems` when the generator, not the service, kept the schedule late.

    A closed loop without a pace has no schedule to keep: it is meant to run flat out.
    """
    lag: Histogram = result.generator_lag
    if lag.count and lag.percentile(LAG_PERCENTILE) > lag_budget_ms:
        result.generator_problems.append(
            f"its scheduler was late by {lag.percentile(LAG_PERCENTILE):.0f} ms at p95 "
            f"(budget {lag_budget_ms:g} ms): it could not send on time, "
            f"using {result.cpu_ratio:.0%} of a core"
        )
    elif result.cpu_ratio >= CPU_SATURATED and result.target_rps is not None:
        result.generator_problems.append(
            f"it used {result.cpu_ratio:.0%} of a core: it, not the service, set the pace"
        )
