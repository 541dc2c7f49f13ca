"""The pages, one module per area: sign-in, my day, records, pipeline, team, insights, map."""
