"""Typed dependencies of the routes: what lives on ``app.state``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sparqlqa.service.metrics import Metrics
from sparqlqa.service.registry import GraphRegistry
from sparqlqa.service.settings import Settings


def get_registry(request: Request) -> GraphRegistry:
    registry: GraphRegistry = request.app.state.registry
    return registry


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


RegistryDep = Annotated[GraphRegistry, Depends(get_registry)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
