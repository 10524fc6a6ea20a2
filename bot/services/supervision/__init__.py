"""人大督: detecting the cases the 代表工委 supervises, and the 督办 desk's actions."""
