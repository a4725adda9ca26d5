"""Operational readiness: runbooks, container images, Kubernetes workloads, logging hygiene."""
