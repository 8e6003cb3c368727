"""Storage: models, the engine and repository functions (the only SQL in the project)."""
