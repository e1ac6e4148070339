"""All routers, collected in one place."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import analytics, experts, formations, health, sync

__all__ = ["api_router"]

api_router = APIRouter()
api_router.include_router(health.router)
api_router.include_router(experts.router)
api_router.include_router(sync.router)
api_router.include_router(analytics.router)
api_router.include_router(formations.router)
