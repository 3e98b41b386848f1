"""Publishing to TikTok exactly once (issue 19): gates, the pipeline, scheduling, the composer."""
