"""The read-only side door: search the lessons, brief a task, serve both to agents (MCP)."""
