"""The delivery loop: enqueue new events, send due deliveries, record each attempt.

Each API process runs one loop in a daemon thread; leases in the store make sure a delivery is
sent by one process at a time, so several workers never double-send.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import httpx

from salestrack.config import Settings
from salestrack.services import webhooks
from salestrack.store.uow import UnitOfWork
from salestrack.webhooks.signing import HEADER, sign

log = logging.getLogger(__name__)


def policy_from(settings: Settings) -> webhooks.RetryPolicy:
    return webhooks.RetryPolicy(
        max_attempts=settings.webhook_max_attempts,
        backoff=timedelta(seconds=settings.webhook_backoff_seconds),
        disable_after=settings.webhook_disable_after_failures,
    )


class Dispatcher:
    """Sends webhooks from the store's outbox; ``run_once`` is one pass, ``start`` loops."""

    def __init__(
        self,
        uow: UnitOfWork,
        policy: webhooks.RetryPolicy,
        *,
        timeout: float = 5.0,
        poll_seconds: float = 1.0,
    ) -> None:
        self.uow = uow
        self.policy = policy
        self.poll_seconds = poll_seconds
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """Enqueue new events and send what is due; returns the number of attempts made."""
        webhooks.enqueue(self.uow)
        jobs = webhooks.claim_due(self.uow, self.policy)
        for job in jobs:
            self._send(job)
        return len(jobs)

    def _send(self, job: webhooks.Job) -> None:
        timestamp = int(self.uow.clock.now().timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "salestrack-webhooks",
            "Salestrack-Event": job.event,
            "Salestrack-Delivery": str(job.delivery_id),
            HEADER: sign(job.secret, job.body, timestamp),
        }
        status: int | None = None
        error: str | None = None
        try:
            status = self._client.post(job.url, content=job.body, headers=headers).status_code
            if not 200 <= status < 300:
                error = f"endpoint answered {status}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        webhooks.record_attempt(self.uow, job, self.policy, status_code=status, error=error)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="salestrack-webhooks", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # keep delivering after a transient store error
                log.exception("webhook delivery pass failed")
                busy = 0
            if not busy:
                self._stop.wait(self.poll_seconds)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._client.close()
