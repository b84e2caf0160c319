"""The engine: torch and numpy only. Models, data, trainers, checkpoints, preprocessing."""
