"""All routers, collected in one place."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import single_query_values
from api.routes import analytics, cases, experts, formations, health, review, sync

__all__ = ["api_router"]

api_router = APIRouter(dependencies=[Depends(single_query_values)])
api_router.include_router(health.router)
api_router.include_router(experts.router)
api_router.include_router(sync.router)
api_router.include_router(analytics.router)
api_router.include_router(formations.router)
api_router.include_router(review.router)
api_router.include_router(cases.router)
