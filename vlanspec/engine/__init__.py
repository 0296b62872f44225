"""The only code that talks to Docker: read live state, perform one action, know the engine."""
