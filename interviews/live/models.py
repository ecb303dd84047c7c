"""Storage of the live room's documents (filled in by the live-room work)."""
