"""Platform-wide building blocks: the framework vocabulary, errors, health."""
