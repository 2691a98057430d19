// live updates: see issue 3
