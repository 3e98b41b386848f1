"""The sandbox TikTok (../shared/contracts/tiktok.md): views.py, state in Redis (state.py), the
publish lifecycle (publishing.py), the fixed world (world.py) and its fault kinds (faults.py)."""
