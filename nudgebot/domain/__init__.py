"""Pure rules with no I/O: parsing, flows, targets, guidance."""
