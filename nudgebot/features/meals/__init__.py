"""Meals: the food database, the check-in parser, targets and suggestions."""
