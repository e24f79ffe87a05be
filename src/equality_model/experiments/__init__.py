"""Running many simulations: replicates (and later sweeps, calibration, sensitivity) through one executor."""
