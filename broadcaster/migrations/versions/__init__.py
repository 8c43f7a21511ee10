"""One file per migration, applied in order of their revision chain."""
