"""The live interview room: Yjs notes over Channels, the step timeline, presence, replay."""
