"""equality-model: a policy lab for the Equality Model (Nordic model) of prostitution law."""

__version__ = "0.1.0"
