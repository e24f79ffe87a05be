"""Tests of the experiment executor (experiments/)."""
