"""gestapeld: stacked family reunification (gestapelde gezinshereniging) as of any peildatum."""
__version__ = "0.1.0"
