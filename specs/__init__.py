"""specs: the property-based conformance suite for DeZero step-18 engines (coming with its issue)."""
