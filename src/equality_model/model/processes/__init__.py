"""Simulation processes, one module each, run in the fixed weekly order of ``engine.STEP_ORDER``."""
