"""Routes: ddos (to be filled by its area)."""

from fastapi import APIRouter

router = APIRouter()
