"""Our JSON intake API as a hotline: the signed client and the signed callback endpoint."""
