"""Tests of the simulation engine (model/)."""
