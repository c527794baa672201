"""The Cryptorefills partner API: one client, one error hierarchy, tolerant schemas."""
