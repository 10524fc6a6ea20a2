"""The operators' chat as a hotline (HOTLINE_ADAPTER=telegram): ticket cards, the operators' taps,
their router and texts."""
