"""Generated clips: Veo and Kling clients (../shared/contracts/video-providers.md), routing, the fetch step."""
