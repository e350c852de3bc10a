//! The twin world: every step acts on the baseline and the candidate.
