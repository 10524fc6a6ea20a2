"""三率 and 履职 statistics for the 代表工委: definitions, filters, the month roll-up."""
