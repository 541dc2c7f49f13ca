"""Domain vocabulary and rules as pure functions; imports nothing else of salestrack."""
