"""optviz: an interactive lab for the optimizers and training tricks of deep learning."""

__version__ = "0.1.0"
